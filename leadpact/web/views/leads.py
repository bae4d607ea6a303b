"""All leads a person may see, and one lead's page: who, the score's reasons, clocks, the follow-up plan, history."""

from __future__ import annotations

import logging

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from leadpact import clock
from leadpact.accounts.permissions import actor_for
from leadpact.core.errors import NotAllowed, NotFound
from leadpact.core.lifecycle import STAGES, Stage
from leadpact.handoff import selectors as handoff
from leadpact.handoff.services import check_may_act
from leadpact.insights.advice import advice_for
from leadpact.leads import selectors
from leadpact.pact.selectors import NoPactInForce, pact_in_force, version_in_force
from leadpact.web.views.common import ADMIN, MANAGER, MARKETING, SALES, roles
from leadpact.web.views.context import action_choices

log = logging.getLogger(__name__)


@roles(*SALES, MARKETING)
def lead_list(request: HttpRequest) -> HttpResponse:
    """Every lead the person may see, newest activity first, by stage and searchable."""
    now = clock.now()
    stage, query = request.GET.get("stage") or None, request.GET.get("q") or None
    leads = selectors.lead_list(stage, query, user=request.user, now=now)
    page = Paginator(leads, 50).get_page(request.GET.get("page"))
    counts = selectors.stage_counts(user=request.user, now=now)
    try:
        version = version_in_force(now)
    except NoPactInForce:
        version = None
    return render(request, "web/leads.html", {
        "page": page, "stage": stage, "q": query or "", "version": version,
        "stages": [(s.value, STAGES[s].label, STAGES[s].colour, counts.get(s.value, 0)) for s in Stage],
    })


@roles(*SALES, MARKETING)
def lead_page(request: HttpRequest, lead_id: int) -> HttpResponse:
    now = clock.now()
    try:
        lead = selectors.lead_get(lead_id, user=request.user, now=now)
    except NotFound:
        raise Http404("no such lead, or not one of yours") from None
    return render(request, "web/lead.html", {
        "lead": lead, "engagement": selectors.lead_engagement(lead, now), "reasons": selectors.lead_reasons(lead, now),
        "history": selectors.lead_history(lead), "stage": STAGES[Stage(lead.stage)], "now": now,
        "clocks": handoff.lead_clocks(lead, now), "plan": handoff.cadence_plan(lead, now),
        "attempts": handoff.lead_attempts(lead), "rounds": handoff.previous_rounds(lead),
        "may_act": _may_act(request, lead, now), "is_manager": request.user.role in (MANAGER, ADMIN),
        "row": handoff.inbox_row(lead, now), "advice": _advice(lead), **action_choices(now),
    })


def _advice(lead):
    """The predictive score is advice: a model that cannot be read leaves the page as it is, and the log says why."""
    try:
        return advice_for(lead)
    except Exception:  # noqa: BLE001
        log.exception("advice for lead %s", lead.pk)
        return None


def _may_act(request: HttpRequest, lead, now) -> bool:
    if request.user.role == MARKETING:
        return False
    try:
        _, pact = pact_in_force(now)
        check_may_act(actor_for(request.user), lead, pact)
    except (NotAllowed, NoPactInForce):
        return False
    return True
