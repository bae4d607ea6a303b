"""Working a lead from the terminal."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from leadpact.handoff.models import OutOfOffice
from leadpact.handoff.tests.helpers import ny
from leadpact.leads.models import Lead
from leadpact.notify.models import Message

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def monday_nine(clock_at):
    clock_at(ny(2026, 12, 7, 9))


def run(*args: str) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_accept_attempt_and_show_a_lead(arrive):
    lead = arrive(ny(2026, 12, 7, 9))
    assert "accepted" in run("lead", "accept", str(lead.pk), "--as", "cy@acme.example")
    assert "attempt 1 logged" in run("lead", "attempt", str(lead.pk), "phone", "connected", "--note", "keen",
                                     "--as", "cy@acme.example")
    shown = run("lead", "show", str(lead.pk))
    assert "Response SLA: due 2026-12-07 18:00 UTC, met" in shown and "phone, connected" in shown


def test_a_refused_action_is_an_error_with_the_reason(arrive):
    lead = arrive(ny(2026, 12, 7, 9))
    with pytest.raises(CommandError, match="not_our_icp"):
        run("lead", "reject", str(lead.pk), "meh", "--as", "cy@acme.example")
    assert Lead.objects.get(pk=lead.pk).stage == "assigned"


def test_someone_away_gets_no_new_leads(arrive):
    run("away", "add", "cy@acme.example", "--from", "2026-12-07T00:00:00Z", "--until", "2026-12-09T00:00:00Z",
        "--note", "training", "--as", "raj@acme.example")
    assert OutOfOffice.objects.get().note == "training"
    assert "cy@acme.example until 2026-12-09" in run("away", "list")
    assert arrive(ny(2026, 12, 7, 9)).owner.email == "dee@acme.example"


def test_the_outbox_lists_dead_letters_and_retries_one(arrive):
    arrive(ny(2026, 12, 7, 9))
    message = Message.objects.filter(channel="email").first()
    Message.objects.filter(pk=message.pk).update(status="dead", last_error="550 mailbox unavailable")
    assert "550 mailbox unavailable" in run("outbox", "list", "--dead")
    assert "back in the outbox" in run("outbox", "retry", str(message.pk))
    assert Message.objects.get(pk=message.pk).status == "pending"
