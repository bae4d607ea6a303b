"""One-click actions from the pages: with the page's script they answer in place, without it they redirect."""

from __future__ import annotations

import pytest

from leadpact.accounts.models import User
from leadpact.leads.models import Lead
from leadpact.pact.models import PactVersion

pytestmark = pytest.mark.django_db
INLINE = {"HTTP_X_LEADPACT_INLINE": "1"}


def test_accept_in_place_returns_the_updated_row(signed_in, lead):
    response = signed_in("cy@acme.example").post(f"/leads/{lead.pk}/accept", **INLINE)
    assert response.status_code == 200 and f'id="lead-{lead.pk}"' in response.content.decode()
    assert "Log attempt" in response.content.decode() and Lead.objects.get(pk=lead.pk).stage == "accepted"


def test_log_an_attempt_without_the_script_redirects_back_with_a_message(client, signed_in, lead):
    response = signed_in("cy@acme.example").post(
        f"/leads/{lead.pk}/attempt", {"channel": "phone", "outcome": "voicemail", "next": "/inbox"})
    assert response.status_code == 302 and response["Location"] == "/inbox"
    assert "Attempt logged." in client.get("/inbox").content.decode()
    assert Lead.objects.get(pk=lead.pk).attempts == 1


def test_a_refusal_in_place_is_a_409_with_the_reason(signed_in, lead):
    response = signed_in("cy@acme.example").post(f"/leads/{lead.pk}/reject", {"reason": "meh"}, **INLINE)
    assert response.status_code == 409 and "not_our_icp" in response.content.decode()


def test_hand_back_takes_the_lead_off_the_rep_s_list(signed_in, lead):
    rep = signed_in("cy@acme.example")
    rep.post(f"/leads/{lead.pk}/attempt", {"channel": "phone", "outcome": "connected"}, **INLINE)
    response = rep.post(f"/leads/{lead.pk}/recycle", {"reason": "not_ready_yet", "note": "spring"}, **INLINE)
    assert "off your list" in response.content.decode() and Lead.objects.get(pk=lead.pk).stage == "recycled"


def test_a_manager_reassigns_from_the_board(signed_in, lead):
    response = signed_in("raj@acme.example").post(
        f"/leads/{lead.pk}/reassign", {"owner": "dee@acme.example", "reason": "Cy is out", "next": "/board"})
    assert response.status_code == 302 and Lead.objects.get(pk=lead.pk).owner.email == "dee@acme.example"


def test_forms_need_the_csrf_token(lead):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(User.objects.get(email="cy@acme.example"))
    assert client.post(f"/leads/{lead.pk}/accept").status_code == 403


def test_propose_shows_each_problem_beside_its_line_and_stores_nothing(signed_in, lead):
    text = PactVersion.objects.get().text.replace("version: 3", "version: 4").replace("max_attempts: 8",
                                                                                     "max_attempts: 4")
    response = signed_in("mia@acme.example").post("/pact/propose", {"text": text})
    page = response.content.decode()
    assert response.status_code == 422 and "nothing was stored" in page
    assert "cadence.max_attempts: 4 is below min_attempts 6" in page and 'class="has-problem"' in page
    assert PactVersion.objects.count() == 1


def test_propose_then_both_owners_sign_in_the_app(client, signed_in, lead):
    text = PactVersion.objects.get().text.replace("version: 3", "version: 4").replace(
        "effective: 2026-11-01", "effective: 2026-12-10")
    response = signed_in("mia@acme.example").post("/pact/propose", {"text": text})
    assert response.status_code == 302 and response["Location"] == "/pact/versions/4"
    assert "Sign version 4 for marketing" in client.get("/pact/versions/4").content.decode()
    client.post("/pact/versions/4/sign")
    signed_in("raj@acme.example").post("/pact/versions/4/sign")
    assert PactVersion.objects.get(version=4).is_signed
    assert signed_in("cy@acme.example").post("/pact/versions/4/sign").status_code == 403


def test_an_admin_adds_a_person_changes_a_role_and_switches_an_account_off(signed_in, lead):
    admin = signed_in("admin@acme.example")
    admin.post("/admin/people", {"email": "zoe@acme.example", "role": "rep", "name": "Zoe Park",
                                 "password": "long-enough-1"})
    zoe = User.objects.get(email="zoe@acme.example")
    assert zoe.check_password("long-enough-1") and zoe.get_full_name() == "Zoe Park"
    admin.post(f"/admin/people/{zoe.pk}", {"role": "manager"})
    admin.post(f"/admin/people/{zoe.pk}", {"active": "off"})
    zoe.refresh_from_db()
    assert (zoe.role, zoe.is_active) == ("manager", False)
    response = admin.post("/admin/people", {"email": "zoe@acme.example", "role": "rep"})
    assert "already has an account" in admin.get(response["Location"]).content.decode()


def test_an_admin_sets_out_of_office_connects_a_channel_and_retries_a_dead_letter(signed_in, lead):
    from leadpact.handoff.models import OutOfOffice
    from leadpact.notify.models import Endpoint, Message

    admin = signed_in("admin@acme.example")
    admin.post("/admin/away", {"email": "cy@acme.example", "starts_at": "2026-12-21T00:00",
                               "ends_at": "2027-01-04T00:00", "note": "holiday"})
    assert OutOfOffice.objects.get().note == "holiday"
    admin.post("/admin/channels", {"kind": "chat", "url": "https://chat.example/hooks/sales", "name": "#sales"})
    assert Endpoint.objects.get().name == "#sales"
    message = Message.objects.first()
    Message.objects.filter(pk=message.pk).update(status="dead", last_error="550 no such mailbox")
    assert "550 no such mailbox" in admin.get("/admin").content.decode()
    admin.post(f"/admin/outbox/{message.pk}/retry")
    assert Message.objects.get(pk=message.pk).status == "pending"


def test_a_rep_cannot_use_the_admin_forms(signed_in, lead):
    assert signed_in("cy@acme.example").post(
        "/admin/people", {"email": "x@acme.example", "role": "admin"}).status_code == 403
    assert not User.objects.filter(email="x@acme.example").exists()
