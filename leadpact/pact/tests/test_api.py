from __future__ import annotations

import pytest
from django.test import Client

from leadpact.accounts.services import token_create

pytestmark = pytest.mark.django_db


def as_user(user) -> Client:
    _, raw = token_create(user, "tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


def post(client, path, body=None):
    return client.post(path, body or {}, content_type="application/json")


def test_check_returns_every_problem_with_its_line(api, example_text):
    response = post(api, "/api/pact/check", {"text": example_text.replace("max_attempts: 8", "max_attempts: 4")})
    body = response.json()
    assert response.status_code == 200 and body["valid"] is False
    assert body["problems"][0]["path"] == "cadence.max_attempts" and body["problems"][0]["line"] > 1
    assert post(api, "/api/pact/check", {"text": example_text}).json() == {"valid": True, "problems": []}


def test_propose_then_both_sides_sign_through_the_api(people, example_text):
    marketing, manager = as_user(people["marketing"]), as_user(people["manager"])
    created = post(marketing, "/api/pact/versions", {"text": example_text})
    assert created.status_code == 201 and created.json()["in_force_from"] is None
    assert post(marketing, "/api/pact/versions", {"text": example_text}).status_code == 200
    assert post(marketing, "/api/pact/versions/3/sign").json()["in_force_from"] is None
    signed = post(manager, "/api/pact/versions/3/sign").json()
    assert signed["in_force_from"] is not None
    assert {s["side"] for s in signed["signatures"]} == {"marketing", "sales"}
    current = marketing.get("/api/pact").json()
    assert current["version"] == 3 and current["text"] == example_text


def test_a_rep_cannot_sign_or_propose(people, example_text, signed_pact):
    rep = as_user(people["rep"])
    assert post(rep, "/api/pact/versions", {"text": example_text}).status_code == 403
    response = post(rep, "/api/pact/versions/3/sign")
    assert response.status_code == 403 and "signed by a marketing owner" in response.json()["detail"]


def test_an_invalid_proposal_is_a_422_with_the_problems(api, example_text):
    response = post(api, "/api/pact/versions", {"text": example_text.replace("version: 3", "version: -1")})
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "version"


def test_diff_between_stored_versions_in_words(api, people, signed_pact, example_text):
    v4 = example_text.replace("version: 3", "version: 4").replace("accept_within: 2h", "accept_within: 3h")
    post(api, "/api/pact/versions", {"text": v4})
    changes = api.get("/api/pact/diff?old=3&new=4").json()
    assert {"section": "Hand-off", "kind": "changed",
            "text": "Time to accept or reject: 2 business hours → 3 business hours."} in changes


def test_an_unknown_version_is_a_404(api):
    assert api.get("/api/pact/versions/99").status_code == 404


def test_a_signature_that_would_start_two_versions_together_is_refused_with_the_reason(people, signed_pact,
                                                                                         example_text):
    marketing, manager = as_user(people["marketing"]), as_user(people["manager"])
    v4 = example_text.replace("version: 3", "version: 4").replace("effective: 2026-11-01", "effective: 2099-01-01")
    v5 = example_text.replace("version: 3", "version: 5").replace("effective: 2026-11-01", "effective: 2099-01-01")
    for text, number in ((v4, 4), (v5, 5)):
        post(marketing, "/api/pact/versions", {"text": text})
        post(marketing, f"/api/pact/versions/{number}/sign")
    assert post(manager, "/api/pact/versions/4/sign").status_code == 200
    response = post(manager, "/api/pact/versions/5/sign")
    assert response.status_code == 403
    assert "version 4, an older version, is signed to start at the same instant" in response.json()["detail"]
