"""Clocks are recomputed when the lead type, the owner or (explicitly) the pact changes."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command

from leadpact.accounts.models import User
from leadpact.handoff.services import lead_reassign
from leadpact.handoff.tests.helpers import FORM, actor, ny
from leadpact.leads.services import lead_intake
from leadpact.pact.services import pact_propose, pact_sign
from leadpact.sla.models import Clock

pytestmark = pytest.mark.django_db


def running(lead, kind: str) -> Clock:
    return Clock.objects.get(lead=lead, kind=kind, stopped_at=None)


def test_a_more_urgent_lead_type_brings_the_response_deadline_forward_and_a_less_urgent_one_never_back(arrive):
    from leadpact.leads.engagement import signals_record
    from leadpact.worker.loop import run_pass

    lead = arrive(ny(2026, 12, 7, 9), first_name="tia", lead_type="contact_us")  # 8 business hours, once an MQL
    signals_record([{"email": "tia@globex.example", "signal": s, "at": ny(2026, 12, 7, 9).isoformat()}
                    for s in ("webinar_attended", "pricing_page_view")], actor=FORM, now=ny(2026, 12, 7, 9))
    run_pass(ny(2026, 12, 7, 9))
    assert running(lead, "response").due_at == ny(2026, 12, 7, 17)
    lead_intake({"email": "tia@globex.example", "lead_type": "demo_request"}, actor=FORM, now=ny(2026, 12, 7, 10))
    assert running(lead, "response").due_at == ny(2026, 12, 7, 13)  # 4 business hours from the same hand-off
    lead_intake({"email": "tia@globex.example", "lead_type": "event_attendee"}, actor=FORM, now=ny(2026, 12, 7, 11))
    assert running(lead, "response").due_at == ny(2026, 12, 7, 13)  # a download later does not relax it


def test_a_reassignment_under_continue_keeps_the_start_and_moves_the_deadline_to_the_new_calendar(
        pact, arrive, nine_to_five_text):
    text = nine_to_five_text.replace("version: 3", "version: 4").replace(
        "  on_no_answer: reassign", "  on_no_answer: reassign\n  on_reassign: continue")
    version, _ = pact_propose(text)
    for signer in ("mia@acme.example", "raj@acme.example"):
        pact_sign(version, User.objects.get(email=signer), ny(2026, 12, 1, 9))
    lead = arrive(ny(2026, 12, 7, 9), first_name="uma")
    started = running(lead, "response").started_at
    lead_reassign(lead.pk, "frida@acme.example", "speaks the language", actor=actor("admin@acme.example"),
                  now=ny(2026, 12, 7, 10))
    moved = running(lead, "response")
    assert moved.started_at == started and moved.owner.email == "frida@acme.example" and moved.calendar == "emea"
    # 09:00 in New York is 15:00 in Berlin: 3 business hours that day, the fourth on Tuesday 09:00-10:00 Berlin.
    assert moved.due_at == dt.datetime(2026, 12, 8, 9, tzinfo=dt.timezone.utc)


def test_a_new_pact_version_moves_running_clocks_only_when_asked(pact, arrive, nine_to_five_text, clock_at):
    lead = arrive(ny(2026, 12, 7, 9), first_name="vic")
    before = running(lead, "response").due_at
    faster = nine_to_five_text.replace("version: 3", "version: 4").replace(
        "response_within: 4h}", "response_within: 2h}")
    version, _ = pact_propose(faster)
    for signer in ("mia@acme.example", "raj@acme.example"):
        pact_sign(version, User.objects.get(email=signer), ny(2026, 12, 7, 9, 30))
    out = StringIO()
    clock_at(ny(2026, 12, 7, 10))
    call_command("clocks", "recompute", stdout=out)
    assert "1 deadline would move" in out.getvalue() and running(lead, "response").due_at == before
    call_command("clocks", "recompute", "--apply", stdout=StringIO())
    assert running(lead, "response").due_at == ny(2026, 12, 7, 11)
    assert running(lead, "response").pact_version == version
