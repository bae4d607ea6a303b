"""Marketing's view: what was handed to sales and what became of it, the recycled pool, returning leads, commitments."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact import clock
from leadpact.insights import selectors
from leadpact.insights.commitments import current_figures
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
        commitments = current_figures(pact, now)
    except NoPactInForce:
        commitments = []
    handoff = selectors.handoff_figures(since, now)
    return render(request, "web/marketing.html", {
        "days": days, "periods": PERIODS, "since": since, "now": now, "handoff": handoff,
        "recycled": selectors.recycled_figures(since, now), "commitments": commitments,
        "rejected_chart": bars(handoff["rejected_by_reason"]),
        "source_chart": bars([(s, c["accept"]) for s, c in handoff["by_source"]]),
    })


def bars(items: list[tuple[str, float]], width: int = 420, row: int = 26, shown: Callable[[float], str] = str) -> dict:
    """A horizontal bar chart as numbers for an SVG: each bar's label, value as shown, y and length."""
    top = max((value for _, value in items), default=0) or 1
    drawn = [{"label": label or "(none)", "value": shown(value), "y": i * row,
              "length": max(round(value / top * (width - 190)), 0)} for i, (label, value) in enumerate(items[:12])]
    return {"bars": drawn, "height": max(len(drawn), 1) * row, "width": width}
