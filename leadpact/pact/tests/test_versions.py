from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.db.utils import DatabaseError

from leadpact.core.errors import LeadpactError, PactInvalid
from leadpact.pact.models import PactSignature, PactVersion
from leadpact.pact.selectors import NoPactInForce, pact_in_force, version_in_force
from leadpact.pact.services import SignatureRefused, pact_propose, pact_sign

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


def test_a_version_is_in_force_only_once_both_sides_signed(people, example_text):
    version, created = pact_propose(example_text, proposed_by=people["marketing"])
    assert created and version.version == 3
    pact_sign(version, people["marketing"], dt.datetime(2026, 11, 2, tzinfo=UTC))
    with pytest.raises(NoPactInForce):
        version_in_force(dt.datetime(2026, 11, 5, tzinfo=UTC))
    pact_sign(version, people["manager"], dt.datetime(2026, 11, 3, 9, tzinfo=UTC))
    version.refresh_from_db()
    # effective 2026-11-01 has passed: in force from the second signature, never retroactively
    assert version.in_force_from == dt.datetime(2026, 11, 3, 9, tzinfo=UTC)
    assert version_in_force(dt.datetime(2026, 11, 5, tzinfo=UTC)) == version


def test_a_future_effective_date_starts_at_midnight_in_the_pacts_timezone(people, example_text):
    text = example_text.replace("effective: 2026-11-01", "effective: 2026-12-01")
    version, _ = pact_propose(text)
    for who in ("marketing", "manager"):
        pact_sign(version, people[who], dt.datetime(2026, 11, 20, tzinfo=UTC))
    version.refresh_from_db()
    assert version.in_force_from == dt.datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 00:00 in New York


def test_the_newest_started_version_is_in_force(signed_pact, people, example_text):
    v4 = example_text.replace("version: 3", "version: 4").replace("effective: 2026-11-01", "effective: 2027-01-04")
    version, _ = pact_propose(v4)
    for who in ("marketing", "manager"):
        pact_sign(version, people[who], dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert version_in_force(dt.datetime(2026, 12, 31, tzinfo=UTC)).version == 3
    assert version_in_force(dt.datetime(2027, 1, 5, tzinfo=UTC)).version == 4
    assert pact_in_force(dt.datetime(2027, 1, 5, tzinfo=UTC))[1].version == 4


def test_only_a_marketing_owner_and_a_sales_manager_sign(people, example_text):
    version, _ = pact_propose(example_text)
    with pytest.raises(SignatureRefused, match="is a rep"):
        pact_sign(version, people["rep"], dt.datetime(2026, 11, 2, tzinfo=UTC))
    pact_sign(version, people["marketing"], dt.datetime(2026, 11, 2, tzinfo=UTC))
    with pytest.raises(SignatureRefused, match="already signed for marketing"):
        pact_sign(version, people["marketing"], dt.datetime(2026, 11, 2, tzinfo=UTC))


def test_the_same_text_again_is_the_same_version_and_another_text_needs_a_new_number(signed_pact, example_text):
    assert pact_propose(example_text) == (signed_pact, False)
    with pytest.raises(LeadpactError, match="give this one `version: 4`"):
        pact_propose(example_text.replace("max_attempts: 8", "max_attempts: 9"))


def test_an_invalid_text_is_never_stored(example_text):
    with pytest.raises(PactInvalid):
        pact_propose(example_text.replace("max_attempts: 8", "max_attempts: 2"))
    assert not PactVersion.objects.exists()


def test_the_database_refuses_to_change_a_stored_text(signed_pact):
    with pytest.raises(DatabaseError, match="never changes"), transaction.atomic():
        PactVersion.objects.filter(pk=signed_pact.pk).update(text=signed_pact.text + "\n# edited")
    signed_pact.refresh_from_db()
    assert signed_pact.sha256 == PactVersion.hash(signed_pact.text)


def test_two_versions_cannot_start_at_the_same_instant_even_in_the_database(signed_pact, example_text, people):
    other, _ = pact_propose(example_text.replace("version: 3", "version: 4"))
    for side, who in (("marketing", "marketing"), ("sales", "manager")):
        PactSignature.objects.create(version=other, side=side, signed_by=people[who], sha256=other.sha256)
    with pytest.raises(DatabaseError), transaction.atomic():
        PactVersion.objects.filter(pk=other.pk).update(in_force_from=signed_pact.in_force_from)


# Signed versions start in the order of their numbers, so that exactly one is in force and it is the newest started.

DEC_1 = dt.datetime(2026, 12, 1, tzinfo=UTC)


def propose_and_sign(example_text, people, number: int, effective: str, now: dt.datetime = DEC_1) -> PactVersion:
    text = example_text.replace("version: 3", f"version: {number}").replace("effective: 2026-11-01",
                                                                            f"effective: {effective}")
    version, _ = pact_propose(text)
    for who in ("marketing", "manager"):
        pact_sign(version, people[who], now)
    version.refresh_from_db()
    return version


def test_a_newer_version_may_not_start_before_an_older_signed_one(people, example_text):
    propose_and_sign(example_text, people, 8, "2027-03-01")
    with pytest.raises(SignatureRefused) as refusal:
        propose_and_sign(example_text, people, 9, "2027-02-15")
    assert str(refusal.value) == (
        "version 9 would be in force from 2027-02-15 00:00 America/New_York, but version 8, an older version, is "
        "signed to start later, at 2027-03-01 00:00 America/New_York; a newer version must start after the older "
        "ones. Propose a version 10 with an `effective:` date after 2027-03-01 instead")
    v9 = PactVersion.objects.get(version=9)
    assert v9.in_force_from is None and v9.signatures.count() == 1  # the refused signature is not kept
    assert version_in_force(dt.datetime(2027, 3, 2, tzinfo=UTC)).version == 8


def test_an_older_version_cannot_be_signed_once_a_newer_one_is(people, example_text):
    propose_and_sign(example_text, people, 9, "2027-03-01")
    v8, _ = pact_propose(example_text.replace("version: 3", "version: 8"))
    with pytest.raises(SignatureRefused, match=r"version 9, a newer version, is already signed, starting "
                                               r"2027-03-01 00:00 America/New_York; .* propose it again as version 10"):
        pact_sign(v8, people["marketing"], DEC_1)
    assert not v8.signatures.exists()


def test_two_versions_starting_the_same_day_is_a_refusal_not_a_database_error(people, example_text):
    propose_and_sign(example_text, people, 8, "2027-03-01")
    with pytest.raises(SignatureRefused, match="version 8, an older version, is signed to start at the same instant"):
        propose_and_sign(example_text, people, 9, "2027-03-01")


def test_a_newer_version_whose_date_has_passed_starts_when_it_is_signed(signed_pact, people, example_text):
    v4 = propose_and_sign(example_text, people, 4, "2026-10-01")
    assert v4.in_force_from == DEC_1
    assert version_in_force(DEC_1).version == 4


def test_versions_signed_in_order_take_over_in_order(people, example_text):
    for number, effective in ((8, "2027-01-01"), (9, "2027-02-15"), (10, "2027-03-01")):
        propose_and_sign(example_text, people, number, effective)
    in_force = [version_in_force(dt.datetime(2027, month, 20, tzinfo=UTC)).version for month in (1, 2, 3, 4)]
    assert in_force == [8, 9, 10, 10]
