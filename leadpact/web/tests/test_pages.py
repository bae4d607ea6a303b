"""Every page, for every role: what each may open, what it shows, and the refusals."""

from __future__ import annotations

import pytest

from leadpact.accounts.models import User
from leadpact.handoff.tests.helpers import ny

pytestmark = pytest.mark.django_db
REP, MANAGER, MARKETING, ADMIN = "cy@acme.example", "raj@acme.example", "mia@acme.example", "admin@acme.example"
PAGES = {  # path -> the people who may open it
    "/inbox": {REP, MANAGER, ADMIN},
    "/board": {MANAGER, ADMIN},
    "/marketing": {MARKETING, ADMIN},
    "/leads": {REP, MANAGER, MARKETING, ADMIN},
    "/pact": {REP, MANAGER, MARKETING, ADMIN},
    "/pact/propose": {MANAGER, MARKETING, ADMIN},
    "/admin": {ADMIN},
}


def test_pages_need_a_sign_in(client, db):
    response = client.get("/inbox")
    assert response.status_code == 302 and response["Location"].startswith("/login")


@pytest.mark.parametrize("path", PAGES)
@pytest.mark.parametrize("email", [REP, MANAGER, MARKETING, ADMIN])
def test_each_page_opens_for_its_roles_and_refuses_the_others(signed_in, lead, path, email):
    response = signed_in(email).get(path)
    if email in PAGES[path]:
        assert response.status_code == 200, response.content[:500]
    else:
        assert response.status_code == 403 and "This page is for" in response.content.decode()


@pytest.mark.parametrize("email, home", [(REP, "/inbox"), (MANAGER, "/board"), (MARKETING, "/marketing"),
                                         (ADMIN, "/leads")])
def test_each_person_lands_on_their_home(signed_in, lead, email, home):
    assert signed_in(email).get("/")["Location"] == home


def test_sign_in_with_a_password(client, signed_in, lead):
    User.objects.filter(email=REP).update(password=User.objects.get(email=MARKETING).password)
    response = client.post("/login", {"username": REP, "password": "correct-horse-1"})
    assert response.status_code == 302
    assert "Ann Lee" in client.get("/inbox").content.decode()


def test_a_wrong_password_is_refused(client, people):
    response = client.post("/login", {"username": "mia@acme.example", "password": "nope"})
    assert response.status_code == 200 and "do not match" in response.content.decode()


def test_the_inbox_shows_the_lead_waiting_with_its_clocks_in_business_time(signed_in, lead):
    page = signed_in(REP).get("/inbox").content.decode()
    assert "Waiting for you to accept" in page and "Ann Lee" in page
    assert "1 h 30 min of business time left" in page  # the 2-hour acceptance window, 30 minutes in
    assert "3 h 30 min of business time left" in page  # the 4-hour response SLA
    assert 'data-spans="[[' in page and "Accept" in page and "Not our icp" in page


def test_the_inbox_of_someone_else_does_not_show_the_lead(signed_in, lead):
    assert "Ann Lee" not in signed_in("dee@acme.example").get("/inbox").content.decode()


def test_the_lead_page_shows_score_clocks_plan_and_history(signed_in, lead):
    page = signed_in(REP).get(f"/leads/{lead.pk}").content.decode()
    for text in ("authority", "Acceptance window", "Response SLA", "Follow-up plan", "Phone", "break-up email",
                 "qualify", "pact v3", "Accept"):
        assert text in page, text


def test_a_lead_someone_may_not_see_is_a_404(signed_in, lead):
    assert signed_in("frida@acme.example").get(f"/leads/{lead.pk}").status_code == 404
    assert signed_in(MARKETING).get(f"/leads/{lead.pk}").status_code == 200


def test_marketing_reads_a_lead_but_gets_no_sales_actions(signed_in, lead):
    page = signed_in(MARKETING).get(f"/leads/{lead.pk}").content.decode()
    assert "Ann Lee" in page and 'action="/leads/%d/accept"' % lead.pk not in page


def test_the_board_shows_at_risk_and_breached_leads_and_the_reps(signed_in, lead, clock_at):
    clock_at(ny(2026, 12, 7, 10, 45))  # past the acceptance warning (75% of 2 h)
    page = signed_in(MANAGER).get("/board").content.decode()
    assert "At risk" in page and "Ann Lee" in page and "cy@acme.example" in page and "Reassign" in page
    clock_at(ny(2026, 12, 7, 10, 59))
    assert "dee@acme.example" in signed_in(MANAGER).get("/board").content.decode()


def test_the_marketing_view_counts_the_hand_off_and_the_commitments(signed_in, lead):
    page = signed_in(MARKETING).get("/marketing").content.decode()
    assert "MQLs handed to sales" in page and "Commitments" in page and "<svg" not in page.split("Commitments")[1]
    assert "MQLs accepted by sales" in page


def test_the_agreement_reads_like_an_agreement(signed_in, lead):
    page = signed_in(REP).get("/pact").content.decode()
    for text in ("in force", "What a qualified lead is", "4 business hours", "Mon–Fri 09:00–17:00",
                 "signed by mia@acme.example", "Versions"):
        assert text in page, text


def test_an_empty_inbox_says_what_happens_next(signed_in, pact):
    page = signed_in("eli@acme.example").get("/inbox").content.decode()
    assert "Nothing waits for your acceptance" in page and "No accepted leads yet" in page


def test_a_person_sets_their_timezone_and_sees_times_in_it(client, signed_in, lead):
    signed_in(REP).post("/me", {"timezone": "America/New_York"})
    page = client.get(f"/leads/{lead.pk}").content.decode()
    assert "Mon 7 Dec 2026 11:00 EST" in page  # the acceptance deadline, 2 business hours after 09:00
    client.post("/me", {"timezone": "Mars/Olympus"})
    assert "is not a timezone" in client.get("/me").content.decode()
