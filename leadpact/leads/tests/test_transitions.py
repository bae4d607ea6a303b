from __future__ import annotations

import pytest

from leadpact.core.errors import IllegalTransition
from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.models import Lead, LeadEvent
from leadpact.leads.services import lead_intake, lead_transition

pytestmark = pytest.mark.django_db


@pytest.fixture
def mql(signed_pact, now):
    row = {"email": "ann@globex.com", "company": "Globex", "lead_type": "demo_request"}
    return Lead.objects.get(pk=lead_intake(row, actor=Actor("form", Role.MARKETING), now=now).lead_id)


def test_each_change_is_recorded_with_who_when_why_and_the_pact_version(mql, now, people, signed_pact):
    rep = Actor("user:cy@acme.example", Role.REP, people["rep"].pk)
    lead_transition(mql.pk, "assign", actor=Actor("system", Role.SYSTEM), now=now, owner=people["rep"])
    lead = lead_transition(mql.pk, "reject", actor=rep, now=now, reason="not_our_icp", note="a student project")
    event = lead.events.order_by("-id").first()
    assert (lead.stage, event.from_stage, event.to_stage) == ("rejected", "assigned", "rejected")
    assert (event.actor, event.actor_role, event.reason, event.note) == ("user:cy@acme.example", "rep",
                                                                        "not_our_icp", "a student project")
    assert event.pact_version == signed_pact and event.at == now
    assert event.before == {"stage": "assigned"} and event.after == {"stage": "rejected"}


def test_an_illegal_transition_changes_nothing(mql, now):
    before = LeadEvent.objects.count()
    with pytest.raises(IllegalTransition, match="from here it can: assign"):
        lead_transition(mql.pk, "accept", actor=Actor("user:x", Role.REP), now=now)
    mql.refresh_from_db()
    assert mql.stage == "mql" and LeadEvent.objects.count() == before


def test_a_reason_outside_the_pacts_list_is_refused(mql, now, people):
    lead_transition(mql.pk, "assign", actor=Actor("system", Role.SYSTEM), now=now, owner=people["rep"])
    with pytest.raises(IllegalTransition, match="not a reason to reject in this pact"):
        lead_transition(mql.pk, "reject", actor=Actor("user:x", Role.REP), now=now, reason="busy")
    assert Lead.objects.get(pk=mql.pk).stage == "assigned"


def test_history_rows_cannot_be_changed(mql):
    event = mql.events.first()
    event.note = "rewritten"
    with pytest.raises(ValueError, match="append-only"):
        event.save()
