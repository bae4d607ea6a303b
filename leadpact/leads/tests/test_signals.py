from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.engagement import signals_record
from leadpact.leads.models import Lead, Signal
from leadpact.leads.selectors import lead_engagement, lead_reasons
from leadpact.leads.services import lead_intake, lead_transition

pytestmark = pytest.mark.django_db
MA = Actor("api:automation", Role.MARKETING)


@pytest.fixture
def lead(signed_pact, now):
    row = {"email": "ann@globex.com", "company": "Globex", "title": "VP Sales", "employees": 300,
           "lead_type": "content_download"}
    return Lead.objects.get(pk=lead_intake(row, actor=MA, now=now).lead_id)


def signal(name, at, **extra):
    return {"email": "ann@globex.com", "signal": name, "at": at.isoformat(), **extra}


def test_engagement_past_the_definition_makes_an_mql(lead, now):
    assert lead.stage == "inquiry" and lead.fit == 35
    results = signals_record([signal("webinar_attended", now), signal("pricing_page_view", now)], actor=MA, now=now)
    lead.refresh_from_db()
    assert [r.points for r in results] == [15, 8]
    assert lead.stage == "mql"
    qualified = lead.events.filter(transition="qualify").get()
    assert (qualified.actor, qualified.data["by"]) == ("system", "api:automation")


def test_engagement_decays_with_the_pacts_half_life(lead, now):
    signals_record([signal("webinar_attended", now - dt.timedelta(days=21))], actor=MA, now=now)
    lead.refresh_from_db()
    assert lead_engagement(lead, now) == pytest.approx(7.5)
    assert lead_engagement(lead, now + dt.timedelta(days=21)) == pytest.approx(3.75)
    reasons = [r for r in lead_reasons(lead, now) if r["kind"] == "engagement"]
    assert reasons[0]["rule"] == "webinar_attended" and reasons[0]["points"] == 7.5


def test_unknown_emails_and_bad_rows_are_reported_and_the_rest_recorded(lead, now):
    results = signals_record([signal("email_click", now), {"email": "who@nowhere.com", "signal": "email_click"},
                              {"email": "ann@globex.com", "signal": "Bad Name"},
                              signal("email_click", now + dt.timedelta(days=1))], actor=MA, now=now)
    assert [r.status for r in results] == ["recorded", "rejected", "rejected", "rejected"]
    assert "send the lead first" in results[1].errors["email"]
    assert "signal" in results[2].errors and "in the future" in results[3].errors["at"]
    assert Signal.objects.count() == 1


def test_a_repeated_signal_key_is_recorded_once(lead, now):
    rows = [signal("email_click", now, idempotency_key="evt-1")]
    signals_record(rows, actor=MA, now=now)
    (again,) = signals_record(rows, actor=MA, now=now)
    assert again.status == "duplicate" and Signal.objects.count() == 1


def test_a_signal_the_pact_does_not_score_is_kept_with_a_warning(lead, now):
    (result,) = signals_record([signal("podcast_listened", now)], actor=MA, now=now)
    assert result.status == "recorded" and result.points == 0 and "earns no points" in result.warnings[0]


def test_a_recycled_lead_comes_back_as_a_returning_mql_any_number_of_times(lead, now, people):
    rep = Actor("user:cy@acme.example", Role.REP, people["rep"].pk)
    signals_record([signal("webinar_attended", now), signal("pricing_page_view", now)], actor=MA, now=now)
    t = now
    for round_ in (2, 3):
        t += dt.timedelta(days=60)
        lead_transition(lead.pk, "assign", actor=Actor("system", Role.SYSTEM), now=t, owner=people["rep"])
        lead_transition(lead.pk, "recycle", actor=rep, now=t, reason="not_ready_yet")
        signals_record([signal("webinar_attended", t), signal("content_download", t)], actor=MA, now=t)
        lead.refresh_from_db()
        assert (lead.stage, lead.is_returning, lead.rounds) == ("mql", True, round_)
    assert lead.events.filter(transition="qualify").count() == 3


def test_a_signal_sent_twice_without_a_key_counts_once(lead, now):
    rows = [signal("webinar_attended", now, properties={"webinar": "q4-launch"})]
    (first,) = signals_record(rows, actor=MA, now=now)
    (again,) = signals_record(rows, actor=MA, now=now + dt.timedelta(minutes=2))
    assert (first.status, again.status) == ("recorded", "duplicate")
    lead.refresh_from_db()
    assert Signal.objects.count() == 1 and lead_engagement(lead, now) == 15


def test_the_same_signal_at_another_time_counts_again(lead, now):
    signals_record([signal("email_click", now - dt.timedelta(hours=1))], actor=MA, now=now)
    (other,) = signals_record([signal("email_click", now)], actor=MA, now=now)
    assert other.status == "recorded" and Signal.objects.count() == 2


@pytest.mark.parametrize("bad,field", [({"email": "ann\u0000@globex.com"}, "email"),
                                       ({"properties": {"page": "/a\u0000"}}, "properties"),
                                       ({"properties": {"n": float("nan")}}, "properties"),
                                       ({"properties": {"big": "x" * 10_001}}, "properties"),
                                       ({"idempotency_key": "k\u0000"}, "idempotency_key"),
                                       ({"at": "0001-01-01T00:00:00+01:00"}, "at")])
def test_a_signal_the_database_cannot_hold_is_a_rejected_row(lead, now, bad, field):
    results = signals_record([signal("email_click", now), {**signal("webinar_attended", now), **bad}], actor=MA,
                             now=now)
    assert [r.status for r in results] == ["recorded", "rejected"]
    assert set(results[1].errors) == {field}
