"""The slices reports read: rounds and clocks narrowed by the filters, and the database arithmetic they need."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from collections.abc import Iterable, Sequence

import numpy as np
from django.db.models import Count, F, FloatField, Func, Q, QuerySet

from leadpact.insights.filters import Filters
from leadpact.leads.models import Lead, Round
from leadpact.sla.models import Clock, StopReason

# What a report can be broken down by: name -> the column of the rounds table.
DIMENSIONS = {"month": "mql_day", "source": "source", "campaign": "campaign", "lead_type": "lead_type",
              "team": "team", "owner": "owner__email", "pact_version": "pact_version__version"}


def lead_filters(filters: Filters, prefix: str = "") -> Q:
    q = Q()
    for name in ("source", "campaign", "lead_type"):
        if getattr(filters, name):
            q &= Q(**{f"{prefix}{name}": getattr(filters, name)})
    return q


def _holder_filters(filters: Filters) -> Q:
    q = Q(**{"team": filters.team} if filters.team else {})
    if filters.owner:
        q &= Q(owner__email=filters.owner)
    return q & filters.scope if filters.scope is not None else q


def rounds(filters: Filters, cohort: str = "mql_at") -> QuerySet[Round]:
    """The rounds whose `cohort` instant (when they became MQLs, or were handed back, ...) falls in the period."""
    qs = Round.objects.filter(lead_filters(filters) & _holder_filters(filters))
    if cohort == "mql_at":  # the day column is indexed and already in the reporting time zone
        qs = qs.filter(mql_day__gte=filters.since, mql_day__lte=filters.until)
        if filters.as_of:
            qs = qs.filter(mql_at__lt=filters.as_of)
    else:
        qs = qs.filter(**{f"{cohort}__gte": filters.start, f"{cohort}__lt": filters.end})
    if filters.pact_version:
        qs = qs.filter(pact_version__version=filters.pact_version)
    return qs


def clocks(filters: Filters, kind: str) -> QuerySet[Clock]:
    """The clocks of one kind started in the period (a clock knows the lead type it was computed for)."""
    by_lead = lead_filters(replace(filters, lead_type=""), "lead__")
    qs = Clock.objects.filter(by_lead & _holder_filters(filters), kind=kind,
                              started_at__gte=filters.start, started_at__lt=filters.end)
    if filters.lead_type:
        qs = qs.filter(lead_type=filters.lead_type)
    return qs.filter(pact_version__version=filters.pact_version) if filters.pact_version else qs


# An SLA is judged on the clocks that ran to an answer or to their deadline. A clock stopped before its deadline for
# another reason (the lead was reassigned, left the stage or, for the response, was rejected) is not judged; one
# stopped after its deadline had been missed.
ANSWERS = {"response": (StopReason.ATTEMPTED,), "accept": (StopReason.ACCEPTED, StopReason.REJECTED)}


def judged_clocks(filters: Filters, kind: str) -> QuerySet[Clock]:
    ended_early = Q(stopped_at__lt=F("due_at")) & ~Q(stop_reason__in=[*ANSWERS[kind], StopReason.EXPIRED])
    return clocks(filters, kind).exclude(ended_early)


def answered(kind: str, at: dt.datetime) -> Q:
    return Q(stop_reason__in=ANSWERS[kind], stopped_at__lte=at)


def due_by(kind: str, at: dt.datetime) -> Q:
    """Answered, or past its deadline: the clocks the SLA can be judged on at `at`."""
    return answered(kind, at) | Q(due_at__lte=at)


def in_time(kind: str, at: dt.datetime) -> Q:
    return answered(kind, at) & Q(stopped_at__lte=F("due_at"))


def inquiries(filters: Filters, months: Iterable[str]) -> dict[str, int] | None:
    """Leads created per month (None when the filters are about who holds leads, which inquiries do not have)."""
    if filters.team or filters.owner or filters.scope is not None or filters.pact_version:
        return None
    from leadpact.insights.filters import start_of

    leads = Lead.objects.filter(lead_filters(filters))
    out = {}
    for month in months:
        first = dt.date.fromisoformat(month + "-01")
        after = (first + dt.timedelta(days=32)).replace(day=1)
        since, until = max(first, filters.since), min(after - dt.timedelta(days=1), filters.until)
        end = min(start_of(until + dt.timedelta(days=1)), filters.as_of or filters.end)
        out[month] = leads.filter(created_at__gte=start_of(since), created_at__lt=end).count()
    return out


class Seconds(Func):
    """Seconds from one instant to another, in the database."""

    output_field = FloatField()

    def __init__(self, start: str, end: str):
        super().__init__(F(start), F(end))

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="(julianday(%(expressions)s)) * 86400.0",
                           arg_joiner=") - julianday(", **extra)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(compiler, connection, template="EXTRACT(EPOCH FROM (%(expressions)s))",
                           arg_joiner=" - ", **extra)


def reached(column: str, filters: Filters) -> Count:
    """Count the rows that have `column` set (by the end of the period when reading the history as of a day)."""
    q = Q(**{f"{column}__isnull": False})
    return Count("pk", filter=q & Q(**{f"{column}__lt": filters.as_of}) if filters.as_of else q)


def spans(qs: QuerySet, start: str, end: str, filters: Filters) -> np.ndarray:
    """The seconds from `start` to `end` of each row that has both (as of the filters' day)."""
    qs = qs.filter(**{f"{end}__isnull": False, f"{start}__isnull": False})
    if filters.as_of:
        qs = qs.filter(**{f"{end}__lt": filters.as_of})
    return np.fromiter(qs.annotate(s=Seconds(end, start)).values_list("s", flat=True), dtype=float)


def quantiles(values: Sequence[float] | np.ndarray, scale: float = 1.0) -> dict[str, float | None]:
    """n, median, 90th percentile and mean, divided by `scale` (86400 for days)."""
    values = np.asarray(values, dtype=float)
    if not len(values):
        return {"n": 0, "median": None, "p90": None, "mean": None}
    median, p90 = np.percentile(values, [50, 90])
    return {"n": int(len(values)), "median": float(median / scale), "p90": float(p90 / scale),
            "mean": float(values.mean() / scale)}
