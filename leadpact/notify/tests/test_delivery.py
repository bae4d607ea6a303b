"""Notifications leave through the outbox: real SMTP, real HTTP, retries, dead letters, at-least-once."""

from __future__ import annotations

import datetime as dt

import pytest

from leadpact.handoff.tests.helpers import ny
from leadpact.notify.channels import signature
from leadpact.notify.models import Endpoint, Message
from leadpact.notify.services import (
    MAX_TRIES,
    _claim,
    backoff,
    message_retry,
    outbox_deliver,
)
from leadpact.worker.loop import run_pass

pytestmark = pytest.mark.django_db


def webhook(url: str, **fields) -> Endpoint:
    return Endpoint.objects.create(kind="webhook", name="crm", url=url, created_at=ny(2026, 11, 1, 9), **fields)


def test_an_smtp_server_that_is_down_delays_email_but_the_webhook_still_goes_out(arrive, smtp, receiver):
    hook = webhook(receiver.url, events=["lead.assigned"])
    now = ny(2026, 12, 7, 9)
    arrive(now, first_name="eve")
    email = Message.objects.get(event="assigned", channel="email")
    assert email.status == "pending" and email.tries == 1 and "Connection refused" in email.last_error
    (headers, body), = receiver.requests
    assert receiver.bodies()[0]["event"] == "lead.assigned"
    assert receiver.bodies()[0]["lead"]["owner"] == "cy@acme.example"
    timestamp = int(headers["leadpact-signature"].split(",")[0][2:])
    assert headers["leadpact-signature"] == signature(hook.secret, timestamp, body)
    assert headers["leadpact-delivery"] == receiver.bodies()[0]["id"]

    smtp.start()
    run_pass(now + backoff(1) - dt.timedelta(seconds=1))
    assert smtp.inbox.messages == []  # not before its retry time
    run_pass(now + backoff(1))
    (mail,) = smtp.inbox.messages
    assert mail["To"] == "cy@acme.example" and mail["Subject"] == "New lead for you: eve (Globex)"
    assert mail["X-Leadpact-Delivery"] == str(email.delivery_id)
    html = mail.get_body(("html",)).get_content()
    assert "/leads/" in html and "Accept" in html
    assert "business time" in mail.get_body(("plain",)).get_content()
    email.refresh_from_db()
    assert email.status == "sent" and email.tries == 2


def test_a_chat_post_is_a_slack_compatible_payload(arrive, receiver, settings):
    Endpoint.objects.create(kind="chat", name="#sales", url=receiver.url, created_at=ny(2026, 11, 1, 9))
    arrive(ny(2026, 12, 7, 9), first_name="kim")
    (post,) = receiver.bodies()
    assert post["text"].startswith("New lead for you: kim (Globex)")
    assert post["blocks"][0]["type"] == "section" and post["blocks"][-1]["elements"][0]["url"].endswith(
        "/leads/" + post["text"].rsplit("/", 1)[1])


def test_a_channel_that_keeps_failing_is_dead_lettered_with_its_error_and_can_be_retried(arrive, receiver):
    webhook(receiver.url, events=["lead.assigned"])
    receiver.status = 500
    now = ny(2026, 12, 7, 9)
    arrive(now, first_name="dan")
    message = Message.objects.get(channel="webhook")
    for tries in range(1, MAX_TRIES):
        now += backoff(tries)
        outbox_deliver(now)
    message.refresh_from_db()
    assert (message.status, message.tries) == ("dead", MAX_TRIES)
    assert "HTTP 500" in message.last_error and message.next_try_at is None
    assert len(receiver.requests) == MAX_TRIES
    receiver.status = 200
    message_retry(message.pk, now)
    outbox_deliver(now)
    message.refresh_from_db()
    assert message.status == "sent"
    assert len({body["id"] for body in receiver.bodies()}) == 1  # one delivery id across every try


def test_a_worker_that_dies_after_sending_leaves_the_message_to_be_sent_again_with_the_same_id(pact, receiver):
    from leadpact.notify.channels import send
    from leadpact.notify.services import LEASE

    webhook(receiver.url, events=["lead.assigned"])
    now = ny(2026, 12, 7, 9)
    from leadpact.handoff.routing import leads_route_due
    from leadpact.handoff.tests.helpers import FORM
    from leadpact.leads.services import lead_intake

    lead_intake({"email": "zed@globex.example", "company": "Globex", "lead_type": "demo_request"}, actor=FORM, now=now)
    leads_route_due(now)
    for message in _claim(now, 10):
        send(message)  # ... and the worker is killed before it records the result
    outbox_deliver(now + LEASE - dt.timedelta(seconds=1))
    assert len(receiver.requests) == 1
    outbox_deliver(now + LEASE)
    first, second = receiver.bodies()
    assert first["id"] == second["id"] and Message.objects.get(channel="webhook").status == "sent"


def test_every_lifecycle_event_can_go_to_a_webhook(arrive, receiver):
    webhook(receiver.url)
    arrive(ny(2026, 12, 7, 9), first_name="amy")
    assert [b["event"] for b in receiver.bodies()] == ["lead.created", "lead.qualified", "lead.assigned"]
    assert {b["change"]["pact_version"] for b in receiver.bodies()} == {3}


def test_endpoints_are_connected_from_the_command_line_with_their_secret_shown_once(db):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command("endpoint", "add", "webhook", "https://crm.example/hooks/leadpact", "--events", "lead.won",
                 stdout=out)
    endpoint = Endpoint.objects.get()
    assert endpoint.secret in out.getvalue() and endpoint.events == ["lead.won"]
    with pytest.raises(CommandError, match="unknown event lead.sold"):
        call_command("endpoint", "add", "webhook", "https://crm.example/x", "--events", "lead.sold")
    with pytest.raises(CommandError, match="url"):
        call_command("endpoint", "add", "chat", "not a url")


def test_admins_see_dead_letters_with_their_error_and_retry_them_through_the_api(arrive):
    from django.test import Client

    from leadpact.accounts.models import User
    from leadpact.accounts.services import token_create

    arrive(ny(2026, 12, 7, 9), first_name="ola")
    message = Message.objects.get(event="assigned")
    Message.objects.filter(pk=message.pk).update(status="dead", last_error="550 mailbox unavailable", tries=8)
    clients = {role: Client(headers={"Authorization": "Bearer " + token_create(User.objects.get(email=email),
                                                                               "t")[1]})
               for role, email in (("admin", "admin@acme.example"), ("rep", "cy@acme.example"))}
    assert clients["rep"].get("/api/outbox").status_code == 403
    (dead,) = clients["admin"].get("/api/outbox?status=dead").json()
    assert dead["last_error"] == "550 mailbox unavailable" and dead["recipient"] == "cy@acme.example"
    retried = clients["admin"].post(f"/api/outbox/{message.pk}/retry").json()
    assert (retried["status"], retried["tries"]) == ("pending", 0)
