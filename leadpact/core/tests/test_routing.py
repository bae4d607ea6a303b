"""Routing decisions: deterministic, explained, never to someone who cannot take the lead."""

from __future__ import annotations

from collections import Counter

from leadpact.core.pact import Team
from leadpact.core.routing import Member, choose_owner

ANN, BO, CY = "ann@acme.example", "bo@acme.example", "cy@acme.example"


def team(strategy: str, max_open: int | None = None, weights: dict[str, int] | None = None) -> Team:
    return Team("sales", "us-east", strategy, max_open, "raj@acme.example", (ANN, BO, CY), weights or {})


def test_round_robin_gives_the_next_member_after_the_last_one():
    members = [Member(ANN, 0), Member(BO, 0), Member(CY, 0)]
    assert choose_owner(team("round_robin"), members, last_assigned=BO).owner == CY
    assert choose_owner(team("round_robin"), members, last_assigned=CY).owner == ANN
    assert choose_owner(team("round_robin"), members).owner == ANN


def test_round_robin_skips_people_away_and_says_why():
    members = [Member(ANN, 0), Member(BO, 0, at_work=False, away_until="out of office until 2026-12-08"),
               Member(CY, 0)]
    choice = choose_owner(team("round_robin"), members, last_assigned=ANN)
    assert choice.owner == CY and choice.why["skipped"] == {BO: "out of office until 2026-12-08"}


def test_least_loaded_takes_the_fewest_open_leads_and_breaks_ties_by_share_then_order():
    assert choose_owner(team("least_loaded"), [Member(ANN, 3), Member(BO, 1), Member(CY, 2)]).owner == BO
    tied = [Member(ANN, 1, assigned=5), Member(BO, 1, assigned=2), Member(CY, 1, assigned=2)]
    assert choose_owner(team("least_loaded"), tied).owner == BO


def test_nobody_under_the_cap_leaves_the_lead_waiting_with_the_reason():
    choice = choose_owner(team("least_loaded", max_open=2), [Member(ANN, 2), Member(BO, 5), Member(CY, 2)])
    assert choice.owner is None and choice.why["because"] == "nobody in the team can take a lead now"
    assert choice.why["skipped"][BO] == "at the cap of 2 open leads"


def test_weighted_gives_leads_in_proportion_to_weight():
    weights = {ANN: 3, BO: 1, CY: 1}
    given: Counter = Counter()
    for _ in range(50):
        members = [Member(m, 0, assigned=given[m], weight=weights[m]) for m in (ANN, BO, CY)]
        given[choose_owner(team("weighted", weights=weights), members).owner] += 1
    assert given == Counter({ANN: 30, BO: 10, CY: 10})


def test_the_account_owner_gets_the_lead_when_they_can_take_it():
    members = [Member(ANN, 0), Member(BO, 9), Member(CY, 0)]
    assert choose_owner(team("least_loaded"), members, account_owner=BO).owner == BO
    away = [Member(ANN, 0), Member(BO, 0, at_work=False), Member(CY, 0)]
    assert choose_owner(team("least_loaded"), away, account_owner=BO).owner == ANN


def test_the_same_state_gives_the_same_choice():
    members = [Member(ANN, 2, assigned=4), Member(BO, 2, assigned=4), Member(CY, 3)]
    assert len({choose_owner(team("least_loaded"), members).owner for _ in range(20)}) == 1
