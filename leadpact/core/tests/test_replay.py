"""Replaying a recorded lead under a pact."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from pathlib import Path

import pytest

from leadpact.core.pact_loader import parse_pact
from leadpact.core.replay import PastLead, judge, replay

T0 = dt.datetime(2026, 12, 1, 15, tzinfo=dt.timezone.utc)
BIG_VP = {"email": "ann@globex.example", "company": "Globex", "title": "VP Sales", "employees": 500,
          "country": "US", "lead_type": "content_download"}


@pytest.fixture(scope="module")
def pact():
    return parse_pact((Path(__file__).resolve().parents[2] / "examples" / "pact.yaml").read_text())


def at(days: float) -> dt.datetime:
    return T0 + dt.timedelta(days=days)


def test_a_fit_lead_qualifies_at_the_signal_that_brings_its_engagement_to_the_definition(pact):
    lead = PastLead(1, BIG_VP, at(0), (("email_click", at(1)), ("webinar_attended", at(2)),
                                       ("pricing_page_view", at(3)), ("pricing_page_view", at(4))))
    verdict = replay(pact, lead)  # fit 45; engagement 3 + 15 = 18 at day 2, then past 20 at day 3
    assert (verdict.qualified_at, verdict.team) == (at(3), "commercial")


def test_engagement_decays_between_signals_and_unscored_signals_do_not_count(pact):
    lead = PastLead(1, BIG_VP, at(0), (("webinar_attended", at(0)), ("page_scroll", at(1)),
                                       ("email_click", at(60))))  # 15 halves twice in 42 days: 3.75 + 3 < 20
    assert replay(pact, lead).qualified_at is None


def test_a_demo_request_qualifies_on_arrival_and_the_route_follows_the_rules(pact):
    lead = PastLead(2, {**BIG_VP, "lead_type": "demo_request", "country": "DE"}, at(0))
    assert (replay(pact, lead).qualified_at, replay(pact, lead).team) == (at(0), "emea")


def test_judging_counts_mqls_per_month_acceptance_and_won_deals_caught_in_time(pact):
    leads = [PastLead(1, {**BIG_VP, "lead_type": "demo_request"}, at(0), mql_at=at(2), accepted=True, won_at=at(30)),
             PastLead(2, {**BIG_VP, "lead_type": "demo_request"}, at(40), accepted=False),
             PastLead(3, BIG_VP, at(0), won_at=at(10))]
    outcome = judge("v3", pact, leads, zoneinfo.ZoneInfo("UTC"))
    assert outcome.mqls == {1, 2} and dict(outcome.mqls_by_month) == {"2026-12": 1, "2027-01": 1}
    assert (outcome.expected_acceptance, outcome.won_qualified, outcome.days_earlier) == (0.5, 1, [2.0])


def test_a_qualification_after_the_period_looked_at_does_not_count(pact):
    lead = PastLead(1, BIG_VP, at(0), (("webinar_attended", at(20)), ("pricing_page_view", at(21))))
    assert replay(pact, lead).qualified_at == at(21)
    assert judge("v3", pact, [lead], zoneinfo.ZoneInfo("UTC"), until=at(21)).mqls == set()
    assert judge("v3", pact, [lead], zoneinfo.ZoneInfo("UTC"), until=at(22)).mqls == {1}
