"""Every API endpoint, for every role: who may, and how the others are refused (403; 404 for a lead one may not see)."""

from __future__ import annotations

import pytest
from django.test import Client

from leadpact.accounts.models import User
from leadpact.accounts.services import token_create
from leadpact.handoff.tests.helpers import ny

pytestmark = pytest.mark.django_db
OWNER, OTHER_REP, MANAGER, OTHER_MANAGER, MARKETING, ADMIN = (
    "cy@acme.example", "dee@acme.example", "raj@acme.example", "jonas@acme.example", "mia@acme.example",
    "admin@acme.example")
EVERYONE = {OWNER, OTHER_REP, MANAGER, OTHER_MANAGER, MARKETING, ADMIN}
INTAKE = {MANAGER, OTHER_MANAGER, MARKETING, ADMIN}
SEES_THE_LEAD = {OWNER, MANAGER, MARKETING, ADMIN}
WORKS_THE_LEAD = {OWNER, MANAGER, ADMIN}
LEAD = {"email": "new@initech.example", "company": "Initech", "lead_type": "demo_request"}
# (method, path, body, who may, status for the others)
ENDPOINTS = [
    ("post", "/api/leads", LEAD, INTAKE, 403),
    ("post", "/api/leads/batch", {"leads": [LEAD]}, INTAKE, 403),
    ("get", "/api/leads", None, EVERYONE, None),
    ("get", "/api/leads/{id}", None, SEES_THE_LEAD, 404),
    ("get", "/api/leads/{id}/clocks", None, SEES_THE_LEAD, 404),
    ("get", "/api/leads/{id}/attempts", None, SEES_THE_LEAD, 404),
    ("post", "/api/leads/{id}/transitions", {"transition": "accept"}, WORKS_THE_LEAD, {MARKETING: 403, None: 404}),
    ("post", "/api/leads/{id}/accept", None, WORKS_THE_LEAD, 403),
    ("post", "/api/leads/{id}/reject", {"reason": "not_our_icp"}, WORKS_THE_LEAD, 403),
    ("post", "/api/leads/{id}/attempts", {"channel": "phone", "outcome": "connected"}, WORKS_THE_LEAD, 403),
    ("post", "/api/leads/{id}/reassign", {"owner": "eli@acme.example", "reason": "load"}, {MANAGER, ADMIN}, 403),
    ("post", "/api/leads/{id}/disqualify", {"reason": "spam"}, WORKS_THE_LEAD, 403),
    ("get", "/api/queue", None, EVERYONE, None),
    ("get", "/api/away", None, EVERYONE, None),
    ("post", "/api/signals", {"signals": [{"email": "ann@globex.example", "signal": "email_click"}]}, INTAKE, 403),
    ("get", "/api/outbox", None, {ADMIN}, 403),
    ("post", "/api/pact/check", {"text": "pact: x"}, EVERYONE, None),
    ("get", "/api/pact", None, EVERYONE, None),
    ("get", "/api/pact/versions", None, EVERYONE, None),
    ("get", "/api/pact/versions/3", None, EVERYONE, None),
    ("get", "/api/pact/diff?old=3&new=3", None, EVERYONE, None),
    ("post", "/api/pact/versions/4/sign", None, {MARKETING, MANAGER, OTHER_MANAGER}, 403),
]


@pytest.fixture
def lead(arrive, clock_at, nine_to_five_text):
    from leadpact.pact.services import pact_propose

    clock_at(ny(2026, 12, 7, 9, 30))
    pact_propose(nine_to_five_text.replace("version: 3", "version: 4").replace("effective: 2026-11-01",
                                                                               "effective: 2026-12-20"))
    return arrive(ny(2026, 12, 7, 9), first_name="ann")


def call(email: str, method: str, path: str, body: dict | None):
    _, raw = token_create(User.objects.get(email=email), "tests")
    client = Client(headers={"Authorization": f"Bearer {raw}"})
    if method == "get":
        return client.get(path)
    return client.post(path, body or {}, content_type="application/json")


@pytest.mark.parametrize("method, path, body, allowed, refused", ENDPOINTS,
                         ids=[f"{m} {p}" for m, p, *_ in ENDPOINTS])
@pytest.mark.parametrize("email", sorted(EVERYONE))
def test_each_endpoint_answers_each_role_as_its_rules_say(lead, method, path, body, allowed, refused, email):
    response = call(email, method, path.replace("{id}", str(lead.pk)), body)
    if email in allowed:
        assert 200 <= response.status_code < 300, (response.status_code, response.content[:300])
    else:
        expected = refused.get(email, refused[None]) if isinstance(refused, dict) else refused
        assert response.status_code == expected, (response.status_code, response.content[:300])


def test_a_request_without_a_token_is_a_401(db):
    assert Client().get("/api/leads").status_code == 401
    assert Client(headers={"Authorization": "Bearer lp_nope"}).get("/api/leads").status_code == 401
