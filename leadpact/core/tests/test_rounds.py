"""Folding a lead's history into rounds."""

from __future__ import annotations

import datetime as dt

from leadpact.core.rounds import HistoryEvent, RoundFacts, fold

T0 = dt.datetime(2026, 12, 1, 14, tzinfo=dt.timezone.utc)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def move(hours: float, name: str, reason: str = "", **data) -> HistoryEvent:
    return HistoryEvent(at(hours), "transition", name, reason, data, pact_version_id=3)


def attempt(hours: float, number: int, contact: bool = False) -> HistoryEvent:
    return HistoryEvent(at(hours), "attempt", data={"number": number, "channel": "phone", "contact": contact})


def test_a_round_records_when_it_reached_each_stage_its_attempts_and_how_it_ended():
    [facts] = fold(None, 0, [HistoryEvent(at(-1), "created"), move(0, "qualify"),
                             move(0.1, "assign", owner="cy@acme.example", team="commercial"), move(1, "accept"),
                             attempt(2, 1), attempt(5, 2, contact=True), attempt(6, 3, contact=True),
                             move(7, "convert"), move(30, "win")])
    assert (facts.number, facts.mql_at, facts.pact_version_id, facts.returning) == (1, at(0), 3, False)
    assert (facts.owner, facts.team, facts.assigned_at, facts.accepted_at) == ("cy@acme.example", "commercial",
                                                                                at(0.1), at(1))
    assert (facts.attempts, facts.first_attempt_at, facts.contacted_at, facts.contact_attempt) == (3, at(2), at(5), 2)
    assert (facts.converted_at, facts.won_at, facts.outcome, facts.ended_at) == (at(7), at(30), "won", at(30))


def test_a_hand_back_ends_the_round_and_a_new_qualification_starts_the_next_one():
    first, second = fold(None, 0, [move(0, "qualify"), move(0.1, "assign", owner="cy@acme.example"),
                                   move(1, "recycle", "not_ready_yet"), move(2, "disqualify", "spam"),
                                   move(50, "qualify"), move(50.2, "assign", owner="dee@acme.example")])
    assert (first.outcome, first.outcome_reason, first.recycled_at, first.disqualified_at) == (
        "recycled", "not_ready_yet", at(1), None)  # what happens after the round ended is not the round's
    assert (second.number, second.returning, second.owner, second.outcome) == (2, True, "dee@acme.example", "")


def test_new_events_continue_the_current_round_and_an_owner_change_moves_it():
    current = RoundFacts(number=2, mql_at=at(0), owner="cy@acme.example", team="commercial", assigned_at=at(0.1))
    [facts] = fold(current, 2, [HistoryEvent(at(1), "owner", data={"owner": "ann@acme.example", "team": "enterprise"}),
                                move(2, "reject", "not_our_icp")])
    assert facts is current
    assert (facts.owner, facts.team, facts.outcome, facts.rejected_at) == ("ann@acme.example", "enterprise",
                                                                           "rejected", at(2))


def test_events_before_the_first_qualification_touch_no_round():
    assert fold(None, 0, [HistoryEvent(at(0), "created"), move(1, "nurture"), move(2, "disqualify", "spam")]) == []
