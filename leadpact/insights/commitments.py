"""What each side promised in the pact against what happened, period by period."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, replace

from django.db.models import Avg, Count, F, Q

from leadpact.core.pact import Commitment, Pact
from leadpact.insights.filters import Filters
from leadpact.insights.query import clocks, rounds
from leadpact.leads.rounds import report_zone
from leadpact.insights.reports import Column, Report, Table, report, say
from leadpact.pact.selectors import pact_in_force
from leadpact.sla.models import StopReason

METRIC_LABELS = {
    "mql_count": "MQLs", "acceptance_rate": "MQLs accepted by sales", "sql_count": "opportunities (SQL)",
    "won_count": "deals won", "response_within_sla": "leads answered within the response SLA",
    "attempts_before_recycle": "attempts before a lead is handed back for no response",
    "acceptance_within_window": "leads accepted or rejected within the window",
    "conversion_rate": "accepted leads converted",
}


def metric(name: str, filters: Filters) -> float | None:
    """The value of a commitment metric over the filters' period."""
    if name in ("response_within_sla", "acceptance_within_window"):
        return _clocks_met("response" if name == "response_within_sla" else "accept", filters)
    counted = {"mql_count": "mql_at", "sql_count": "converted_at", "won_count": "won_at"}
    if name in counted:
        return float(rounds(filters, cohort=counted[name]).count())
    if name == "acceptance_rate":
        decided = rounds(filters, cohort="assigned_at").aggregate(
            yes=Count("pk", filter=Q(accepted_at__isnull=False)), no=Count("pk", filter=Q(rejected_at__isnull=False)))
        return decided["yes"] / (decided["yes"] + decided["no"]) if decided["yes"] + decided["no"] else None
    if name == "conversion_rate":
        accepted = rounds(filters, cohort="accepted_at")
        total = accepted.count()
        return accepted.filter(converted_at__isnull=False).count() / total if total else None
    if name == "attempts_before_recycle":
        back = rounds(filters, cohort="recycled_at").filter(outcome="recycled", outcome_reason="no_response")
        return back.aggregate(mean=Avg("attempts"))["mean"]
    raise ValueError(f"unknown commitment metric {name!r}")


def _clocks_met(kind: str, filters: Filters) -> float | None:
    at = filters.end
    counted = clocks(filters, kind).exclude(stop_reason__in=[StopReason.REASSIGNED, StopReason.REJECTED,
                                                             StopReason.STAGE_LEFT]).filter(
        Q(stopped_at__isnull=False, stopped_at__lte=at) | Q(due_at__lte=at))
    total = counted.count()
    met = counted.filter(stopped_at__lte=F("due_at")).exclude(stop_reason=StopReason.EXPIRED)
    return met.count() / total if total else None


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


def commitment_figures(pact: Pact, filters: Filters) -> list[CommitmentFigure]:
    """Each commitment against its value in each of its periods within the filters' period, oldest first."""
    out = []
    for c in pact.commitments:
        for first, last in periods(c.per, filters.since, filters.until):
            since, until = max(first, filters.since), min(last, filters.until)
            out.append(CommitmentFigure(c, metric(c.metric, replace(filters, since=since, until=until)), since, until))
    return out


def current_figures(pact: Pact, now: dt.datetime) -> list[CommitmentFigure]:
    """Each commitment in the week, month or quarter running now, so far."""
    today = now.astimezone(report_zone()).date()
    out = []
    for c in pact.commitments:
        [(first, _)] = periods(c.per, today, today)
        out += commitment_figures(replace(pact, commitments=(c,)), Filters(first, today))
    return out


@report("commitments", "Commitments: what each side promised, against what happened")
def commitments(filters: Filters, now: dt.datetime, by: str | None = None) -> Report:
    _, pact = pact_in_force(filters.as_of or now)
    figures = commitment_figures(pact, filters)
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
