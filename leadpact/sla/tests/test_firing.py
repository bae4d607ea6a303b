"""Clocks fire in due order, once, and late ones say so."""

from __future__ import annotations

import datetime as dt

import pytest

from leadpact.handoff.tests.helpers import ny
from leadpact.leads.models import LeadEvent
from leadpact.notify.models import Message
from leadpact.sla.models import Clock
from leadpact.worker.loop import run_pass

pytestmark = pytest.mark.django_db


def test_a_worker_back_after_a_night_down_fires_late_clocks_in_due_order_and_marks_them_late(arrive):
    first = arrive(ny(2026, 12, 7, 9), first_name="early")
    second = arrive(ny(2026, 12, 7, 10), first_name="later")
    run_pass(ny(2026, 12, 8, 9))  # the worker was down since Monday 10:00
    fired = list(LeadEvent.objects.filter(kind="clock").order_by("id").values_list("lead_id", "data"))
    order = [(lead_id, data["clock"], data["what"]) for lead_id, data in fired]
    assert order[:4] == [(first.pk, "accept", "warned"), (first.pk, "accept", "expired"),
                         (second.pk, "accept", "warned"), (second.pk, "accept", "expired")]
    assert all(data["late_seconds"] > 3600 for _, data in fired)
    assert all(data["skipped"] for _, data in fired if data["what"] == "warned")
    assert not Message.objects.filter(event="accept_warning").exists()  # no warning after the deadline passed
    assert all(c.late_seconds > 3600 for c in Clock.objects.filter(kind="accept", stop_reason="expired"))


def test_a_pass_on_time_fires_the_warning_then_nothing_until_the_deadline(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="tim")
    accept = Clock.objects.get(lead=lead, kind="accept")
    assert accept.warn_at == ny(2026, 12, 7, 10, 30)
    run_pass(ny(2026, 12, 7, 10, 30))
    run_pass(ny(2026, 12, 7, 10, 45))
    accept.refresh_from_db()
    assert accept.warned_at == ny(2026, 12, 7, 10, 30) and accept.late_seconds == 0 and accept.breached_at is None
    assert accept.fire_at == accept.due_at == ny(2026, 12, 7, 11)
    assert Message.objects.filter(event="accept_warning").count() == 1
    assert "30 min of business time" in Message.objects.get(event="accept_warning").subject


def test_clock_state_at_risk_then_breached(arrive):
    from leadpact.handoff.selectors import clock_state

    lead = arrive(ny(2026, 12, 7, 9), first_name="sue")
    response = Clock.objects.get(lead=lead, kind="response")
    assert clock_state(response, ny(2026, 12, 7, 9, 30)) == "running"
    assert clock_state(response, ny(2026, 12, 7, 12, 1)) == "at_risk"
    assert clock_state(response, ny(2026, 12, 7, 13)) == "breached"
    assert response.due_at - response.started_at == dt.timedelta(hours=4)
