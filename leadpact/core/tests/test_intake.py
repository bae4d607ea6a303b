from __future__ import annotations

import pytest

from leadpact.core.countries import country_code
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import (
    json_problem,
    merge,
    normalise_form_lead,
    normalise_lead,
)

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


@pytest.mark.parametrize("given,count", [("250.0", 250), ("1.5", 1), ("0.5", 0), ("1,200", 1200), ("1.200", 1200),
                                         ("1 200", 1200), ("1,250,000", 1_250_000), ("1.200,50", 1200),
                                         ("1,200.50", 1200), ("1,2345", 1), ("200-499", 200), ("1,000-4,999", 1000),
                                         ("500+", 500), (250.9, 250)])
def test_a_separator_groups_thousands_only_before_exactly_three_digits(given, count):
    assert clean(email="a@b.com", employees=given).fields["employees"] == count


@pytest.mark.parametrize("given", [99999999999, 1e20, "99999999999999999999", "12,500,000", float("inf")])
def test_employees_above_ten_million_are_refused_with_the_limit(given):
    with pytest.raises(FieldErrors) as err:
        clean(email="a@b.com", employees=given)
    assert "employees" in err.value.errors
    if given != float("inf"):
        assert "at most 10,000,000" in err.value.errors["employees"]


@pytest.mark.parametrize("given", ["1,000,5", "-3", float("nan"), -1, "lots"])
def test_an_employee_count_that_is_not_a_number_is_refused(given):
    with pytest.raises(FieldErrors, match="employees: .*write it like 250"):
        clean(email="a@b.com", employees=given)


@pytest.mark.parametrize("raw,name", [({"title": "VP\u0000Sales"}, "title"), ({"email": "a\u0000@b.com"}, "email"),
                                      ({"custom": {"note": "x\u0000"}}, "custom.note"),
                                      ({"idempotency_key": "k\u0000"}, "idempotency_key")])
def test_a_nul_character_is_refused_naming_the_field(raw, name):
    with pytest.raises(FieldErrors) as err:
        normalise_lead({"email": "a@b.com", **raw}, TYPES)
    assert "\\u0000" in err.value.errors[name]


def test_text_longer_than_its_column_is_refused_with_the_limit():
    with pytest.raises(FieldErrors) as err:
        clean(email="a@b.com", company="x" * 256, lead_type="d" * 65)
    assert err.value.errors["company"] == "too long (256 characters); at most 255"
    assert "at most 64" in err.value.errors["lead_type"]
    assert clean(email="a@b.com", company="x" * 255).fields["company"] == "x" * 255


def test_custom_fields_are_bounded_in_name_value_and_number():
    with pytest.raises(FieldErrors) as err:
        clean(email="a@b.com", custom={"k" * 65: 1, "long": "x" * 1001, "big": 2**60, "nan": float("nan")})
    errors = err.value.errors
    assert "at most 64 characters" in errors["custom." + "k" * 65]
    assert "at most 1000" in errors["custom.long"]
    assert "too large" in errors["custom.big"] and "finite" in errors["custom.nan"]
    with pytest.raises(FieldErrors, match="101 custom fields; at most 100"):
        clean(email="a@b.com", custom={f"f{i}": i for i in range(101)})
    assert clean(email="a@b.com", custom={"k" * 64: "x" * 1000, "n": 2**53 - 1}).custom["n"] == 2**53 - 1


def test_a_salesforce_custom_field_id_keeps_its_case():
    assert clean(email="a@b.com", custom={"sf_00N5e00000AbCdE": "x"}).custom == {"sf_00N5e00000AbCdE": "x"}


def test_a_form_post_keeps_the_lead_and_sets_bad_optional_values_aside():
    lead = normalise_form_lead({"email": "a@b.com", "phone": "ask reception", "employees": "lots",
                                "custom": {"note": "x\u0000y"}}, TYPES)
    assert lead.fields["email"] == "a@b.com" and "phone" not in lead.fields
    assert lead.custom == {"phone_as_sent": "ask reception", "employees_as_sent": "lots", "note_as_sent": "xy"}
    assert [w.split(":")[0] for w in lead.warnings] == ["phone", "employees", "custom.note"]


@pytest.mark.parametrize("raw,named", [({"email": "ann@", "phone": "ask reception"}, {"email", "phone"}),
                                       ({"first_name": "Ann"}, {"email"})])
def test_a_form_post_without_a_good_email_is_still_refused_naming_every_bad_field(raw, named):
    with pytest.raises(FieldErrors) as err:
        normalise_form_lead(raw, TYPES)
    assert set(err.value.errors) == named


def test_a_key_carries_the_hash_of_what_was_sent():
    first, other = clean(email="a@b.com", idempotency_key="k1"), clean(email="b@b.com", idempotency_key="k1")
    assert first.key_given and first.idempotency_key == other.idempotency_key
    assert first.payload_hash != other.payload_hash
    assert first.payload_hash == clean(email="A@b.com ", idempotency_key="k2").payload_hash


def test_a_row_that_is_not_an_object_is_refused_saying_so():
    with pytest.raises(FieldErrors, match="row: give an object"):
        normalise_lead(["a@b.com"], TYPES)


def test_json_properties_are_checked_for_what_a_database_refuses():
    assert json_problem({"page": "/pricing", "n": [1, 2.5, None, True]}, 1000) is None
    assert json_problem({"a": [1, {"b": "x\u0000"}]}, 1000) == "a: 1: b: contains a NUL character (\\u0000); remove it"
    assert "too large" in json_problem({"a": "x" * 2000}, 1000)
    assert "not a number" in json_problem({"a": float("inf")}, 1000)
