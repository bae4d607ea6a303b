"""The rep's inbox: leads waiting for acceptance, then leads by next due step, each with its clocks counting down."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from leadpact import clock
from leadpact.handoff import selectors
from leadpact.web.views.common import ADMIN, MANAGER, MARKETING, SALES, roles
from leadpact.web.views.context import action_choices

HOMES = {MANAGER: "web:board", MARKETING: "web:marketing", ADMIN: "web:leads"}


@roles(*SALES, MARKETING)
def home(request: HttpRequest) -> HttpResponse:
    """Each person's home: a rep's inbox, a manager's board, marketing's view, an admin's list of leads."""
    return redirect(HOMES.get(request.user.role, "web:inbox"))


@roles(*SALES)
def inbox(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    waiting, working = selectors.inbox(request.user, now)
    return render(request, "web/inbox.html", {"waiting": waiting, "working": working, "now": now,
                                              **action_choices(now)})
