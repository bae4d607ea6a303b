"""What each side promised in the pact against what happened, period by period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Avg, Count

from leadpact.core.pact import Commitment, Pact
from leadpact.insights.filters import Filters, end_of
from leadpact.insights.query import due_by, in_time, judged_clocks, reached, rounds
from leadpact.insights.reports import Column, Report, Table, report, say, share
from leadpact.leads.rounds import report_zone
from leadpact.pact.selectors import pact_in_force

METRIC_LABELS = {
    "mql_count": "MQLs", "acceptance_rate": "MQLs accepted by sales", "sql_count": "opportunities (SQL)",
    "won_count": "deals won", "response_within_sla": "leads answered within the response SLA",
    "attempts_before_recycle": "attempts before a lead is handed back for no response",
    "acceptance_within_window": "leads accepted or rejected within the window",
    "conversion_rate": "accepted leads converted",
}


def metric(name: str, filters: Filters) -> float | None:
    """The value of a commitment metric over the filters' period, as it stood at its end (`filters.end`)."""
    if name in ("response_within_sla", "acceptance_within_window"):
        kind = "response" if name == "response_within_sla" else "accept"
        judged = judged_clocks(filters, kind).aggregate(
            due=Count("pk", filter=due_by(kind, filters.end)), met=Count("pk", filter=in_time(kind, filters.end)))
        return share(judged["met"], judged["due"])
    counted = {"mql_count": "mql_at", "sql_count": "converted_at", "won_count": "won_at"}
    if name in counted:
        return float(rounds(filters, cohort=counted[name]).count())
    if name == "acceptance_rate":
        decided = rounds(filters, cohort="assigned_at").aggregate(
            yes=reached("accepted_at", filters), no=reached("rejected_at", filters))
        return share(decided["yes"], decided["yes"] + decided["no"])
    if name == "conversion_rate":
        accepted = rounds(filters, cohort="accepted_at").aggregate(n=Count("pk"), yes=reached("converted_at", filters))
        return share(accepted["yes"], accepted["n"])
    if name == "attempts_before_recycle":
        back = rounds(filters, cohort="recycled_at").filter(outcome="recycled", outcome_reason="no_response")
        return back.aggregate(mean=Avg("attempts"))["mean"]
    raise ValueError(f"unknown commitment metric {name!r}")


@dataclass
class CommitmentFigure:
    commitment: Commitment
    actual: float | None
    since: dt.date
    until: dt.date

    @property
    def label(self) -> str:
        return METRIC_LABELS.get(self.commitment.metric, self.commitment.metric)

    @property
    def met(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.commitment.at_least


def periods(per: str, since: dt.date, until: dt.date) -> list[tuple[dt.date, dt.date]]:
    """The calendar weeks (Monday first), months or quarters that overlap since..until: (first day, last day)."""
    months = {"week": 0, "month": 1, "quarter": 3}[per]
    start = since - dt.timedelta(days=since.weekday()) if per == "week" else since.replace(
        day=1, month=(since.month - 1) // months * months + 1)
    out = []
    while start <= until:
        month = start.month - 1 + months
        after = start + dt.timedelta(days=7) if per == "week" else dt.date(start.year + month // 12, month % 12 + 1, 1)
        out.append((start, after - dt.timedelta(days=1)))
        start = after
    return out


def commitment_figures(pact: Pact, filters: Filters, now: dt.datetime) -> list[CommitmentFigure]:
    """Each commitment against its value in each of its periods within the filters' period, oldest first; a period
    still running is read as it stands at `now` (or at the filters' `as_of`)."""
    out = []
    for c in pact.commitments:
        for first, last in periods(c.per, filters.since, filters.until):
            since, until = max(first, filters.since), min(last, filters.until)
            end = min(end_of(until), filters.as_of or now, now)
            out.append(CommitmentFigure(c, metric(c.metric, replace(filters, since=since, until=until, as_of=end)),
                                        since, until))
    return out


def current_figures(pact: Pact, now: dt.datetime) -> list[CommitmentFigure]:
    """Each commitment in the week, month or quarter running now, so far."""
    today = now.astimezone(report_zone()).date()
    out = []
    for c in pact.commitments:
        [(first, _)] = periods(c.per, today, today)
        out += commitment_figures(replace(pact, commitments=(c,)), Filters(first, today), now)
    return out


@report("commitments", "Commitments: what each side promised, against what happened")
def commitments(filters: Filters, now: dt.datetime) -> Report:
    _, pact = pact_in_force(filters.as_of or now)
    figures = commitment_figures(pact, filters, now)
    rows = [{"side": f.commitment.side, "metric": f.commitment.metric, "promise": f.label,
             "period": f"{f.since}…{f.until}", "target": f.commitment.at_least, "actual": f.actual,
             "met": None if f.met is None else ("met" if f.met else "missed"),
             "shown": f"{say(f.actual, 'share' if f.commitment.is_share else 'number')} of "
                      f"{say(f.commitment.at_least, 'share' if f.commitment.is_share else 'number')}"}
            for f in figures]
    kept = sum(1 for f in figures if f.met)
    judged = sum(1 for f in figures if f.met is not None)
    return Report("commitments", "Commitments", filters, [Table("commitments", "Promises per period", [
        Column("side", "side", "text"), Column("promise", "promise", "text"), Column("period", "period", "text"),
        Column("shown", "actual of target", "text"), Column("met", "", "text")], rows)],
        [f"{kept} of {judged} promise-periods kept." if judged else "No period has figures yet.",
         "A period still running is judged on what has happened so far."])
