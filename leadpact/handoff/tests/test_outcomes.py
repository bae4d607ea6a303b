"""Recording past history: leads taken in on their own dates, and the outcomes a CRM knows of them."""

from __future__ import annotations

import io

import pytest

from leadpact.core.lifecycle import Actor, Role
from leadpact.handoff.outcomes import outcomes_record
from leadpact.handoff.tests.helpers import ny
from leadpact.leads.csv_import import ColumnMapping, import_leads
from leadpact.leads.models import Lead, LeadEvent, Round

pytestmark = pytest.mark.django_db
IMPORT = Actor("import:crm", Role.ADMIN)
MAPPING = ColumnMapping({"id": "external_id", "type": "lead_type", "company": "company", "email": "email",
                         "on": "custom.on"}, at="on")
FILE = ("id,type,company,email,on\n"
        "d1,demo_request,Globex,d1@globex.example,2026-12-03 10:00\n"
        "c1,content_download,Initech,c1@initech.example,2026-12-01\n"
        "bad,demo_request,Hooli,bad@hooli.example,3 Dec\n")


@pytest.fixture
def imported(pact):
    rejects = io.StringIO()
    summary = import_leads(io.StringIO(FILE), MAPPING, actor=IMPORT, now=lambda: ny(2027, 3, 1), rejects=rejects)
    return summary, rejects.getvalue()


def test_dated_rows_are_taken_in_on_their_own_dates_and_not_handed_to_anyone_now(imported):
    summary, rejects = imported
    assert (summary.created, summary.rejected) == (2, 1)
    assert "on: not a date or time: '3 Dec'; write it like 2026-11-25" in rejects
    demo = Lead.objects.get(external_id="d1")
    assert (demo.stage, demo.route_at, demo.created_at) == ("mql", None, ny(2026, 12, 3, 5))  # 10:00 UTC
    assert LeadEvent.objects.get(lead=demo, transition="qualify").at == ny(2026, 12, 3, 5)
    assert Lead.objects.get(external_id="c1").created_at.isoformat() == "2026-12-01T00:00:00+00:00"


def test_an_outcome_walks_the_lead_to_won_with_each_step_dated(imported):
    [result] = outcomes_record([{"external_id": "d1", "accepted_at": "2026-12-04 09:00",
                                 "won_at": "2026-12-20 16:00", "owner": "cy@acme.example"}], actor=IMPORT)
    assert (result.status, result.warnings) == ("recorded", {})
    lead = Lead.objects.get(external_id="d1")
    assert (lead.stage, lead.owner.email, lead.team) == ("won", "cy@acme.example", "commercial")
    steps = list(LeadEvent.objects.filter(lead=lead, kind="transition").values_list("transition", "at"))
    assert steps[1:] == [("assign", ny(2026, 12, 4, 4)), ("accept", ny(2026, 12, 4, 4)),
                         ("convert", ny(2026, 12, 20, 11)), ("win", ny(2026, 12, 20, 11))]
    round_ = Round.objects.get(lead=lead)
    assert (round_.outcome, round_.owner.email, round_.won_at) == ("won", "cy@acme.example", ny(2026, 12, 20, 11))


@pytest.mark.parametrize(("row", "field", "says"), [
    ({"external_id": "nobody", "won_at": "2026-12-20"}, "external_id", "no lead nobody; import the leads first"),
    ({"external_id": "d1", "won_at": "2026-12-20", "lost_at": "2026-12-21"}, "lost_at", "won or lost, not both"),
    ({"external_id": "d1", "lost_at": "2026-12-21", "lost_reason": "bored"}, "lost_reason", "'bored' is not a reason"),
    ({"external_id": "d1", "accepted_at": "2026-12-22", "won_at": "2026-12-21"}, "won_at", "is before accepted_at"),
    ({"external_id": "c1", "won_at": "2026-12-21"}, "external_id", "is inquiry; outcomes are recorded for leads"),
    ({"external_id": "d1", "won_at": "soon"}, "won_at", "not a date or time"),
    ({"external_id": "d1", "won_at": "2026-12-21", "owner": "ghost@acme.example"}, "owner", "no person"),
    ({"external_id": "d1", "stage": "won"}, "stage", "not an outcome field"),
])
def test_a_bad_outcome_row_is_refused_naming_the_field_and_changes_nothing(imported, row, field, says):
    [result] = outcomes_record([row], actor=IMPORT)
    assert result.status == "rejected" and says in result.errors[field]
    assert Lead.objects.get(external_id="d1").stage == "mql"
    assert not LeadEvent.objects.filter(lead__external_id="d1", transition__in=["assign", "win", "lose"]).exists()


def test_a_date_before_the_lead_was_an_mql_is_recorded_then_and_said(imported):
    [result] = outcomes_record([{"external_id": "d1", "won_at": "2026-12-01 12:00"}], actor=IMPORT)
    assert result.status == "recorded"
    assert result.warnings == {"won_at": "2026-12-01 12:00 is before the lead became mql (2026-12-03 10:00); "
                                         "recorded then"}
    win = LeadEvent.objects.get(lead__external_id="d1", transition="win")
    assert win.at == ny(2026, 12, 3, 5) and "before the lead became mql" in win.data["given"]
