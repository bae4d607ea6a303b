"""Who sees which leads, through the API: a rep their own, a manager their teams', marketing and admins all."""

from __future__ import annotations

import pytest
from django.test import Client

from leadpact.accounts.models import User
from leadpact.accounts.services import token_create
from leadpact.handoff.tests.helpers import ny

pytestmark = pytest.mark.django_db


def client_for(email: str) -> Client:
    _, raw = token_create(User.objects.get(email=email), "tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def two_teams(arrive, clock_at):
    clock_at(ny(2026, 12, 7, 9))
    commercial = arrive(ny(2026, 12, 7, 9), first_name="com")  # cy, team commercial (raj)
    emea = arrive(ny(2026, 12, 7, 9), first_name="emea", country="DE")  # frida, team emea (jonas)
    return commercial, emea


@pytest.mark.parametrize("email, sees", [
    ("cy@acme.example", {"com"}), ("frida@acme.example", {"emea"}), ("dee@acme.example", set()),
    ("raj@acme.example", {"com"}), ("jonas@acme.example", {"emea"}),
    ("mia@acme.example", {"com", "emea"}), ("admin@acme.example", {"com", "emea"}),
])
def test_each_role_lists_only_the_leads_it_may_see(two_teams, email, sees):
    listed = client_for(email).get("/api/leads").json()
    assert {lead["first_name"] for lead in listed} == sees


@pytest.mark.parametrize("path", ["", "/clocks", "/attempts"])
def test_a_lead_someone_may_not_see_is_a_404_as_if_it_did_not_exist(two_teams, path):
    commercial, _ = two_teams
    assert client_for("frida@acme.example").get(f"/api/leads/{commercial.pk}{path}").status_code == 404
    assert client_for("cy@acme.example").get(f"/api/leads/{commercial.pk}{path}").status_code == 200
