"""HTTP endpoints of the outbox for admins: what waits, what was given up on (with its error), retry by hand."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema

from leadpact import clock
from leadpact.accounts.models import RoleChoices
from leadpact.accounts.permissions import require_role
from leadpact.notify.models import Message
from leadpact.notify.services import message_retry

router = Router(tags=["outbox"])
ADMINS = (RoleChoices.ADMIN,)


class MessageOut(Schema):
    id: int
    delivery_id: str
    channel: str
    event: str
    lead_id: int | None
    recipient: str = Field(..., description="The email address, or the endpoint's URL.")
    subject: str
    status: str = Field(..., description="pending, sent or dead")
    tries: int
    next_try_at: dt.datetime | None
    last_error: str
    created_at: dt.datetime
    sent_at: dt.datetime | None


def _out(m: Message) -> dict:
    return {"id": m.pk, "delivery_id": str(m.delivery_id), "channel": m.channel, "event": m.event,
            "lead_id": m.lead_id, "recipient": m.recipient or (m.endpoint.url if m.endpoint else ""),
            "subject": m.subject, "status": m.status, "tries": m.tries, "next_try_at": m.next_try_at,
            "last_error": m.last_error, "created_at": m.created_at, "sent_at": m.sent_at}


@router.get("", response={200: list[MessageOut], 403: dict}, summary="Outbox messages (admins)")
def outbox(request: HttpRequest, status: str = "dead", limit: int = 100):
    """`status`: pending, sent or dead (default: the dead letters, with their last error)."""
    require_role(request.user, ADMINS, "read the outbox")
    messages = Message.objects.filter(status=status).select_related("endpoint").order_by("-created_at")
    return [_out(m) for m in messages[: max(1, min(limit, 1000))]]


@router.post("/{message_id}/retry", response={200: MessageOut, 403: dict, 404: dict},
             summary="Send a dead-lettered message again (admins)")
def retry(request: HttpRequest, message_id: int):
    require_role(request.user, ADMINS, "retry notifications")
    return _out(message_retry(message_id, clock.now()))
