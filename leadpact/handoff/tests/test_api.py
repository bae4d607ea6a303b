"""The hand-off through the HTTP API: one call per action, refusals with their status and message."""

from __future__ import annotations

import pytest
from django.test import Client

from leadpact.accounts.models import User
from leadpact.accounts.services import token_create
from leadpact.handoff.tests.helpers import ny

pytestmark = pytest.mark.django_db


@pytest.fixture
def at_monday_nine(clock_at):
    clock_at(ny(2026, 12, 7, 9))


def client_for(email: str) -> Client:
    _, raw = token_create(User.objects.get(email=email), "tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def test_the_owner_accepts_logs_attempts_and_reads_the_clocks(arrive, at_monday_nine):
    lead = arrive(ny(2026, 12, 7, 9))
    cy = client_for("cy@acme.example")
    accepted = cy.post(f"/api/leads/{lead.pk}/accept")
    assert accepted.status_code == 200 and accepted.json()["stage"] == "accepted"
    logged = cy.post(f"/api/leads/{lead.pk}/attempts", {"channel": "phone", "outcome": "voicemail"},
                     content_type="application/json")
    assert logged.status_code == 201 and logged.json()["number"] == 1
    clocks = {c["kind"]: c for c in cy.get(f"/api/leads/{lead.pk}/clocks").json()}
    assert clocks["accept"]["state"] == "met" and clocks["response"]["state"] == "met"
    assert clocks["cadence"]["step"] == 2 and clocks["cadence"]["left"].endswith("left")
    assert [a["outcome"] for a in cy.get(f"/api/leads/{lead.pk}/attempts").json()] == ["voicemail"]


def test_a_rep_cannot_act_on_someone_elses_lead(arrive, at_monday_nine):
    lead = arrive(ny(2026, 12, 7, 9))
    response = client_for("dee@acme.example").post(f"/api/leads/{lead.pk}/accept")
    assert response.status_code == 403 and "own leads" in response.json()["detail"]


def test_a_rejection_needs_a_reason_from_the_pact(arrive, at_monday_nine):
    lead = arrive(ny(2026, 12, 7, 9))
    cy = client_for("cy@acme.example")
    bad = cy.post(f"/api/leads/{lead.pk}/reject", {"reason": "meh"}, content_type="application/json")
    assert bad.status_code == 409 and "not_our_icp" in bad.json()["detail"]
    good = cy.post(f"/api/leads/{lead.pk}/reject", {"reason": "not_our_icp", "note": "agency"},
                   content_type="application/json")
    assert good.status_code == 200 and good.json()["stage"] == "rejected"


def test_an_attempt_with_an_unknown_outcome_is_a_422_naming_the_field(arrive, at_monday_nine):
    lead = arrive(ny(2026, 12, 7, 9))
    response = client_for("cy@acme.example").post(f"/api/leads/{lead.pk}/attempts",
                                                  {"channel": "pigeon", "outcome": "maybe"},
                                                  content_type="application/json")
    assert response.status_code == 422
    assert {e["loc"][-1] for e in response.json()["detail"]} == {"channel", "outcome"}


def test_a_manager_reassigns_with_a_reason_and_a_rep_may_not(arrive, at_monday_nine):
    lead = arrive(ny(2026, 12, 7, 9))
    body = {"owner": "eli@acme.example", "reason": "Cy is at a conference"}
    assert client_for("cy@acme.example").post(f"/api/leads/{lead.pk}/reassign", body,
                                              content_type="application/json").status_code == 403
    moved = client_for("raj@acme.example").post(f"/api/leads/{lead.pk}/reassign", body,
                                                content_type="application/json")
    assert moved.status_code == 200 and moved.json()["owner"] == "eli@acme.example"


def test_the_queue_lists_mqls_nobody_could_take(arrive, at_monday_nine):
    User.objects.filter(email__in=["cy@acme.example", "dee@acme.example", "eli@acme.example"]).update(is_active=False)
    lead = arrive(ny(2026, 12, 7, 9))
    waiting = client_for("raj@acme.example").get("/api/queue?team=commercial").json()
    assert [w["id"] for w in waiting] == [lead.pk] and waiting[0]["stage"] == "mql"


def test_a_person_sets_their_own_out_of_office_and_a_rep_cannot_set_someone_elses(pact, at_monday_nine):
    body = {"email": "cy@acme.example", "starts_at": "2026-12-21T00:00:00Z", "ends_at": "2027-01-04T00:00:00Z",
            "note": "holiday"}
    assert client_for("dee@acme.example").post("/api/away", body, content_type="application/json").status_code == 403
    created = client_for("cy@acme.example").post("/api/away", body, content_type="application/json")
    assert created.status_code == 201 and created.json()["set_by"] == "cy@acme.example"
    backwards = {**body, "ends_at": "2026-12-01T00:00:00Z"}
    refused = client_for("raj@acme.example").post("/api/away", backwards, content_type="application/json")
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "ends_at"
