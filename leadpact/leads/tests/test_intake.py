from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core.errors import FieldErrors
from leadpact.core.intake import IdempotencyConflict
from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.models import Lead, LeadEvent, Submission
from leadpact.leads.services import lead_intake, leads_intake

pytestmark = pytest.mark.django_db
FORM = Actor("form:test", Role.MARKETING)


def ann(**extra):
    return {"email": "ann.lee@globex.com", "first_name": "Ann", "company": "Globex", "title": "VP Sales",
            "employees": 500, "country": "United States", **extra}


def test_a_demo_request_becomes_an_mql_with_its_reasons_under_the_pact_in_force(signed_pact, now):
    result = lead_intake(ann(lead_type="demo_request"), actor=FORM, now=now)
    lead = Lead.objects.get(pk=result.lead_id)
    assert (result.status, lead.stage, lead.fit, lead.country) == ("created", "mql", 45, "US")
    assert lead.pact_version == signed_pact and lead.rounds == 1
    assert [r["why"] for r in lead.score_reasons] == ["company size in our ICP", "authority", "served region"]
    events = list(lead.events.order_by("id"))
    assert [(e.kind, e.transition, e.to_stage) for e in events] == [("created", "", "inquiry"),
                                                                     ("transition", "qualify", "mql")]
    assert all(e.pact_version == signed_pact for e in events)
    assert [e.actor for e in events] == ["form:test", "system"] and events[1].data["by"] == "form:test"
    assert "meets the MQL definition" in events[1].data["why"]


def test_a_white_paper_lead_with_low_engagement_stays_an_inquiry(signed_pact, now):
    result = lead_intake(ann(lead_type="content_download"), actor=FORM, now=now)
    assert result.stage == "inquiry"


def test_the_same_submission_twice_is_one_lead_and_one_event(signed_pact, now):
    first = lead_intake(ann(idempotency_key="form-1"), actor=FORM, now=now)
    again = lead_intake(ann(idempotency_key="form-1"), actor=FORM, now=now + dt.timedelta(minutes=1))
    same_content = lead_intake(ann(), actor=FORM, now=now)
    assert (first.status, again.status) == ("created", "duplicate")
    assert again.lead_id == first.lead_id == same_content.lead_id
    assert Lead.objects.count() == 1
    assert LeadEvent.objects.filter(kind="created").count() == 1


def test_the_same_email_merges_into_the_known_lead_and_keeps_history(signed_pact, now):
    first = lead_intake(ann(source="google"), actor=FORM, now=now)
    second = lead_intake(ann(email="ANN.LEE@globex.com ", title="Chief Revenue Officer", source="linkedin"),
                         actor=FORM, now=now + dt.timedelta(days=1))
    lead = Lead.objects.get()
    assert (second.status, second.lead_id) == ("merged", first.lead_id)
    assert (lead.title, lead.source) == ("Chief Revenue Officer", "google")
    merged = lead.events.get(kind="merged")
    assert merged.before == {"title": "VP Sales"} and merged.after == {"title": "Chief Revenue Officer"}


def test_a_batch_takes_the_good_rows_and_reports_each_bad_one_by_index(signed_pact, now):
    rows = [ann(), {"email": "bob@"}, ann(email="cy@initech.com"), {"first_name": "nobody"}]
    results = leads_intake(rows, actor=FORM, now=now)
    assert [r.status for r in results] == ["created", "rejected", "created", "rejected"]
    assert "not an email address" in results[1].errors["email"]
    assert "required" in results[3].errors["email"]
    assert Lead.objects.count() == 2


def test_a_repeat_inside_one_batch_is_one_lead(signed_pact, now):
    results = leads_intake([ann(), ann(), ann(title="CFO")], actor=FORM, now=now)
    assert [r.status for r in results] == ["created", "duplicate", "merged"]
    assert len({r.lead_id for r in results}) == 1
    assert Lead.objects.get().title == "CFO"


def test_a_batch_over_the_limit_is_refused_whole(signed_pact, now):
    with pytest.raises(FieldErrors, match="at most 1000"):
        leads_intake([ann(email=f"a{i}@b.com") for i in range(1001)], actor=FORM, now=now)
    assert not Lead.objects.exists()


def test_a_failure_while_writing_leaves_nothing_half_written(signed_pact, now, monkeypatch):
    from leadpact.leads import services

    real_insert = services.insert_rows

    def broken(model, *args, **kwargs):
        if model is services.Submission:
            raise RuntimeError("disk full")
        return real_insert(model, *args, **kwargs)

    monkeypatch.setattr(services, "insert_rows", broken)
    with pytest.raises(RuntimeError):
        leads_intake([ann(), ann(email="cy@initech.com")], actor=FORM, now=now)
    assert not Lead.objects.exists() and not LeadEvent.objects.exists() and not Submission.objects.exists()


def test_a_lead_without_lead_type_gets_the_default_type_and_a_known_lead_keeps_its_own(signed_pact, now):
    first = lead_intake({"email": "dee@hooli.com", "lead_type": "event_attendee"}, actor=FORM, now=now)
    lead_intake({"email": "dee@hooli.com", "title": "CTO"}, actor=FORM, now=now)
    other = lead_intake({"email": "eli@hooli.com"}, actor=FORM, now=now)
    assert Lead.objects.get(pk=first.lead_id).lead_type == "event_attendee"
    assert Lead.objects.get(pk=other.lead_id).lead_type == "contact_us"


def test_an_external_id_identifies_a_record_without_email(signed_pact, now):
    first = lead_intake({"external_id": "X-1", "company": "Acme"}, actor=FORM, now=now)
    again = lead_intake({"external_id": "X-1", "company": "Acme Corp"}, actor=FORM, now=now)
    assert again.lead_id == first.lead_id and again.status == "merged"


@pytest.mark.parametrize("bad", [{"employees": 99999999999}, {"employees": 1e20}, {"title": "VP\u0000Sales"},
                                 {"company": "x" * 256}, {"custom": {"note": "a\u0000"}}, {"custom": {"n": 10**30}},
                                 {"custom": {"note": "x" * 1001}}, {"custom": {"k" * 65: 1}}])
def test_a_value_the_database_cannot_hold_is_a_rejected_row_and_the_good_rows_go_in(signed_pact, now, bad):
    results = leads_intake([ann(), {"email": "bo@initech.com", **bad}, ann(email="cy@initech.com")], actor=FORM,
                           now=now)
    assert [r.status for r in results] == ["created", "rejected", "created"]
    assert set(results[1].errors) == {next(iter(bad)) if "custom" not in bad else f"custom.{next(iter(bad['custom']))}"}
    assert Lead.objects.count() == 2


def test_every_lead_text_column_holds_what_the_intake_accepts():
    from leadpact.core.intake import TEXT_LIMITS

    assert {name: Lead._meta.get_field(name).max_length for name in TEXT_LIMITS} == TEXT_LIMITS


def test_an_email_and_an_external_id_of_two_leads_are_refused_naming_both(signed_pact, now):
    first = lead_intake({"email": "x1@globex.com", "external_id": "EXT-1"}, actor=FORM, now=now)
    second = lead_intake({"email": "x2@globex.com"}, actor=FORM, now=now)
    results = leads_intake([{"email": "x2@globex.com", "external_id": "EXT-1"}, ann()], actor=FORM, now=now)
    assert [r.status for r in results] == ["rejected", "created"]
    assert results[0].errors == {"external_id": f"external_id EXT-1 belongs to lead {first.lead_id} and email "
                                                f"x2@globex.com to lead {second.lead_id}; send one of them"}
    assert Lead.objects.get(pk=second.lead_id).external_id is None and Lead.objects.count() == 3


def test_two_new_leads_of_one_batch_cannot_be_joined_by_a_third_row(signed_pact, now):
    rows = [{"email": "x1@globex.com", "external_id": "EXT-1"}, {"email": "x2@globex.com"},
            {"email": "x2@globex.com", "external_id": "EXT-1"}]
    results = leads_intake(rows, actor=FORM, now=now)
    assert [r.status for r in results] == ["created", "created", "rejected"]
    assert "a lead new in this batch" in results[2].errors["external_id"]


def test_an_idempotency_key_used_again_for_other_content_is_refused(signed_pact, now):
    first = lead_intake({"email": "a@globex.com", "idempotency_key": "k1"}, actor=FORM, now=now)
    with pytest.raises(IdempotencyConflict, match="idempotency_key k1 was used for another submission; use a new key"):
        lead_intake({"email": "b@globex.com", "idempotency_key": "k1"}, actor=FORM, now=now)
    (row,) = leads_intake([{"email": "b@globex.com", "idempotency_key": "k1"}], actor=FORM, now=now)
    assert row.status == "rejected" and "use a new key" in row.errors["idempotency_key"]
    again = lead_intake({"email": "A@globex.com ", "idempotency_key": "k1"}, actor=FORM, now=now)
    assert (again.status, again.lead_id) == ("duplicate", first.lead_id)
    assert list(Lead.objects.values_list("email", flat=True)) == ["a@globex.com"]


def test_a_key_reused_inside_one_batch_for_other_content_is_a_rejected_row(signed_pact, now):
    results = leads_intake([{"email": "a@globex.com", "idempotency_key": "k1"},
                            {"email": "b@globex.com", "idempotency_key": "k1"}], actor=FORM, now=now)
    assert [r.status for r in results] == ["created", "rejected"]


def test_idempotency_keys_belong_to_their_sender(signed_pact, now):
    zapier = Actor("api:zapier", Role.MARKETING)
    first = lead_intake({"email": "a@globex.com", "idempotency_key": "k1"}, actor=FORM, now=now)
    other = lead_intake({"email": "b@globex.com", "idempotency_key": "k1"}, actor=zapier, now=now)
    assert other.status == "created" and other.lead_id != first.lead_id
    assert set(Submission.objects.values_list("actor", "key")) == {("form:test", "k1"), ("api:zapier", "k1")}


def test_the_same_content_again_after_a_change_is_a_change_back_not_a_repeat(signed_pact, now):
    statuses = [lead_intake({"email": "ann@globex.com", "title": title}, actor=FORM, now=now).status
                for title in ("Analyst", "VP Sales", "Analyst", "Analyst")]
    assert statuses == ["created", "merged", "merged", "duplicate"]
    assert Lead.objects.get().title == "Analyst"


def test_a_row_that_is_not_an_object_is_reported_by_index(signed_pact, now):
    results = leads_intake([ann(), "ann@globex.com", None], actor=FORM, now=now)
    assert [r.status for r in results] == ["created", "rejected", "rejected"]
    assert results[1].errors["row"].startswith("give an object")


def test_a_form_post_keeps_the_lead_with_its_bad_values_set_aside(signed_pact, now):
    result = lead_intake(ann(phone="ask reception"), actor=FORM, now=now, keep_bad_fields=True)
    lead = Lead.objects.get(pk=result.lead_id)
    assert (lead.phone, lead.custom["phone_as_sent"]) == ("", "ask reception")
    assert "kept as sent under custom.phone_as_sent" in result.warnings[0]
    with pytest.raises(FieldErrors):
        lead_intake(ann(phone="ask reception"), actor=FORM, now=now)
