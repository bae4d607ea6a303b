"""The rounds table, written with the history and rebuilt from it."""

from __future__ import annotations

import pytest

from leadpact.handoff.tests.helpers import ny
from leadpact.leads.models import Round
from leadpact.leads.rounds import COLUMNS, rebuild

pytestmark = pytest.mark.django_db


def snapshot() -> list[tuple]:
    names = [Round._meta.get_field(name).attname for name in COLUMNS]
    return sorted(Round.objects.values_list(*names))


def test_each_hand_off_is_a_round_with_its_stages_attempts_and_ending(history):
    rounds = {(r.lead.first_name, r.number): r for r in Round.objects.select_related("lead", "owner")}
    assert set(rounds) == {("won", 1), ("rejected", 1), ("returning", 1), ("returning", 2), ("lost", 1)}
    won = rounds["won", 1]
    assert (won.mql_at, won.accepted_at, won.first_attempt_at, won.contacted_at) == (
        ny(2026, 12, 1, 10), ny(2026, 12, 1, 10, 30), ny(2026, 12, 1, 11), ny(2026, 12, 1, 11))
    assert (won.outcome, won.won_at, won.team, won.owner.email) == ("won", ny(2026, 12, 10, 10), "commercial",
                                                                    history.won.owner.email)
    assert (rounds["rejected", 1].outcome, rounds["rejected", 1].outcome_reason) == ("rejected", "not_our_icp")
    first, second = rounds["returning", 1], rounds["returning", 2]
    assert (first.outcome, first.outcome_reason, first.attempts, first.returning) == ("recycled", "not_ready_yet",
                                                                                      1, False)
    assert (second.outcome, second.returning, str(second.mql_day)) == ("", True, "2027-01-06")
    assert (rounds["lost", 1].outcome_reason, rounds["lost", 1].attempts, rounds["lost", 1].contact_attempt) == (
        "price", 2, 2)


def test_rebuilding_from_the_history_gives_the_same_rounds(history):
    kept = snapshot()
    assert rebuild() == 5
    assert snapshot() == kept


def test_a_round_keeps_what_the_lead_was_when_it_qualified_and_a_rebuild_agrees(history):
    from leadpact.handoff.tests.helpers import FORM
    from leadpact.leads.models import Lead
    from leadpact.leads.services import lead_intake

    lead_intake({"email": history.won.email, "source": "partner", "campaign": "spring"}, actor=FORM,
                now=ny(2027, 1, 20, 9))
    assert Lead.objects.get(pk=history.won.pk).source == "partner"
    won = Round.objects.get(lead=history.won)
    assert (won.source, won.campaign, won.lead_type) == ("", "", "demo_request")
    kept = snapshot()
    rebuild()
    assert snapshot() == kept


def test_migrate_folds_the_history_of_a_database_from_before_the_rounds(history):
    from django.core.management import call_command

    kept = snapshot()
    Round.objects.all().delete()
    call_command("migrate", verbosity=0)
    assert snapshot() == kept
    call_command("migrate", verbosity=0)  # and only then: a second run changes nothing
    assert snapshot() == kept
