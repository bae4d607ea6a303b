"""Sending one outbox message on its channel. Each sender raises on failure; the outbox retries."""

from __future__ import annotations

import hashlib
import hmac
import time

import httpx
import orjson
from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection

from leadpact.notify import content
from leadpact.notify.models import ChannelChoices, Message

TIMEOUT = httpx.Timeout(10.0)


class DeliveryFailed(Exception):
    """The channel refused or could not be reached; the message says what happened."""


def send(message: Message) -> None:
    {ChannelChoices.EMAIL: _email, ChannelChoices.CHAT: _chat, ChannelChoices.WEBHOOK: _webhook}[message.channel](message)


def _email(message: Message) -> None:
    text, html = message.text, message.html
    if not text and message.lead is not None:  # queued with its context; the body is written now
        body = content.render(message.event, message.lead, message.payload.get("context", {}))
        text, html = body.text, body.html
    mail = EmailMultiAlternatives(message.subject, text, settings.DEFAULT_FROM_EMAIL, [message.recipient],
                                  headers={"X-Leadpact-Delivery": str(message.delivery_id)},
                                  connection=get_connection(timeout=10))
    if html:
        mail.attach_alternative(html, "text/html")
    try:
        mail.send(fail_silently=False)
    except OSError as err:  # smtplib errors are OSErrors
        raise DeliveryFailed(f"email to {message.recipient}: {err}") from err


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`t=<unix time>,v1=<hex HMAC-SHA256 of "<t>.<body>">`: verify it with the endpoint's secret, refuse old times."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _webhook(message: Message) -> None:
    body = orjson.dumps(message.payload)
    headers = {"Content-Type": "application/json", "User-Agent": "Leadpact",
               "Leadpact-Delivery": str(message.delivery_id), "Leadpact-Event": message.event,
               "Leadpact-Signature": signature(message.endpoint.secret, int(time.time()), body)}
    _post(message, body, headers)


def _chat(message: Message) -> None:
    _post(message, orjson.dumps(message.payload), {"Content-Type": "application/json", "User-Agent": "Leadpact"})


def _post(message: Message, body: bytes, headers: dict[str, str]) -> None:
    url = message.endpoint.url
    try:
        response = httpx.post(url, content=body, headers=headers, timeout=TIMEOUT)
    except httpx.HTTPError as err:
        raise DeliveryFailed(f"{message.channel} to {url}: {err or type(err).__name__}") from err
    if response.status_code >= 300:
        raise DeliveryFailed(f"{message.channel} to {url}: HTTP {response.status_code} {response.text[:200]}")
