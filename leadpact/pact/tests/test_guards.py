"""The database itself refuses to rewrite the agreement's record, whatever the code above it does (raw SQL,
queryset updates and deletes), on SQLite and on PostgreSQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from leadpact.pact.models import PactSignature, PactVersion

UTC = dt.timezone.utc
pytestmark = pytest.mark.django_db


@contextmanager
def refused(match: str) -> Iterator[None]:
    """Expect the statement inside to fail in the database, in a savepoint so that the test's transaction lives."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        yield


def sql(statement: str, *params) -> None:
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def proposed(example_text: str, number: int, effective: str = "2026-11-01") -> PactVersion:
    from leadpact.pact.services import pact_propose

    text = example_text.replace("version: 3", f"version: {number}").replace("effective: 2026-11-01",
                                                                            f"effective: {effective}")
    return pact_propose(text)[0]


def signed_by_both(version: PactVersion, people) -> PactVersion:
    """Signature rows for both sides, written directly: the version's start is still to be set."""
    for side, who in (("marketing", "marketing"), ("sales", "manager")):
        PactSignature.objects.create(version=version, side=side, signed_by=people[who], sha256=version.sha256)
    return version


def test_a_pact_version_cannot_be_deleted(example_text):
    version = proposed(example_text, 4)  # not signed, used by nothing: only the trigger stands in the way
    with refused("never deleted"):
        PactVersion.objects.filter(pk=version.pk).delete()
    with refused("never deleted"):
        sql("DELETE FROM pact_pactversion WHERE id = %s", version.pk)
    assert PactVersion.objects.filter(pk=version.pk).exists()


def test_a_signature_cannot_be_deleted(signed_pact):
    with refused("never deleted"):
        PactSignature.objects.filter(version=signed_pact).delete()
    with refused("never deleted"):
        sql("DELETE FROM pact_pactsignature")
    assert signed_pact.signatures.count() == 2


@pytest.mark.parametrize("column, value", [("summary", "a friendlier summary"),
                                           ("proposed_at", dt.datetime(2020, 1, 1, tzinfo=UTC)),
                                           ("proposed_by", None)])
def test_no_stored_field_of_a_version_changes(signed_pact, column, value):
    with refused("never changes"):
        PactVersion.objects.filter(pk=signed_pact.pk).update(**{column: value})
    assert getattr(PactVersion.objects.get(pk=signed_pact.pk), column) == getattr(signed_pact, column)


def test_saving_a_version_unchanged_is_allowed(signed_pact):
    signed_pact.save()  # Django writes every column back, with the same values


def test_a_start_cannot_be_set_before_both_sides_signed(example_text, people):
    version = proposed(example_text, 4)
    with refused("both signed"):
        PactVersion.objects.filter(pk=version.pk).update(in_force_from=dt.datetime(2026, 12, 1, tzinfo=UTC))
    PactSignature.objects.create(version=version, side="marketing", signed_by=people["marketing"],
                                 sha256=version.sha256)
    with refused("both signed"):
        PactVersion.objects.filter(pk=version.pk).update(in_force_from=dt.datetime(2026, 12, 1, tzinfo=UTC))
    assert PactVersion.objects.get(pk=version.pk).in_force_from is None


def test_a_signature_of_another_text_does_not_count(example_text, people):
    version = proposed(example_text, 4)
    for side, who in (("marketing", "marketing"), ("sales", "manager")):
        PactSignature.objects.create(version=version, side=side, signed_by=people[who], sha256="0" * 64)
    with refused("both signed"):
        PactVersion.objects.filter(pk=version.pk).update(in_force_from=dt.datetime(2026, 12, 1, tzinfo=UTC))


def test_a_version_cannot_be_stored_already_in_force(example_text, signed_pact):
    with refused("both signed"):
        PactVersion.objects.create(name="acme", version=9, text="x", sha256=PactVersion.hash("x"),
                                   effective=dt.date(2026, 12, 1), in_force_from=dt.datetime(2026, 12, 1, tzinfo=UTC))


def test_once_both_signed_the_start_is_written_once(example_text, people):
    version = signed_by_both(proposed(example_text, 4), people)
    start = dt.datetime(2026, 12, 1, 5, tzinfo=UTC)
    PactVersion.objects.filter(pk=version.pk).update(in_force_from=start)
    with refused("start never changes"):
        PactVersion.objects.filter(pk=version.pk).update(in_force_from=start + dt.timedelta(days=1))
    with refused("start never changes"):
        sql("UPDATE pact_pactversion SET in_force_from = NULL WHERE id = %s", version.pk)
    assert PactVersion.objects.get(pk=version.pk).in_force_from == start


def test_signed_versions_start_in_the_order_of_their_numbers(signed_pact, example_text, people):
    """Version 3 is in force from 2026-11-01 12:00 UTC: version 4 may not start at or before it."""
    v4 = signed_by_both(proposed(example_text, 4), people)
    for start in (signed_pact.in_force_from, signed_pact.in_force_from - dt.timedelta(days=1)):
        with refused("in the order of their numbers"):
            PactVersion.objects.filter(pk=v4.pk).update(in_force_from=start)
    later = signed_pact.in_force_from + dt.timedelta(days=30)
    PactVersion.objects.filter(pk=v4.pk).update(in_force_from=later)
    v2 = signed_by_both(proposed(example_text, 2), people)
    with refused("in the order of their numbers"):
        PactVersion.objects.filter(pk=v2.pk).update(in_force_from=later + dt.timedelta(days=1))
