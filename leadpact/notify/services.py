"""The outbox: notifications are written in the transaction of the change that caused them and delivered after
commit by the worker, retried with backoff, and dead-lettered (visible, retryable) after the last try."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction

from leadpact.bulk import insert_rows
from leadpact.core.errors import LeadpactError, NotFound
from leadpact.notify import content
from leadpact.notify.channels import send
from leadpact.notify.events import event_name, event_payload
from leadpact.notify.models import ChannelChoices, Endpoint, Message, MessageStatus
from leadpact.pact.models import PactVersion

log = logging.getLogger(__name__)

MAX_TRIES = 8
LEASE = dt.timedelta(minutes=2)  # a worker sending a message holds it this long; if it dies, another one sends it
# Claimed at a time: even if each send took its whole 10-second timeout, the last is sent before the lease ends.
CLAIM = 10


def backoff(tries: int) -> dt.timedelta:
    """30 s after the first failure, doubling up to an hour: 8 tries span about two hours."""
    return dt.timedelta(seconds=min(30 * 2 ** (tries - 1), 3600))


def notify_people(notice: str, lead: Any, people: Iterable[Any], *, channels: Sequence[str], now: dt.datetime,
                  context: dict[str, Any] | None = None) -> list[Message]:
    """Queue a notice about a lead: an email to each person, a post to each chat endpoint of the lead's team, on the
    channels the pact names. Call it inside the transaction of the change it reports."""
    return Message.objects.bulk_create(notices(notice, lead, people, channels=channels, now=now, context=context))


def notices(notice: str, lead: Any, people: Iterable[Any], *, channels: Sequence[str], now: dt.datetime,
            context: dict[str, Any] | None = None, chat: list[Endpoint] | None = None) -> list[Message]:
    """The messages `notify_people` writes, unsaved, for callers that write many at once (`chat`: the active chat
    endpoints, when the caller fetched them already). An email keeps its context; its body is rendered when sent."""
    # What the notice says about people is fixed now; the rest of the lead is read when the email is written.
    context = {"owner": lead.owner.email if lead.owner_id else "nobody", **(context or {})}
    messages = []
    if ChannelChoices.EMAIL in channels:
        subject, _ = content.headline(notice, lead, context)
        for email in dict.fromkeys(_email_of(p) for p in people if p):
            messages.append(Message(channel=ChannelChoices.EMAIL, event=notice, lead=lead, recipient=email,
                                    subject=subject, payload={"context": context}, next_try_at=now, created_at=now))
    if ChannelChoices.CHAT in channels:
        targets = [e for e in (_endpoints(ChannelChoices.CHAT) if chat is None else chat) if e.wants(notice, lead.team)]
        if targets:
            body = content.render(notice, lead, context)
            messages += [Message(channel=ChannelChoices.CHAT, event=notice, lead=lead, endpoint=endpoint,
                                 subject=body.subject, payload=body.chat, next_try_at=now, created_at=now)
                         for endpoint in targets]
    return messages


def messages_add(messages: Sequence[Message]) -> None:
    """Write many outbox messages at once (the fast path of the worker's batches)."""
    insert_rows(Message, _MESSAGE_COLUMNS, [[getattr(m, name) for name in _MESSAGE_ATTNAMES] for m in messages])


_MESSAGE_COLUMNS = ("delivery_id", "channel", "event", "lead", "recipient", "endpoint", "subject", "text", "html",
                    "payload", "status", "tries", "next_try_at", "last_error", "created_at", "sent_at")
_MESSAGE_ATTNAMES = tuple(Message._meta.get_field(name).attname for name in _MESSAGE_COLUMNS)


def chat_endpoints() -> list[Endpoint]:
    return _endpoints(ChannelChoices.CHAT)


def _email_of(person: Any) -> str:
    return person if isinstance(person, str) else person.email


def _endpoints(kind: str) -> list[Endpoint]:
    return list(Endpoint.objects.filter(kind=kind, active=True))


def endpoint_add(kind: str, url: str, name: str = "", team: str = "", events: Sequence[str] = (), *,
                 now: dt.datetime) -> Endpoint:
    """Connect a chat or webhook endpoint; raise ValidationError naming the bad field (URL, event names)."""
    from urllib.parse import urlparse

    from django.core.exceptions import ValidationError

    from leadpact.notify.events import EVENT_NAMES

    unknown = [e for e in events if e not in EVENT_NAMES]
    if unknown:
        raise ValidationError({"events": [f"unknown event {', '.join(unknown)}; events: {', '.join(EVENT_NAMES)}"]})
    endpoint = Endpoint(kind=kind, url=url, name=name or urlparse(url).hostname or url, team=team,
                        events=list(events), created_at=now)
    endpoint.full_clean()
    endpoint.save()
    return endpoint


def webhooks_active() -> bool:
    return Endpoint.objects.filter(kind=ChannelChoices.WEBHOOK, active=True).exists()


def publish_events(events: Sequence[Any], leads: dict[int, Any] | None = None) -> int:
    """Queue a signed webhook for each lifecycle event and each active webhook endpoint that wants it."""
    endpoints = _endpoints(ChannelChoices.WEBHOOK)
    if not endpoints or not events:
        return 0
    numbers = dict(PactVersion.objects.filter(pk__in={e.pact_version_id for e in events}).values_list("pk", "version"))
    messages = []
    for event in events:
        name, lead = event_name(event), (leads or {}).get(event.lead_id) or event.lead
        for endpoint in endpoints:
            if endpoint.wants(name, lead.team):
                delivery = uuid.uuid4()
                messages.append(Message(delivery_id=delivery, channel=ChannelChoices.WEBHOOK, event=name, lead=lead,
                                        endpoint=endpoint, payload=event_payload(delivery, name, event, lead,
                                                                      numbers.get(event.pact_version_id)),
                                        next_try_at=event.at, created_at=event.at))
    Message.objects.bulk_create(messages, batch_size=500)
    return len(messages)


@dataclass
class DeliveryReport:
    sent: int = 0
    failed: int = 0
    dead: int = 0


def outbox_deliver(now: dt.datetime, limit: int = 100,
                   sender: Callable[[Message], None] = send) -> DeliveryReport:
    """Claim due messages (each worker its own, with row locks), send them outside any transaction, record the result.
    A worker that dies after sending and before recording leaves the message to be sent again when its lease ends:
    delivery is at least once, and the delivery id lets the receiver drop the repeat."""
    report = DeliveryReport()
    while report.sent + report.failed < limit:
        claimed = _claim(now, min(CLAIM, limit - report.sent - report.failed))
        if not claimed:
            break
        for message in claimed:
            _deliver(message, now, sender, report)
    return report


def _deliver(message: Message, now: dt.datetime, sender: Callable[[Message], None], report: DeliveryReport) -> None:
    try:
        sender(message)
    except Exception as err:  # noqa: BLE001 - whatever failed, the message is retried, never lost
        _failed(message, now, err, report)
        return
    _held(message, now).update(status=MessageStatus.SENT, sent_at=now, tries=message.tries + 1, last_error="")
    report.sent += 1


def _held(message: Message, now: dt.datetime):
    """The message, only while this worker's lease holds it: a result recorded after the lease ran out is ignored
    (another worker took the message over)."""
    return Message.objects.filter(pk=message.pk, status=MessageStatus.PENDING, next_try_at=now + LEASE)


def _claim(now: dt.datetime, limit: int) -> list[Message]:
    with transaction.atomic():
        messages = list(Message.objects.select_for_update(skip_locked=True, of=("self",))
                        .filter(status=MessageStatus.PENDING, next_try_at__lte=now)
                        .select_related("endpoint", "lead").order_by("next_try_at", "id")[:limit])
        Message.objects.filter(pk__in=[m.pk for m in messages]).update(next_try_at=now + LEASE)
    return messages


def _failed(message: Message, now: dt.datetime, err: BaseException, report: DeliveryReport) -> None:
    tries = message.tries + 1
    dead = tries >= MAX_TRIES
    _held(message, now).update(
        tries=tries, last_error=str(err)[:2000], status=MessageStatus.DEAD if dead else MessageStatus.PENDING,
        next_try_at=None if dead else now + backoff(tries))
    report.failed += 1
    report.dead += dead
    log.warning("notification %s failed (try %s of %s): %s", message.delivery_id, tries, MAX_TRIES, err)


def message_retry(message_id: int, now: dt.datetime) -> Message:
    """Put a dead-lettered message back in the outbox, to be sent at once with a fresh count of tries."""
    with transaction.atomic():
        message = Message.objects.select_for_update().filter(pk=message_id).first()
        if message is None:
            raise NotFound(f"there is no message {message_id}; `leadpact outbox list --dead` shows them")
        if message.status != MessageStatus.DEAD:
            raise LeadpactError(f"message {message_id} is {message.status}, not dead-lettered: only a message that "
                                "was given up on is sent again by hand")
        message.status, message.tries, message.next_try_at = MessageStatus.PENDING, 0, now
        message.save(update_fields=["status", "tries", "next_try_at"])
    return message
