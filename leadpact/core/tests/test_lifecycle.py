from __future__ import annotations

import pytest

from leadpact.core.errors import IllegalTransition
from leadpact.core.lifecycle import (
    STAGES,
    TRANSITIONS,
    Role,
    Stage,
    allowed_from,
    check_transition,
)


def test_every_stage_has_a_label_and_a_colour():
    assert set(STAGES) == set(Stage)
    assert all(info.label and info.colour for info in STAGES.values())


def test_the_waterfall_path_is_allowed():
    path = [("qualify", Role.SYSTEM), ("assign", Role.SYSTEM), ("accept", Role.REP), ("work", Role.REP),
            ("convert", Role.REP), ("win", Role.REP)]
    stage = Stage.INQUIRY
    for name, role in path:
        stage = check_transition(stage, name, role, None).target
    assert stage is Stage.WON


def test_an_illegal_transition_says_what_is_allowed_from_here():
    with pytest.raises(IllegalTransition) as err:
        check_transition(Stage.INQUIRY, "accept", Role.REP, None)
    message = str(err.value)
    assert "stage 'inquiry' cannot accept" in message
    assert "nurture" in message and "qualify" in message and "disqualify" in message


def test_a_rep_may_not_qualify_a_lead():
    with pytest.raises(IllegalTransition, match="a rep may not qualify"):
        check_transition(Stage.NURTURING, "qualify", Role.REP, None)


def test_reject_needs_a_reason_from_the_pacts_list():
    with pytest.raises(IllegalTransition, match="needs a reason; one of: not_our_icp"):
        check_transition(Stage.ASSIGNED, "reject", Role.REP, None, ("not_our_icp", "duplicate"))
    with pytest.raises(IllegalTransition, match="'too_busy' is not a reason to reject"):
        check_transition(Stage.ASSIGNED, "reject", Role.REP, "too_busy", ("not_our_icp",))
    assert check_transition(Stage.ASSIGNED, "reject", Role.REP, "not_our_icp", ("not_our_icp",)).target is Stage.REJECTED


def test_a_recycled_lead_can_qualify_again_any_number_of_times():
    stage = Stage.RECYCLED
    for _ in range(3):
        stage = check_transition(stage, "qualify", Role.SYSTEM, None).target
        stage = check_transition(stage, "assign", Role.SYSTEM, None).target
        stage = check_transition(stage, "recycle", Role.REP, "not_ready_yet").target
    assert stage is Stage.RECYCLED


def test_won_is_final():
    assert allowed_from(Stage.WON) == []
    with pytest.raises(IllegalTransition, match="nothing"):
        check_transition(Stage.WON, "reopen", Role.ADMIN, None)


def test_an_unknown_transition_lists_the_known_ones():
    with pytest.raises(IllegalTransition, match="known: nurture"):
        check_transition(Stage.MQL, "promote", Role.ADMIN, None)


def test_every_stage_but_the_start_is_reachable():
    reachable = {t.target for t in TRANSITIONS.values()}
    assert reachable == set(Stage) - {Stage.INQUIRY}
