"""The outbox: every notification is a row written with the change that caused it, delivered after commit."""

from __future__ import annotations

import secrets
import uuid

from django.db import models


class ChannelChoices(models.TextChoices):
    EMAIL = "email", "Email"
    CHAT = "chat", "Chat"
    WEBHOOK = "webhook", "Webhook"


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting to be sent"
    SENT = "sent", "Sent"
    DEAD = "dead", "Gave up (dead letter)"


def _new_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(24)


class Endpoint(models.Model):
    """A chat incoming-webhook URL or an outgoing webhook an admin connected; `team` empty means every team."""

    kind = models.CharField(max_length=16, choices=[(ChannelChoices.CHAT, "Chat"), (ChannelChoices.WEBHOOK, "Webhook")])
    name = models.CharField(max_length=100)
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=100, default=_new_secret, help_text="Signs webhook bodies (HMAC-SHA256).")
    team = models.CharField(max_length=64, blank=True)
    events = models.JSONField(default=list, blank=True, help_text="Webhook event names to send; empty: all.")
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.name}"

    def wants(self, event: str, team: str = "") -> bool:
        return self.active and (not self.team or self.team == team) and (not self.events or event in self.events)


class Message(models.Model):
    """One notification on one channel to one recipient. Pending until delivered; retried with backoff; dead-lettered
    after the last try. `delivery_id` is the same on every retry, so a receiver can drop repeats."""

    delivery_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField(max_length=16, choices=ChannelChoices.choices)
    event = models.CharField(max_length=48)
    lead = models.ForeignKey("leads.Lead", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient = models.CharField(max_length=255, blank=True, help_text="The email address, for email.")
    endpoint = models.ForeignKey(Endpoint, null=True, blank=True, on_delete=models.PROTECT, related_name="messages")
    subject = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    html = models.TextField(blank=True)
    payload = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=8, choices=MessageStatus.choices, default=MessageStatus.PENDING)
    tries = models.PositiveSmallIntegerField(default=0)
    next_try_at = models.DateTimeField(null=True, blank=True, help_text="Also the lease of a worker sending it.")
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["next_try_at"], condition=models.Q(status="pending"), name="message_due"),
            models.Index(fields=["status", "created_at"]),
            models.Index(fields=["lead", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} by {self.channel} to {self.recipient or self.endpoint}"
