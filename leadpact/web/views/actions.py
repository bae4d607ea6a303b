"""One short form per action on a lead (accept, reject, attempt, hand back, convert, close, reassign), from the inbox,
the board or the lead page. With the page's script each answers with the lead's updated row; without, a redirect."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.views.decorators.http import require_POST

from leadpact import clock
from leadpact.accounts.permissions import actor_for
from leadpact.core.lifecycle import WORKLOAD
from leadpact.handoff import selectors, services
from leadpact.leads.selectors import lead_get
from leadpact.web.views.common import SALES, act, roles
from leadpact.web.views.context import action_choices


def _row(request: HttpRequest, lead_id: int) -> str:
    """The lead's inbox row as it stands now, or a line saying where it went."""
    now = clock.now()
    lead = lead_get(lead_id)
    if lead.stage not in WORKLOAD or lead.owner_id != request.user.pk:
        return render_to_string("web/_row_gone.html", {"lead": lead}, request=request)
    return render_to_string("web/_row.html", {"row": selectors.inbox_row(lead, now), **action_choices(now)},
                            request=request)


def _run(request: HttpRequest, lead_id: int, action, done: str) -> HttpResponse:
    return act(request, action, done, f"/leads/{lead_id}", fragment=lambda: _row(request, lead_id))


@require_POST
@roles(*SALES)
def accept(request: HttpRequest, lead_id: int) -> HttpResponse:
    return _run(request, lead_id, lambda: services.lead_accept(
        lead_id, actor=actor_for(request.user), now=clock.now()), "Accepted.")


@require_POST
@roles(*SALES)
def reject(request: HttpRequest, lead_id: int) -> HttpResponse:
    post = request.POST
    return _run(request, lead_id, lambda: services.lead_reject(
        lead_id, post.get("reason", ""), post.get("note", ""), actor=actor_for(request.user), now=clock.now()),
        "Rejected: back with marketing.")


@require_POST
@roles(*SALES)
def attempt(request: HttpRequest, lead_id: int) -> HttpResponse:
    post = request.POST
    return _run(request, lead_id, lambda: services.attempt_log(
        lead_id, post.get("channel", ""), post.get("outcome", ""), post.get("note", ""),
        actor=actor_for(request.user), now=clock.now()), "Attempt logged.")


@require_POST
@roles(*SALES)
def recycle(request: HttpRequest, lead_id: int) -> HttpResponse:
    post = request.POST
    return _run(request, lead_id, lambda: services.lead_recycle(
        lead_id, post.get("reason", ""), post.get("note", ""), actor=actor_for(request.user), now=clock.now(),
        override_reason=post.get("override", "")), "Handed back to marketing.")


@require_POST
@roles(*SALES)
def close(request: HttpRequest, lead_id: int) -> HttpResponse:
    post = request.POST
    transition = post.get("transition", "")
    return _run(request, lead_id, lambda: services.lead_close(
        lead_id, transition, post.get("reason", ""), post.get("note", ""), actor=actor_for(request.user),
        now=clock.now()), {"convert": "Converted to an opportunity.", "win": "Won.", "lose": "Lost.",
                           "disqualify": "Disqualified."}.get(transition, "Done."))


@require_POST
@roles(*SALES)
def reassign(request: HttpRequest, lead_id: int) -> HttpResponse:
    post = request.POST
    return act(request, lambda: services.lead_assign_to(
        lead_id, post.get("owner", ""), post.get("reason", ""), actor=actor_for(request.user), now=clock.now()),
        f"Given to {post.get('owner', '')}.", "/board")
