"""Figures read from the append-only history: what marketing handed over, what sales did with it, the commitments."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F

from leadpact.core.lifecycle import Stage
from leadpact.core.pact import Commitment, Pact
from leadpact.leads.models import Lead, LeadEvent
from leadpact.sla.models import Clock

PERIOD_DAYS = {"week": 7, "month": 30, "quarter": 91}
METRIC_LABELS = {
    "mql_count": "MQLs", "acceptance_rate": "MQLs accepted by sales", "sql_count": "opportunities (SQL)",
    "won_count": "deals won", "response_within_sla": "leads answered within the response SLA",
    "attempts_before_recycle": "attempts before a lead is handed back for no response",
    "acceptance_within_window": "leads accepted or rejected within the window", "conversion_rate": "accepted leads converted",
}


def _moves(since: dt.datetime, until: dt.datetime, *names: str):
    return LeadEvent.objects.filter(kind="transition", transition__in=names, at__gte=since, at__lt=until)


def handoff_figures(since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """MQLs handed to sales in the period, how many were accepted or rejected (by reason and by source)."""
    moves = _moves(since, until, "assign", "accept", "reject")
    totals = Counter(dict(moves.values("transition").annotate(n=Count("lead", distinct=True))
                          .values_list("transition", "n")))
    by_source: dict[str, Counter] = {}
    for transition, source, n in (moves.filter(transition__in=["accept", "reject"]).values("transition", "lead__source")
                                  .annotate(n=Count("id")).values_list("transition", "lead__source", "n")):
        by_source.setdefault(source or "(none)", Counter())[transition] += n
    rejected = Counter(dict(moves.filter(transition="reject").values("reason").annotate(n=Count("id"))
                            .values_list("reason", "n")))
    return {"handed_over": totals["assign"], "accepted": totals["accept"], "rejected": totals["reject"],
            "rejected_by_reason": rejected.most_common(),
            "by_source": sorted(by_source.items(), key=lambda item: -sum(item[1].values()))}


def recycled_figures(since: dt.datetime, until: dt.datetime) -> dict[str, Any]:
    """The leads sales handed back (by reason), the pool waiting with marketing, and the ones that came back."""
    reasons = Counter(dict(_moves(since, until, "recycle").values("reason").annotate(n=Count("id"))
                           .values_list("reason", "n")))
    pool = Lead.objects.filter(stage=Stage.RECYCLED).order_by("-stage_changed_at")
    returning = Lead.objects.filter(is_returning=True).exclude(stage__in=[Stage.RECYCLED, Stage.NURTURING])
    return {"reasons": reasons.most_common(), "pool": pool, "pool_size": pool.count(),
            "returning": returning.order_by("-stage_changed_at"), "returning_size": returning.count()}


@dataclass
class CommitmentFigure:
    commitment: Commitment
    actual: float | None
    since: dt.datetime

    @property
    def label(self) -> str:
        return METRIC_LABELS.get(self.commitment.metric, self.commitment.metric)

    @property
    def met(self) -> bool | None:
        return None if self.actual is None else self.actual >= self.commitment.at_least


def commitment_figures(pact: Pact, now: dt.datetime) -> list[CommitmentFigure]:
    """Each commitment of the pact against its value over the last week, month or quarter up to `now`."""
    out = []
    for commitment in pact.commitments:
        since = now - dt.timedelta(days=PERIOD_DAYS[commitment.per])
        out.append(CommitmentFigure(commitment, _METRICS[commitment.metric](since, now), since))
    return out


def _count(*names: str):
    return lambda since, until: float(_moves(since, until, *names).values("lead").distinct().count())


def _share(part: str, *whole: str):
    def share(since: dt.datetime, until: dt.datetime) -> float | None:
        total = _moves(since, until, *whole).count()
        return _moves(since, until, part).count() / total if total else None
    return share


def _clocks_met(kind: str):
    def share(since: dt.datetime, until: dt.datetime) -> float | None:
        clocks = Clock.objects.filter(kind=kind, started_at__gte=since, started_at__lt=until).exclude(
            stop_reason__in=["reassigned", "rejected", "stage_left"])
        ended = clocks.filter(stopped_at__isnull=False) | clocks.filter(due_at__lte=until)
        total = ended.count()
        met = ended.filter(stopped_at__lte=F("due_at")).exclude(stop_reason="expired")
        return met.count() / total if total else None
    return share


def _attempts_before_recycle(since: dt.datetime, until: dt.datetime) -> float | None:
    """The attempts made in the round of each lead handed back for no response (each hand-back records them)."""
    counts = [n for n in _moves(since, until, "recycle").filter(reason="no_response")
              .values_list("data__attempts", flat=True) if n is not None]
    return sum(counts) / len(counts) if counts else None


_METRICS = {
    "mql_count": _count("qualify"), "sql_count": _count("convert"), "won_count": _count("win"),
    "acceptance_rate": _share("accept", "accept", "reject"), "conversion_rate": _share("convert", "accept"),
    "response_within_sla": _clocks_met("response"), "acceptance_within_window": _clocks_met("accept"),
    "attempts_before_recycle": _attempts_before_recycle,
}
