"""The agreement's stories, end to end through the services and the worker."""

from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core.lifecycle import Stage
from leadpact.handoff.services import attempt_log, lead_accept, lead_recycle
from leadpact.handoff.tests.helpers import FORM, actor, ny
from leadpact.leads.engagement import signals_record
from leadpact.leads.models import Lead, LeadEvent
from leadpact.notify.models import Message
from leadpact.sla.models import Clock
from leadpact.worker.loop import run_pass

pytestmark = pytest.mark.django_db
HOUR = dt.timedelta(hours=1)


def clock_of(lead: Lead, kind: str) -> Clock:
    return Clock.objects.get(lead=lead, kind=kind, round=Lead.objects.get(pk=lead.pk).rounds, stopped_at=None)


def render(message: Message):
    from leadpact.notify.content import render as render_notice

    return render_notice(message.event, message.lead, message.payload["context"])


def emails(event: str, to: str | None = None) -> list[Message]:
    messages = Message.objects.filter(event=event, channel="email")
    return list(messages.filter(recipient=to) if to else messages)


def test_a_demo_request_handed_over_on_friday_at_16_is_due_on_monday_at_noon_not_on_the_weekend(arrive):
    lead = arrive(ny(2026, 12, 4, 16), lead_type="demo_request")
    assert lead.stage == Stage.ASSIGNED and lead.owner.email == "cy@acme.example"
    assert clock_of(lead, "response").due_at == ny(2026, 12, 7, 12)
    assert clock_of(lead, "accept").due_at == ny(2026, 12, 7, 10)  # 2 business hours to accept
    assert [m.recipient for m in emails("assigned")] == ["cy@acme.example"]


def test_a_white_paper_lead_gets_24_business_hours_and_its_owner_is_warned_at_75_percent(arrive):
    start = ny(2026, 12, 1, 9)  # a Tuesday
    lead = Lead.objects.get(pk=arrive(start, lead_type="content_download", first_name="wes").pk)
    assert lead.stage == Stage.INQUIRY  # a download alone does not meet the definition
    signals_record([{"email": "wes@globex.example", "signal": s, "at": start.isoformat()}
                    for s in ("webinar_attended", "pricing_page_view")], actor=FORM, now=start)
    run_pass(start)
    lead_accept(lead.pk, actor=actor("cy@acme.example"), now=start + HOUR)
    response = clock_of(lead, "response")
    assert response.due_at == ny(2026, 12, 3, 17)  # three 8-hour days, ending on the closing minute
    assert response.warn_at == ny(2026, 12, 3, 11)  # 18 of the 24 hours
    run_pass(response.warn_at - dt.timedelta(seconds=1))
    assert emails("response_warning") == []
    run_pass(response.warn_at)
    run_pass(response.warn_at + HOUR)
    assert [m.recipient for m in emails("response_warning")] == ["cy@acme.example"]
    assert "6 h of business time" in emails("response_warning")[0].subject


def test_a_breach_is_escalated_to_the_manager_once(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="bea")
    lead_accept(lead.pk, actor=actor("cy@acme.example"), now=ny(2026, 12, 7, 9, 30))
    for minute in (0, 1, 30):
        run_pass(ny(2026, 12, 7, 13, minute))
    assert [m.recipient for m in emails("breach")] == ["cy@acme.example"]
    assert [m.recipient for m in emails("escalation")] == ["raj@acme.example"]
    breached = Clock.objects.get(lead=lead, kind="response")
    assert breached.breached_at == ny(2026, 12, 7, 13) and breached.met is False
    assert LeadEvent.objects.filter(lead=lead, kind="clock", data__what="breached").count() == 1


def test_a_rep_who_does_not_accept_in_time_loses_the_lead_to_the_next_person(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="lou")
    assert lead.owner.email == "cy@acme.example"
    run_pass(ny(2026, 12, 7, 11))
    lead.refresh_from_db()
    assert lead.stage == Stage.ASSIGNED and lead.owner.email == "dee@acme.example"
    expired = Clock.objects.get(lead=lead, kind="accept", stop_reason="expired")
    assert expired.owner.email == "cy@acme.example" and expired.business_seconds == 2 * 3600
    unassigned = LeadEvent.objects.get(lead=lead, transition="unassign")
    assert unassigned.reason == "not_accepted_in_time" and unassigned.data["previous_owner"] == "cy@acme.example"
    assert clock_of(lead, "accept").due_at == ny(2026, 12, 7, 13)  # dee gets a fair window of her own
    assert {m.recipient for m in emails("not_accepted")} == {"cy@acme.example", "raj@acme.example"}


def test_six_attempts_without_contact_send_the_lead_back_to_marketing(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="sam")
    rep = actor("cy@acme.example")
    for day, channel in enumerate(["phone", "email", "phone", "linkedin", "phone", "email"]):
        attempt_log(lead.pk, channel, "no_answer" if channel == "phone" else "email_sent", actor=rep,
                    now=ny(2026, 12, 7 + day, 10))
    lead.refresh_from_db()
    assert lead.stage == Stage.RECYCLED and lead.nurture_track == "default"
    recycled = LeadEvent.objects.get(lead=lead, transition="recycle")
    assert (recycled.reason, recycled.actor) == ("no_response", "system")
    assert [m.recipient for m in emails("recycled")] == ["mia@acme.example"]
    assert not Clock.objects.filter(lead=lead, stopped_at=None).exists()


def test_the_first_attempt_stops_the_response_clock_with_the_business_time_it_took(arrive):
    lead = arrive(ny(2026, 12, 4, 16), first_name="ida")
    attempt_log(lead.pk, "phone", "voicemail", actor=actor("cy@acme.example"), now=ny(2026, 12, 7, 9, 30))
    response = Clock.objects.get(lead=lead, kind="response")
    assert response.stop_reason == "attempted" and response.business_seconds == 90 * 60 and response.met
    assert Lead.objects.get(pk=lead.pk).stage == Stage.WORKING


def test_the_cadence_says_the_next_step_and_reminds_the_owner_when_it_is_due(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="cal")
    rep = actor("cy@acme.example")
    lead_accept(lead.pk, actor=rep, now=ny(2026, 12, 7, 9, 5))
    assert clock_of(lead, "cadence").step == 1
    attempt_log(lead.pk, "phone", "no_answer", actor=rep, now=ny(2026, 12, 7, 9, 10))
    step = clock_of(lead, "cadence")
    assert (step.step, step.channel, step.due_at) == (2, "email", ny(2026, 12, 7, 10))
    run_pass(ny(2026, 12, 7, 10))
    assert [m.subject for m in emails("step_due")] == ["Follow-up step 2 is due: email cal (Globex)"]


def test_an_attempt_beyond_the_maximum_is_refused(arrive):
    from leadpact.core.cadence import AttemptRefused

    lead = arrive(ny(2026, 12, 7, 9), first_name="max")
    rep = actor("cy@acme.example")
    attempt_log(lead.pk, "phone", "connected", actor=rep, now=ny(2026, 12, 7, 9, 30))
    for n in range(7):
        attempt_log(lead.pk, "email", "email_sent", actor=rep, now=ny(2026, 12, 8, 9, n))
    with pytest.raises(AttemptRefused, match="cadence.max_attempts: 8"):
        attempt_log(lead.pk, "phone", "no_answer", actor=rep, now=ny(2026, 12, 9, 9))
    assert Lead.objects.get(pk=lead.pk).attempts == 8


def test_giving_up_before_the_minimum_is_refused_unless_a_manager_overrides_with_a_reason(arrive):
    from leadpact.core.cadence import AttemptRefused
    from leadpact.core.errors import NotAllowed

    lead = arrive(ny(2026, 12, 7, 9), first_name="gus")
    attempt_log(lead.pk, "phone", "no_answer", actor=actor("cy@acme.example"), now=ny(2026, 12, 7, 10))
    with pytest.raises(AttemptRefused, match="only 1 of the 6 attempts"):
        lead_recycle(lead.pk, "not_ready_yet", actor=actor("cy@acme.example"), now=ny(2026, 12, 7, 11))
    with pytest.raises(NotAllowed):
        lead_recycle(lead.pk, "not_ready_yet", actor=actor("cy@acme.example"), now=ny(2026, 12, 7, 11),
                     override_reason="asked us to stop")
    lead_recycle(lead.pk, "not_ready_yet", actor=actor("raj@acme.example"), now=ny(2026, 12, 7, 11),
                 override_reason="asked us to stop calling until Q2")
    event = LeadEvent.objects.get(lead=lead, transition="recycle")
    assert event.data["override"] == "asked us to stop calling until Q2" and event.actor == "user:raj@acme.example"


def test_a_recycled_lead_that_attends_a_webinar_comes_back_as_a_returning_mql(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="ron")
    rep = actor("cy@acme.example")
    attempt_log(lead.pk, "phone", "connected", note="not before spring", actor=rep, now=ny(2026, 12, 7, 10))
    lead_recycle(lead.pk, "not_ready_yet", actor=rep, now=ny(2026, 12, 7, 10, 5))
    later = ny(2027, 1, 12, 10)
    signals_record([{"email": "ron@globex.example", "signal": s, "at": later.isoformat()}
                    for s in ("webinar_attended", "pricing_page_view", "content_download")], actor=FORM, now=later)
    run_pass(later)
    lead.refresh_from_db()
    assert (lead.stage, lead.is_returning, lead.rounds, lead.attempts) == (Stage.ASSIGNED, True, 2, 0)
    text = render(emails("assigned")[-1]).text  # what the new owner reads
    assert "Returning lead: round 2" in text and "not_ready_yet" in text
    assert Clock.objects.filter(lead=lead, round=2, stopped_at=None).count() == 2


def test_a_lead_can_go_round_the_loop_any_number_of_times(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="rex")
    at = ny(2026, 12, 7, 10)
    for round_ in range(3):
        current = Lead.objects.get(pk=lead.pk)
        owner = actor(current.owner.email)
        attempt_log(lead.pk, "phone", "connected", actor=owner, now=at)
        lead_recycle(lead.pk, "wrong_timing", actor=owner, now=at + HOUR)
        at += dt.timedelta(days=30)
        signals_record([{"email": "rex@globex.example", "signal": "webinar_attended", "at": at.isoformat()},
                        {"email": "rex@globex.example", "signal": "pricing_page_view", "at": at.isoformat()},
                        {"email": "rex@globex.example", "signal": "email_click", "at": at.isoformat()}],
                       actor=FORM, now=at)
        run_pass(at)
    assert Lead.objects.get(pk=lead.pk).rounds == 4
    assert LeadEvent.objects.filter(lead=lead, transition="qualify").count() == 4


def test_when_everyone_lets_the_window_run_out_the_lead_waits_in_the_queue_and_the_manager_hears_once(arrive):
    lead = arrive(ny(2026, 12, 7, 9), first_name="ada", employees=5000)  # enterprise: ann and bo
    assert lead.owner.email == "ann@acme.example"
    run_pass(ny(2026, 12, 7, 11))
    assert Lead.objects.get(pk=lead.pk).owner.email == "bo@acme.example"
    for hour, minute in ((13, 0), (13, 20), (15, 0)):
        run_pass(ny(2026, 12, 7, hour, minute))
    lead.refresh_from_db()
    assert lead.stage == Stage.MQL and lead.queued_at == ny(2026, 12, 7, 13)
    assert [m.recipient for m in emails("queued")] == ["maria@acme.example"]
    queued = LeadEvent.objects.get(lead=lead, kind="queued")
    assert queued.data["why"]["skipped"] == {"ann@acme.example": "let the acceptance window run out this round",
                                             "bo@acme.example": "let the acceptance window run out this round"}
    assert lead.route_at is None  # only a manager can place it now


def test_a_lead_from_a_company_with_an_owner_goes_to_that_owner_when_the_pact_asks(pact, arrive, nine_to_five_text):
    from leadpact.accounts.models import User
    from leadpact.pact.services import pact_propose, pact_sign

    text = nine_to_five_text.replace("version: 3", "version: 4").replace(
        "  on_no_answer: reassign", "  on_no_answer: reassign\n  account_owner: true")
    version, _ = pact_propose(text)
    for signer in ("mia@acme.example", "raj@acme.example"):
        pact_sign(version, User.objects.get(email=signer), ny(2026, 12, 1, 9))
    first = arrive(ny(2026, 12, 7, 9), first_name="one", email="one@initech.example")
    second = arrive(ny(2026, 12, 7, 10), first_name="two", email="two@initech.example")
    assert first.owner == second.owner
    why = LeadEvent.objects.get(lead=second, transition="assign").data["why"]
    assert why["strategy"] == "account_owner" and "already owns" in why["because"]


def test_every_assignment_records_why_this_person(arrive):
    arrive(ny(2026, 12, 7, 9), first_name="a1")
    second = arrive(ny(2026, 12, 7, 9, 5), first_name="a2")
    why = LeadEvent.objects.get(lead=second, transition="assign").data["why"]
    assert why["strategy"] == "least_loaded" and why["rule"] == "every other lead"
    assert why["load"] == {"cy@acme.example": 1, "dee@acme.example": 0, "eli@acme.example": 0}
    assert second.owner.email == "dee@acme.example"


def test_the_attempts_before_a_hand_back_for_no_response_are_what_the_commitment_counts(arrive):
    from leadpact.insights.commitments import current_figures

    lead = arrive(ny(2026, 12, 7, 9), first_name="six")
    for day in range(6):
        attempt_log(lead.pk, "phone", "no_answer", actor=actor("cy@acme.example"), now=ny(2026, 12, 7 + day, 10))
    from leadpact.pact.selectors import pact_in_force

    figures = {f.commitment.metric: f for f in current_figures(pact_in_force(ny(2026, 12, 14, 9))[1],
                                                              ny(2026, 12, 14, 9))}
    assert figures["attempts_before_recycle"].actual == 6 and figures["attempts_before_recycle"].met
