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
    assert lead.custom == {"city": "Berlin", "sf_00N5e00000AbCdEFG": "Q3 budget"}  # Salesforce ids are case-sensitive
    assert lead.events.first().actor == "form:web-to-lead"


def test_the_honeypot_swallows_bots_silently(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "lp_hp": "http://spam.example"})
    assert response.status_code == 302
    assert not Lead.objects.exists()


def test_a_bad_email_is_refused_on_a_422_page_listing_every_bad_field_with_a_way_back(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "email": "ann@", "employees": "lots"})
    assert response.status_code == 422
    text = response.content.decode()
    assert "email" in text and "employees" in text and "https://www.acme.example/thanks" in text
    assert not Lead.objects.exists()


def test_the_way_back_from_the_error_page_is_the_page_the_form_is_on(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "email": ""},
                           headers={"Referer": "https://www.acme.example/contact"})
    assert response.status_code == 422
    assert 'href="https://www.acme.example/contact"' in response.content.decode()


def test_a_bad_optional_value_keeps_the_lead_and_is_kept_as_sent(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "phone": "ask reception", "employees": "lots",
                                                  "title": "x" * 300})
    assert response.status_code == 302 and response["Location"] == "https://www.acme.example/thanks"
    lead = Lead.objects.get()
    assert (lead.email, lead.phone, lead.employees, lead.title) == ("ann.lee@globex.com", "", None, "")
    assert lead.custom["phone_as_sent"] == "ask reception" and lead.custom["employees_as_sent"] == "lots"
    assert lead.custom["title_as_sent"] == "x" * 300


def test_utm_tags_fill_attribution_the_form_does_not_set(client, signed_pact):
    form = {"email": "bo@initech.com", "utm_source": "google", "utm_medium": "cpc", "utm_campaign": "q4-demo"}
    client.post("/forms/web-to-lead", form)
    client.post("/forms/web-to-lead", {**form, "email": "cy@initech.com", "lead_source": "Partner"})
    bo, cy = Lead.objects.get(email="bo@initech.com"), Lead.objects.get(email="cy@initech.com")
    assert (bo.source, bo.medium, bo.campaign) == ("google", "cpc", "q4-demo")
    assert (cy.source, cy.medium, cy.custom) == ("Partner", "cpc", {"utm_source": "google"})


def test_a_relative_or_script_return_url_is_refused(client, signed_pact):
    response = client.post("/forms/web-to-lead", {**SALESFORCE_FORM, "retURL": "javascript:alert(1)"})
    assert response.status_code == 400


def test_without_return_url_a_thank_you_page(client, signed_pact):
    form = {k: v for k, v in SALESFORCE_FORM.items() if k != "retURL"}
    response = client.post("/forms/web-to-lead", form)
    assert response.status_code == 200 and "Thank you" in response.content.decode()


def test_get_is_not_allowed(client):
    assert client.get("/forms/web-to-lead").status_code == 405
