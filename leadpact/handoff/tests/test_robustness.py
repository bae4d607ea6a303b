"""What the worker and the actions do with bad data, stale results and people acting outside their reach."""

from __future__ import annotations

import datetime as dt
from unittest import mock

import pytest

from leadpact.core.errors import FieldErrors, LeadpactError, NotAllowed
from leadpact.handoff.services import (
    attempt_log,
    lead_accept,
    lead_close,
    lead_reassign,
    lead_recycle,
    out_of_office_set,
)
from leadpact.handoff.tests.helpers import FORM, actor, ny
from leadpact.leads.models import Lead
from leadpact.leads.services import lead_intake
from leadpact.notify.models import Message
from leadpact.sla.models import Clock
from leadpact.worker.loop import run_pass

pytestmark = pytest.mark.django_db


def test_a_lead_with_very_long_names_is_handed_over_with_a_cut_subject(arrive):
    lead = arrive(ny(2026, 12, 7, 9), email="long@globex.example", first_name="A" * 250, last_name="B" * 250,
                  company="C" * 250)
    subject = Message.objects.get(lead=lead, event="assigned").subject
    assert lead.stage == "assigned" and len(subject) == 300 and subject.endswith("…")


def test_one_lead_that_cannot_be_routed_does_not_stop_the_others(pact):
    now = ny(2026, 12, 7, 9)
    bad, good = (lead_intake({"email": f"{n}@globex.example", "company": "Globex", "lead_type": "demo_request"},
                             actor=FORM, now=now).lead_id for n in ("bad", "good"))
    from leadpact.handoff import routing

    real = routing.lead_route

    def route(lead, *args, **kwargs):
        if lead.pk == bad:
            raise RuntimeError("a bug")
        return real(lead, *args, **kwargs)

    with mock.patch.object(routing, "lead_route", route):
        run_pass(now)
    assert Lead.objects.get(pk=good).stage == "assigned"
    waiting = Lead.objects.get(pk=bad)
    assert waiting.stage == "mql" and waiting.route_at == now + routing.RETRY_QUEUE_EVERY
    run_pass(now + routing.RETRY_QUEUE_EVERY)
    assert Lead.objects.get(pk=bad).stage == "assigned"


def test_one_clock_that_fails_is_recorded_and_retried_while_the_others_fire(arrive):
    first, second = arrive(ny(2026, 12, 7, 9), first_name="one"), arrive(ny(2026, 12, 7, 9), first_name="two")
    from leadpact.sla import services

    real = services._warn

    def warn(clock, lead, *args):
        if lead.pk == first.pk:
            raise RuntimeError("a bug")
        return real(clock, lead, *args)

    with mock.patch.object(services, "_warn", warn):
        run_pass(ny(2026, 12, 7, 10, 30))
    failed = Clock.objects.get(lead=first, kind="accept")
    assert failed.failures == 1 and "a bug" in failed.last_error and failed.warned_at is None
    assert failed.fire_at == ny(2026, 12, 7, 10, 35)
    assert Clock.objects.get(lead=second, kind="accept").warned_at == ny(2026, 12, 7, 10, 30)


def test_an_acceptance_window_that_ran_out_counts_as_missed(arrive):
    from leadpact.handoff.selectors import clock_state

    lead = arrive(ny(2026, 12, 7, 9), first_name="late")
    run_pass(ny(2026, 12, 7, 11))
    expired = Clock.objects.get(lead=lead, kind="accept", stop_reason="expired")
    assert expired.met is False and clock_state(expired, ny(2026, 12, 7, 11)) == "missed"


def test_the_email_names_the_owner_at_the_time_of_the_notice(arrive):
    from leadpact.notify.channels import send

    arrive(ny(2026, 12, 7, 9), first_name="who")
    run_pass(ny(2026, 12, 7, 11))  # cy lets it run out; it goes to dee
    message = Message.objects.get(event="not_accepted", recipient="raj@acme.example")
    with mock.patch("leadpact.notify.channels.EmailMultiAlternatives") as mail:
        send(message)
    assert "cy@acme.example did not accept" in mail.call_args.args[1]


def test_a_result_recorded_after_the_lease_ran_out_is_ignored_and_only_dead_letters_are_retried(arrive):
    from leadpact.notify.services import DeliveryReport, _claim, _deliver, message_retry

    now = ny(2026, 12, 7, 9)
    arrive(now, first_name="lease")
    Message.objects.update(status="pending", next_try_at=now)
    (message,) = _claim(now, 1)
    Message.objects.filter(pk=message.pk).update(next_try_at=now - dt.timedelta(hours=1))  # another worker's now
    _deliver(message, now, lambda m: None, DeliveryReport())
    assert Message.objects.get(pk=message.pk).status == "pending"  # this worker's late "sent" changed nothing
    with pytest.raises(LeadpactError, match="not dead-lettered"):
        message_retry(message.pk, now)


def test_a_manager_cannot_act_on_a_lead_outside_their_teams_and_a_rep_not_after_handing_it_back(arrive, pact):
    inquiry = lead_intake({"email": "tom@initech.example", "company": "Initech", "lead_type": "content_download"},
                          actor=FORM, now=ny(2026, 12, 7, 9)).lead_id
    with pytest.raises(NotAllowed):
        lead_close(inquiry, "disqualify", "spam", actor=actor("maria@acme.example"), now=ny(2026, 12, 7, 9))
    lead = arrive(ny(2026, 12, 7, 9), first_name="ret")
    rep = actor("cy@acme.example")
    attempt_log(lead.pk, "phone", "connected", actor=rep, now=ny(2026, 12, 7, 10))
    lead_recycle(lead.pk, "not_ready_yet", actor=rep, now=ny(2026, 12, 7, 10))
    with pytest.raises(NotAllowed):
        lead_close(lead.pk, "disqualify", "spam", actor=rep, now=ny(2026, 12, 7, 11))


def test_a_lead_can_only_be_given_to_a_member_of_a_team(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="own")
    with pytest.raises(FieldErrors) as refused:
        lead_reassign(lead.pk, "mia@acme.example", "why not", actor=actor("raj@acme.example"),
                      now=ny(2026, 12, 7, 10))
    assert "in no team" in refused.value.errors["owner"]
    lead_accept(lead.pk, actor=actor("cy@acme.example"), now=ny(2026, 12, 7, 10))


def test_out_of_office_times_need_a_zone(pact):
    with pytest.raises(FieldErrors) as refused:
        out_of_office_set("cy@acme.example", dt.datetime(2026, 12, 21), dt.datetime(2027, 1, 4),
                          actor=actor("raj@acme.example"), now=ny(2026, 12, 7, 9))
    assert set(refused.value.errors) == {"starts_at", "ends_at"}


def test_chat_posts_escape_what_a_public_form_sent(arrive, settings):
    from leadpact.notify.content import render

    lead = arrive(ny(2026, 12, 7, 9), email="x@globex.example", first_name="<!channel>",
                  company="<https://evil.example|Bank>")
    chat = render("assigned", lead, {})
    text = str(chat.chat)
    assert "<!channel>" not in text and "&lt;!channel&gt;" in text and "<https://evil" not in text
