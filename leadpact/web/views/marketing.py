"""Marketing's view: what was handed to sales and what became of it, the recycled pool, returning leads, commitments."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact import clock
from leadpact.insights import selectors
from leadpact.pact.selectors import NoPactInForce, pact_in_force
from leadpact.web.views.common import ADMIN, MARKETING, roles

PERIODS = {"7": "last 7 days", "30": "last 30 days", "91": "last quarter"}


@roles(MARKETING, ADMIN)
def marketing(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    days = request.GET.get("days") if request.GET.get("days") in PERIODS else "30"
    since = now - dt.timedelta(days=int(days))
    try:
        _, pact = pact_in_force(now)
        commitments = selectors.commitment_figures(pact, now)
    except NoPactInForce:
        commitments = []
    handoff = selectors.handoff_figures(since, now)
    return render(request, "web/marketing.html", {
        "days": days, "periods": PERIODS, "since": since, "now": now, "handoff": handoff,
        "recycled": selectors.recycled_figures(since, now), "commitments": commitments,
        "rejected_chart": _bars(handoff["rejected_by_reason"]),
        "source_chart": _bars([(s, c["accept"]) for s, c in handoff["by_source"]]),
    })


def _bars(items: list[tuple[str, int]], width: int = 320, row: int = 26) -> dict:
    """A horizontal bar chart as numbers for an SVG: each bar's label, value, y and length."""
    top = max((value for _, value in items), default=0) or 1
    bars = [{"label": label or "(none)", "value": value, "y": i * row, "length": round(value / top * (width - 150))}
            for i, (label, value) in enumerate(items[:12])]
    return {"bars": bars, "height": max(len(bars), 1) * row, "width": width}
