"""Intake under concurrency, on PostgreSQL: SQLite lets one writer in at a time, so there is no race to lose there."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.models import Lead, LeadEvent, Submission
from leadpact.leads.services import lead_intake, leads_intake

FORM = Actor("form:test", Role.MARKETING)
THREADS = 6


def at_once(work, count: int = THREADS) -> tuple[list, list[BaseException]]:
    """Run work(i) in `count` threads released together; their results and the errors they raised."""
    start, results, errors = threading.Barrier(count), [], []

    def run(i: int) -> None:
        try:
            start.wait()
            results.append(work(i))
        except BaseException as err:  # noqa: BLE001  (the test reports every failure)
            errors.append(err)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("a race between writers needs PostgreSQL")


@pytest.mark.django_db(transaction=True)
def test_the_same_new_email_sent_at_once_from_many_places_is_one_lead_and_no_errors(postgres_only, signed_pact, now):
    for round_ in range(3):
        email = f"ann.{round_}@globex.com"
        results, errors = at_once(lambda i: lead_intake({"email": email, "title": f"Title {i}"}, actor=FORM, now=now))
        assert errors == []
        assert sorted(r.status for r in results) == ["created"] + ["merged"] * (THREADS - 1)
        assert len({r.lead_id for r in results}) == 1
    assert Lead.objects.count() == 3
    assert LeadEvent.objects.filter(kind="created").count() == 3


@pytest.mark.django_db(transaction=True)
def test_the_same_submission_retried_at_once_is_stored_once(postgres_only, signed_pact, now):
    row = {"email": "bo@initech.com", "company": "Initech", "idempotency_key": "form-7"}
    results, errors = at_once(lambda i: lead_intake(row, actor=FORM, now=now))
    assert errors == []
    assert sorted(r.status for r in results) == ["created"] + ["duplicate"] * (THREADS - 1)
    assert Lead.objects.count() == 1 and Submission.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_batches_sharing_new_leads_in_different_orders_all_go_in(postgres_only, signed_pact, now):
    emails = [f"lead{n}@globex.com" for n in range(20)]
    results, errors = at_once(lambda i: leads_intake([{"email": e} for e in (emails if i % 2 else emails[::-1])],
                                                     actor=Actor(f"api:sender-{i}", Role.MARKETING), now=now), 4)
    assert errors == []
    assert Lead.objects.count() == 20
    assert sum(r.status == "created" for batch in results for r in batch) == 20
