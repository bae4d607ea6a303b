"""Admin: people and roles, teams and calendars (from the pact), out-of-office, notification channels, dead letters."""

from __future__ import annotations

import datetime as dt
import zoneinfo

from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_POST

from leadpact import clock
from leadpact.accounts.models import RoleChoices, User
from leadpact.accounts.permissions import actor_for
from leadpact.accounts.services import user_create, user_update
from leadpact.core.errors import FieldErrors
from leadpact.handoff.selectors import out_of_office_now
from leadpact.handoff.services import out_of_office_set
from leadpact.notify.events import EVENT_NAMES
from leadpact.notify.models import Endpoint, Message, MessageStatus
from leadpact.notify.services import endpoint_add, message_retry
from leadpact.pact.selectors import NoPactInForce, pact_in_force
from leadpact.web.views.agreement import hours_text
from leadpact.web.views.common import ADMIN, act, roles


@roles(ADMIN)
def admin_home(request: HttpRequest) -> HttpResponse:
    now = clock.now()
    try:
        _, pact = pact_in_force(now)
    except NoPactInForce:
        pact = None
    return render(request, "web/admin.html", {
        "people": User.objects.order_by("role", "email"), "roles": RoleChoices.choices, "pact": pact,
        "calendars": {name: hours_text(c) for name, c in pact.calendars.items()} if pact else {},
        "away": out_of_office_now(now), "endpoints": Endpoint.objects.order_by("pk"), "events": EVENT_NAMES,
        "dead": Message.objects.filter(status=MessageStatus.DEAD).select_related("endpoint").order_by("-created_at")[:100],
        "pending": Message.objects.filter(status=MessageStatus.PENDING).count(),
    })


@require_POST
@roles(ADMIN)
def person_add(request: HttpRequest) -> HttpResponse:
    post = request.POST
    return act(request, lambda: user_create(post.get("email", ""), post.get("role", ""), post.get("password") or None,
                                            post.get("name", "")),
               f"{post.get('email', '')} can sign in now.", "/admin")


@require_POST
@roles(ADMIN)
def person_change(request: HttpRequest, user_id: int) -> HttpResponse:
    post = request.POST
    active = {"on": True, "off": False}.get(post.get("active", ""))
    return act(request, lambda: user_update(user_id, role=post.get("role") or None, active=active), "Saved.",
               "/admin")


@require_POST
@roles(ADMIN)
def away_add(request: HttpRequest) -> HttpResponse:
    post = request.POST

    def set_away() -> None:
        zone = zoneinfo.ZoneInfo(request.user.timezone or "UTC")  # the form's times are the admin's local times
        try:
            starts, ends = (dt.datetime.fromisoformat(post.get(k, "")).replace(tzinfo=zone)
                            for k in ("starts_at", "ends_at"))
        except ValueError:
            raise FieldErrors({"starts_at": "give both times, like 2026-12-21T09:00"}) from None
        out_of_office_set(post.get("email", ""), starts, ends, post.get("note", ""), actor=actor_for(request.user),
                          now=clock.now())

    return act(request, set_away, f"{post.get('email', '')} is away then.", "/admin")


@require_POST
@roles(ADMIN)
def channel_add(request: HttpRequest) -> HttpResponse:
    post = request.POST

    def connect() -> None:
        try:
            endpoint_add(post.get("kind", ""), post.get("url", ""), post.get("name", ""), post.get("team", ""),
                         post.getlist("events"), now=clock.now())
        except ValidationError as err:
            raise FieldErrors({k: " ".join(v) for k, v in err.message_dict.items()}) from None

    return act(request, connect, "Connected.", "/admin")


@require_POST
@roles(ADMIN)
def channel_off(request: HttpRequest, endpoint_id: int) -> HttpResponse:
    return act(request, lambda: Endpoint.objects.filter(pk=endpoint_id).update(active=False), "Switched off.",
               "/admin")


@require_POST
@roles(ADMIN)
def message_resend(request: HttpRequest, message_id: int) -> HttpResponse:
    return act(request, lambda: message_retry(message_id, clock.now()), "Back in the outbox.", "/admin")
