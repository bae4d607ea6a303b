"""Lead history is append-only in the database itself: no update and no delete gets through, however it is sent."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import connection, transaction
from django.db.utils import DatabaseError

from leadpact.core.lifecycle import Actor, Role
from leadpact.leads.models import Lead, LeadEvent
from leadpact.leads.services import lead_intake

pytestmark = pytest.mark.django_db


@contextmanager
def refused(match: str) -> Iterator[None]:
    """Expect the statement inside to fail in the database, in a savepoint so that the test's transaction lives."""
    with pytest.raises(DatabaseError, match=match), transaction.atomic():
        yield


@pytest.fixture
def event(signed_pact, now) -> LeadEvent:
    row = {"email": "ann@globex.com", "company": "Globex", "lead_type": "demo_request"}
    lead = Lead.objects.get(pk=lead_intake(row, actor=Actor("form", Role.MARKETING), now=now).lead_id)
    return lead.events.order_by("id").first()


def test_a_history_event_cannot_be_deleted_through_the_orm(event):
    with refused("never deleted"):
        LeadEvent.objects.filter(pk=event.pk).delete()
    assert LeadEvent.objects.filter(pk=event.pk).exists()


def test_a_history_event_cannot_be_deleted_with_raw_sql(event):
    with refused("never deleted"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM leads_leadevent")
    assert LeadEvent.objects.filter(pk=event.pk).exists()


def test_a_history_event_cannot_be_changed_with_a_queryset_update(event):
    with refused("never changed"):
        LeadEvent.objects.filter(pk=event.pk).update(note="rewritten")
    assert LeadEvent.objects.get(pk=event.pk).note == event.note
