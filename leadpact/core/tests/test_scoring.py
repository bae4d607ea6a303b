from __future__ import annotations

import datetime as dt

import pytest

from leadpact.core import scoring
from leadpact.core.pact_loader import parse_pact

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
DAY = 86400


@pytest.fixture
def pact(text):
    return parse_pact(text)


def lead(**fields):
    return {"email": "ann@globex.com", "company": "Globex", "lead_type": "content_download", **fields}


def test_fit_adds_the_points_of_every_matching_rule_with_its_reason(pact):
    record = scoring.record_for(lead(employees=500, title="VP Sales", country="US"))
    fit, reasons = scoring.fit_score(pact, record)
    assert fit == 45
    assert [(r.points, r.why) for r in reasons] == [(15, "company size in our ICP"), (20, "authority"),
                                                   (10, "served region")]


def test_a_personal_address_costs_points(pact):
    fit, reasons = scoring.fit_score(pact, scoring.record_for(lead(email="ann@gmail.com")))
    assert fit == -25 and reasons[0].why == "personal address"


def test_engagement_halves_every_half_life():
    engagement = scoring.Engagement().add(16, T0, 21 * DAY)
    assert engagement.at(T0, 21 * DAY) == 16
    assert engagement.at(T0 + dt.timedelta(days=21), 21 * DAY) == pytest.approx(8)
    assert engagement.at(T0 + dt.timedelta(days=42), 21 * DAY) == pytest.approx(4)


def test_signals_arriving_out_of_order_give_the_same_engagement():
    a, b = T0, T0 + dt.timedelta(days=5)
    forward = scoring.Engagement().add(10, a, 21 * DAY).add(15, b, 21 * DAY)
    backward = scoring.Engagement().add(15, b, 21 * DAY).add(10, a, 21 * DAY)
    later = T0 + dt.timedelta(days=30)
    assert forward.at(later, 21 * DAY) == pytest.approx(backward.at(later, 21 * DAY))
    assert forward.at(later, 21 * DAY) == pytest.approx(10 * 0.5 ** (30 / 21) + 15 * 0.5 ** (25 / 21))


def test_a_demo_request_is_an_mql_whatever_its_score(pact):
    record = scoring.record_for(lead(lead_type="demo_request"))
    assert scoring.qualify(pact, record).is_mql


def test_fit_and_engagement_together_make_an_mql(pact):
    assert scoring.qualify(pact, scoring.record_for(lead(), fit=25, engagement=20)).is_mql
    assert not scoring.qualify(pact, scoring.record_for(lead(), fit=25, engagement=19.9)).is_mql


def test_a_lead_without_a_required_field_is_not_handed_over(pact):
    result = scoring.qualify(pact, scoring.record_for(lead(company=None, lead_type="demo_request")))
    assert result.meets_definition and not result.is_mql
    assert result.missing == ("company",)
    assert "lacks company" in result.explain(pact)


def test_a_recycled_lead_requalifies_on_new_engagement(pact):
    assert scoring.requalifies(pact, scoring.record_for(lead(), engagement=25))
    assert not scoring.requalifies(pact, scoring.record_for(lead(), engagement=24))


def test_engagement_reasons_show_what_each_signal_is_worth_now(pact):
    reasons = scoring.engagement_reasons(pact, [("webinar_attended", T0), ("unknown_signal", T0)],
                                         T0 + dt.timedelta(days=21))
    assert [(r.rule, r.points) for r in reasons] == [("webinar_attended", 7.5)]
