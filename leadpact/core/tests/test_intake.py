from __future__ import annotations

import pytest

from leadpact.core.countries import country_code
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import merge, normalise_lead

TYPES = ("demo_request", "content_download")


def clean(**raw):
    return normalise_lead(raw, TYPES)


def test_email_is_trimmed_and_lower_cased():
    assert clean(email="  Ann.Lee@Globex.COM ").fields["email"] == "ann.lee@globex.com"


def test_company_domain_comes_from_the_website_or_a_business_email():
    assert clean(email="a@x.com", website="https://www.globex.com/about").fields["domain"] == "globex.com"
    assert clean(email="ann@globex.com").fields["domain"] == "globex.com"
    assert "domain" not in clean(email="ann@gmail.com").fields


@pytest.mark.parametrize("given,code", [("Germany", "DE"), ("DEU", "DE"), ("de", "DE"), ("United Kingdom", "GB"),
                                        ("USA", "US"), ("united states", "US"), ("Côte d'Ivoire", "CI")])
def test_country_names_become_iso_codes(given, code):
    assert country_code(given) == code
    assert clean(email="a@b.com", country=given).fields["country"] == code


def test_an_unknown_country_is_kept_aside_with_a_warning_not_refused():
    lead = clean(email="a@b.com", country="Asia/Pacific Region")
    assert "country" not in lead.fields
    assert lead.custom["country_given"] == "Asia/Pacific Region"
    assert "not a known country" in lead.warnings[0]


def test_every_bad_field_is_named_with_its_fix():
    with pytest.raises(FieldErrors) as err:
        clean(email="bob@", employees="many", lead_type="webinar", emial="x")
    errors = err.value.errors
    assert set(errors) == {"email", "employees", "lead_type", "emial"}
    assert "write it like ann@example.com" in errors["email"]
    assert "did you mean 'email'" in errors["emial"]
    assert "one of: demo_request, content_download" in errors["lead_type"]


def test_a_lead_needs_an_email_or_an_external_id():
    with pytest.raises(FieldErrors, match="email: required"):
        clean(first_name="Ann")
    assert clean(external_id="X-1").fields["external_id"] == "X-1"


def test_employee_ranges_count_their_low_end():
    assert clean(email="a@b.com", employees="200-499").fields["employees"] == 200
    assert clean(email="a@b.com", employees="1,000").fields["employees"] == 1000
    assert clean(email="a@b.com", employees=250).fields["employees"] == 250


def test_the_same_content_gets_the_same_key_and_an_explicit_key_wins():
    assert clean(email="a@b.com").idempotency_key == clean(email="A@B.com ").idempotency_key
    assert clean(email="a@b.com", idempotency_key="form-42").idempotency_key == "form-42"


def test_custom_fields_must_be_flat_and_named():
    with pytest.raises(FieldErrors) as err:
        clean(email="a@b.com", custom={"Bad Name": 1, "nested": {"a": 1}})
    assert set(err.value.errors) == {"custom.Bad Name", "custom.nested"}


def test_merge_keeps_first_touch_source_and_never_erases():
    current = {"email": "a@b.com", "source": "google", "title": "Engineer", "custom": {"a": 1}}
    changes = merge(current, clean(email="a@b.com", source="linkedin", title="VP Engineering", custom={"b": 2}))
    assert changes == {"title": ("Engineer", "VP Engineering"), "custom": ({"a": 1}, {"a": 1, "b": 2}),
                       "domain": (None, "b.com")}
    assert merge({**current, "domain": "b.com"}, clean(email="a@b.com")) == {}


def test_a_submission_without_a_lead_type_does_not_change_the_leads_type():
    assert "lead_type" not in clean(email="a@b.com").fields
    assert merge({"email": "a@b.com", "domain": "b.com", "lead_type": "demo_request"}, clean(email="a@b.com")) == {}
