"""Figures for the marketing page, read from the history: what marketing handed over, what sales did with it."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

from django.db.models import Count

from leadpact.core.lifecycle import Stage
from leadpact.leads.models import Lead, LeadEvent


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
