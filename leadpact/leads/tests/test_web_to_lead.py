from __future__ import annotations

import pytest

from leadpact.leads.models import Lead

pytestmark = pytest.mark.django_db

SALESFORCE_FORM = {
    "oid": "00D000000000001", "retURL": "https://www.acme.example/thanks", "first_name": "Ann", "last_name": "Lee",
    "email": "Ann.Lee@Globex.com", "company": "Globex", "title": "VP Sales", "phone": "+1 212 555 0100",
    "lead_source": "Web", "URL": "https://globex.com", "employees": "250", "country": "Germany", "city": "Berlin",
    "00N5e00000AbCdEFG": "Q3 budget", "lead_type": "demo_request",
}


def test_a_salesforce_web_to_lead_form_posts_unchanged_and_redirects(client, signed_pact):
    response = client.post("/forms/web-to-lead", SALESFORCE_FORM)
    assert response.status_code == 302 and response["Location"] == "https://www.acme.example/thanks"
    lead = Lead.objects.get()
    assert (lead.email, lead.source, lead.country, lead.domain, lead.stage) == (
        "ann.lee@globex.com", "Web", "DE", "globex.com", "mql")
    assert lead.custom == {"city": "Berlin", "sf_00n5e00000abcdefg": "Q3 budget"}
    assert lead.events.first().actor == "form:web-to-lead"


def test_the_honeypot_swallows_bots_silently(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "lp_hp": "http://spam.example"})
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_bad_fields_are_listed_on_a_422_page_with_a_way_back(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "email": "ann@", "employees": "lots"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "email" in text and "employees" in text and "https://www.acme.example/thanks" in text
    assert not Lead.objects.exists()


def test_a_relative_or_script_return_url_is_refused(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "retURL": "javascript:alert(1)"})
    assert response.status_code == 400


def test_without_return_url_a_thank_you_page(client, signed_pact):
    form = {k: v for k, v in SALESFORCE_FORM.items() if k != "retURL"}
    response = client.post("/forms/web-to-lead", form)
    assert response.status_code == 200 and "Thank you" in response.content.decode()


def test_get_is_not_allowed(client):
    assert client.get("/forms/web-to-lead").status_code == 405
