from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core.errors import FieldErrors
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
    assert all(e.pact_version == signed_pact and e.actor == "form:test" for e in events)
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
