"""Pages. They read through selectors and hold no rules."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact import clock
from leadpact.core.lifecycle import STAGES, Stage
from leadpact.leads import selectors
from leadpact.pact.selectors import NoPactInForce, version_in_force


@login_required
def home(request: HttpRequest) -> HttpResponse:
    """All leads, newest activity first, filterable by stage and searchable."""
    stage, query = request.GET.get("stage") or None, request.GET.get("q") or None
    page = Paginator(selectors.lead_list(stage, query), 50).get_page(request.GET.get("page"))
    counts = selectors.stage_counts()
    try:
        version = version_in_force(clock.now())
    except NoPactInForce:
        version = None
    return render(request, "web/home.html", {
        "page": page, "stage": stage, "q": query or "", "version": version,
        "stages": [(s.value, STAGES[s].label, STAGES[s].colour, counts.get(s.value, 0)) for s in Stage],
    })


@login_required
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    try:
        lead = selectors.lead_get(lead_id)
    except LookupError:
        raise Http404("no such lead") from None
    now = clock.now()
    return render(request, "web/lead.html", {
        "lead": lead, "engagement": selectors.lead_engagement(lead, now), "reasons": selectors.lead_reasons(lead, now),
        "history": selectors.lead_history(lead), "stage": STAGES[Stage(lead.stage)],
    })
