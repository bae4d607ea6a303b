"""The backtest: the recorded leads of a period replayed under a proposed pact and under the one it would replace,
side by side with what really happened, so that both owners see the effect of a change before they sign it."""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable, Iterator

from django.db.models import Min, QuerySet

from leadpact.core.errors import FieldErrors, NotFound
from leadpact.core.pact import Pact
from leadpact.core.replay import Outcome, PastLead, judge
from leadpact.insights.filters import Filters
from leadpact.insights.query import lead_filters
from leadpact.insights.reports import Column, Report, Table, share
from leadpact.leads.batch import CONTACT_COLUMNS
from leadpact.leads.models import Lead, Round, Signal
from leadpact.leads.rounds import report_zone
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_of, version_in_force

CHUNK = 5000


def parse_period(text: str, today: dt.date) -> Filters:
    """`2026-01-01..2026-06-30`, a month `2026-03`, a year `2026`, or a range of them (`2026-03..2026-05`)."""
    first, _, last = text.strip().partition("..")
    try:
        since, until = _bounds(first)[0], _bounds(last or first)[1]
        return Filters.parse({"since": since, "until": until}, today)
    except (FieldErrors, ValueError) as err:
        why = "; ".join(err.errors.values()) if isinstance(err, FieldErrors) else f"not a period: {text.strip()!r}"
        raise FieldErrors({"period": f"{why}; write it like 2026-01-01..2026-06-30, 2026-03 or 2026"}) from None


def _bounds(text: str) -> tuple[str, str]:
    """The first and last day of a day, a month or a year, as written."""
    text = text.strip()
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
        return text, text
    if re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])", text):
        year, month = map(int, text.split("-"))
        return f"{text}-01", f"{text}-{calendar.monthrange(year, month)[1]:02d}"
    if re.fullmatch(r"\d{4}", text):
        return f"{text}-01-01", f"{text}-12-31"
    raise ValueError(text)


def baseline(against: int | None, now: dt.datetime) -> tuple[str, Pact]:
    """The version to compare with: the one numbered `against`, or the one in force."""
    version = PactVersion.objects.filter(version=against).first() if against else version_in_force(now)
    if version is None:
        raise NotFound(f"there is no pact version {against}")
    return f"version {version.version}", pact_of(version)


def backtest(proposed: tuple[str, Pact], against: tuple[str, Pact], filters: Filters,
             progress: Callable[[str, int, int], None] = lambda step, done, total: None) -> Report:
    """Replay the leads that arrived in the period under both pacts; `progress(step, done, total)` follows it."""
    leads = list(past_leads(arrived(filters)))
    zone, done = report_zone(), [0]

    def advance(n: int) -> None:
        done[0] += n
        progress("replaying", done[0], 2 * len(leads))

    old = judge(against[0], against[1], leads, zone, advance, until=filters.end)
    new = judge(proposed[0], proposed[1], leads, zone, advance, until=filters.end)
    recorded = sum(1 for lead in leads if lead.mql_at and filters.start <= lead.mql_at < filters.end)
    return Report("backtest", f"Backtest: {new.label} against {old.label}", filters, [
        _summary(old, new, leads, recorded), _months(old, new, leads, zone), _teams(old, new, filters),
        _changed(old, new, leads)],
        [f"{len(leads):,} leads that arrived in the period, replayed with their signals under both pacts, with their "
         "fields as they are now. Acceptance is what sales answered to those of them it was handed; won deals are "
         "the ones recorded."])


def arrived(filters: Filters) -> QuerySet[Lead]:
    """The leads that arrived in the period (of a lead type, source, campaign when filtered)."""
    return Lead.objects.filter(lead_filters(filters), created_at__gte=filters.start, created_at__lt=filters.end)


def past_leads(qs: QuerySet[Lead]) -> Iterator[PastLead]:
    """Each lead with what the history says of it, read in chunks."""
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values("pk", "created_at", "custom", *CONTACT_COLUMNS)
                    [:CHUNK])
        if not rows:
            return
        ids, last = [row["pk"] for row in rows], rows[-1]["pk"]
        signals: dict[int, list[tuple[str, dt.datetime]]] = {}
        for lead_id, name, at in Signal.objects.filter(lead_id__in=ids).order_by("lead_id", "at").values_list(
                "lead_id", "name", "at"):
            signals.setdefault(lead_id, []).append((name, at))
        rounds = {lead: (mql_at, accepted, rejected) for lead, mql_at, accepted, rejected in Round.objects.filter(
            lead_id__in=ids, number=1).values_list("lead_id", "mql_at", "accepted_at", "rejected_at")}
        won = dict(Round.objects.filter(lead_id__in=ids, won_at__isnull=False)
                   .values("lead_id").annotate(at=Min("won_at")).values_list("lead_id", "at"))
        for row in rows:
            pk, created = row.pop("pk"), row.pop("created_at")
            fields = {k: v for k, v in row.items() if v not in (None, "")}
            mql_at, accepted, rejected = rounds.get(pk, (None, None, None))
            yield PastLead(pk, fields, created, tuple(signals.get(pk, ())), mql_at,
                           True if accepted else False if rejected else None, won.get(pk))


def _summary(old: Outcome, new: Outcome, leads: list[PastLead], recorded: int) -> Table:
    won = sum(1 for lead in leads if lead.won_at)
    rows = [
        {"measure": "MQLs", "recorded": recorded, "baseline": len(old.mqls), "proposed": len(new.mqls)},
        {"measure": "expected acceptance (what sales answered to these leads)", "kind": "share",
         "baseline": old.expected_acceptance, "proposed": new.expected_acceptance},
        {"measure": "MQLs with no recorded answer from sales", "baseline": old.unanswered, "proposed": new.unanswered},
        {"measure": f"won deals qualified in time (of {won})", "recorded": won, "baseline": old.won_qualified,
         "proposed": new.won_qualified},
        {"measure": "share of won deals qualified", "kind": "share", "baseline": share(old.won_qualified, won),
         "proposed": share(new.won_qualified, won)},
        {"measure": "median days earlier than recorded, for won deals", "kind": "days",
         "baseline": old.median_days_earlier, "proposed": new.median_days_earlier},
    ]
    return Table("summary", "Side by side", [Column("measure", "", "text"), Column("recorded", "recorded"),
                                             Column("baseline", old.label), Column("proposed", new.label)], rows)


def _months(old: Outcome, new: Outcome, leads: list[PastLead], zone) -> Table:
    recorded = {}
    for lead in leads:
        if lead.mql_at:
            month = lead.mql_at.astimezone(zone).strftime("%Y-%m")
            recorded[month] = recorded.get(month, 0) + 1
    months = sorted(set(old.mqls_by_month) | set(new.mqls_by_month) | set(recorded))
    return Table("months", "MQLs per month", [Column("month", "month", "text"), Column("recorded", "recorded"),
                                              Column("baseline", old.label), Column("proposed", new.label)],
                 [{"month": m, "recorded": recorded.get(m, 0), "baseline": old.mqls_by_month[m],
                   "proposed": new.mqls_by_month[m]} for m in months], chart="proposed")


def _teams(old: Outcome, new: Outcome, filters: Filters) -> Table:
    weeks = max((filters.until - filters.since).days + 1, 1) / 7
    teams = sorted(set(old.by_team) | set(new.by_team))
    return Table("teams", "SLA load: MQLs each team must answer per week", [
        Column("team", "team", "text"), Column("baseline", old.label, "number"),
        Column("proposed", new.label, "number"), Column("change", "change", "share")],
        [{"team": t, "baseline": old.by_team[t] / weeks, "proposed": new.by_team[t] / weeks,
          "change": (new.by_team[t] - old.by_team[t]) / old.by_team[t] if old.by_team[t] else None} for t in teams],
        chart="proposed")


def _changed(old: Outcome, new: Outcome, leads: list[PastLead]) -> Table:
    by_id = {lead.lead_id: lead for lead in leads}
    rows = []
    for label, ids in ((f"dropped: MQLs under {old.label} only", old.mqls - new.mqls),
                       (f"added: MQLs under {new.label} only", new.mqls - old.mqls)):
        group = [by_id[pk] for pk in ids]
        rows.append({"change": label, "leads": len(group), "accepted": sum(1 for g in group if g.accepted),
                     "rejected": sum(1 for g in group if g.accepted is False),
                     "won": sum(1 for g in group if g.won_at)})
    return Table("changes", "Leads the change would drop or add, and what became of them", [
        Column("change", "", "text"), Column("leads", "leads"), Column("accepted", "accepted by sales"),
        Column("rejected", "rejected by sales"), Column("won", "won")], rows)
