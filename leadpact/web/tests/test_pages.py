from __future__ import annotations

import pytest

from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.services import lead_intake

pytestmark = pytest.mark.django_db


def test_pages_need_a_sign_in(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/login")


def test_sign_in_and_see_the_leads_by_stage(client, people, signed_pact, now):
    lead_intake({"email": "ann@globex.com", "company": "Globex", "lead_type": "demo_request"},
                actor=Actor("form", Role.MARKETING), now=now)
    response = client.post("/login", {"username": "mia@acme.example", "password": "correct-horse-1"})
    assert response.status_code == 302
    page = client.get("/").content.decode()
    assert "ann@globex.com" in page and "acme v3" in page
    assert "ann@globex.com" in client.get("/?stage=mql").content.decode()
    assert "ann@globex.com" not in client.get("/?stage=won").content.decode()


def test_the_lead_page_shows_the_score_reasons_and_history(client, people, signed_pact, now):
    result = lead_intake({"email": "ann@globex.com", "company": "Globex", "employees": 900,
                          "lead_type": "demo_request"}, actor=Actor("form", Role.MARKETING), now=now)
    client.force_login(people["rep"])
    page = client.get(f"/leads/{result.lead_id}").content.decode()
    assert "company size in our ICP" in page and "qualify" in page and "pact v3" in page


def test_an_empty_list_says_what_to_do(client, people, signed_pact):
    client.force_login(people["admin"])
    assert "POST /api/leads" in client.get("/").content.decode()


def test_a_wrong_password_is_refused(client, people):
    response = client.post("/login", {"username": "mia@acme.example", "password": "nope"})
    assert response.status_code == 200 and "do not match" in response.content.decode()
