"""Shared fixtures: a fixed clock, the example pact signed and in force, its people, an API client."""

from __future__ import annotations

import datetime as dt
import re
from importlib import resources

import pytest

UTC = dt.timezone.utc


@pytest.fixture
def example_text() -> str:
    """The shipped example pact, effective from 2026-11-01."""
    text = resources.files("leadpact.examples").joinpath("pact.yaml").read_text(encoding="utf-8")
    return re.sub(r"(?m)^effective: \S+", "effective: 2026-11-01", text, count=1)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings) -> None:
    """Tests create many accounts; a deliberately slow hash would only slow them down."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def now() -> dt.datetime:
    return dt.datetime(2026, 12, 2, 15, 0, tzinfo=UTC)


@pytest.fixture
def people(db):
    from leadpact.accounts.models import User

    def make(email: str, role: str):
        return User.objects.create_user(email, "correct-horse-1", role=role)

    return {
        "marketing": make("mia@acme.example", "marketing"),
        "manager": make("raj@acme.example", "manager"),
        "rep": make("cy@acme.example", "rep"),
        "admin": make("admin@acme.example", "admin"),
    }


@pytest.fixture
def signed_pact(db, people, example_text):
    """The example pact as version 3, signed by both sides on 2026-11-01 and in force from then."""
    from leadpact.pact.services import pact_propose, pact_sign

    version, _ = pact_propose(example_text, proposed_by=people["marketing"])
    signed_at = dt.datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
    pact_sign(version, people["marketing"], signed_at)
    pact_sign(version, people["manager"], signed_at)
    version.refresh_from_db()
    return version


@pytest.fixture
def api(people):
    """A test client that authenticates as the marketing owner with a bearer token."""
    from django.test import Client

    from leadpact.accounts.services import token_create

    _, raw = token_create(people["marketing"], "tests")
    return Client(headers={"Authorization": f"Bearer {raw}"})


@pytest.fixture
def nine_to_five_text(example_text: str) -> str:
    return re.sub(r'hours: \{mon-thu: "08:30-12:00, 13:00-17:30", fri: "08:30-15:00"\}',
                  'hours: {mon-fri: "09:00-17:00"}', example_text, count=1)


@pytest.fixture
def pact(db, people, nine_to_five_text):
    """The example pact with a 9-to-5 New York calendar, signed and in force from 2026-11-01, with everyone in it."""
    from leadpact.core.pact_loader import parse_pact
    from leadpact.demo.people import demo_people
    from leadpact.pact.services import pact_propose, pact_sign

    version, _ = pact_propose(nine_to_five_text, proposed_by=people["marketing"])
    signed_at = dt.datetime(2026, 11, 1, 12, tzinfo=UTC)
    pact_sign(version, people["marketing"], signed_at)
    pact_sign(version, people["manager"], signed_at)
    demo_people(parse_pact(nine_to_five_text))
    return parse_pact(nine_to_five_text)


@pytest.fixture
def arrive(pact):
    """Take in a lead at `now` and let the worker run: returns the lead as it stands then."""
    from leadpact.leads.models import Lead
    from leadpact.leads.services import lead_intake
    from leadpact.handoff.tests.helpers import FORM
    from leadpact.worker.loop import run_pass

    def take(now: dt.datetime, **fields) -> Lead:
        row = {"email": f"{fields.get('first_name', 'pat')}@globex.example", "company": "Globex", "country": "US",
               "employees": 300, "title": "VP Sales", "lead_type": "demo_request", **fields}
        result = lead_intake(row, actor=FORM, now=now)
        run_pass(now)
        return Lead.objects.select_related("owner").get(pk=result.lead_id)

    return take


@pytest.fixture
def clock_at():
    """Run the faces' clock from a given instant: `clock_at(instant)`; back to the real time after the test."""
    from leadpact import clock

    yield clock.start_at
    clock.reset()


@pytest.fixture
def signed_in(client):
    """`signed_in(email)`: the test client, signed in as that person."""
    from leadpact.accounts.models import User

    def sign_in(email: str):
        client.force_login(User.objects.get(email=email))
        return client

    return sign_in
