from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction

from leadpact.core.lifecycle import Stage
from leadpact.leads.models import Lead, LeadEvent
from leadpact.leads.selectors import stage_counts

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("now", ["2026-12-05T03:00:00+00:00", "2026-12-08T15:30:00+00:00"])  # Sat night, Tue
def test_the_demo_puts_leads_in_every_stage_under_the_signed_example_pact(now, clock_at):
    clock_at(dt.datetime.fromisoformat(now))
    out = StringIO()
    call_command("demo", "--leads", "200", "--seed", "7", stdout=out)
    counts = stage_counts()
    assert set(counts) == {s.value for s in Stage}, counts
    assert sum(counts.values()) == 200
    assert "admin@acme.example" in out.getvalue() and "lp_" in out.getvalue()
    assert not LeadEvent.objects.filter(pact_version=None).exists()
    assert not LeadEvent.objects.filter(at__gt=dt.datetime.fromisoformat(now)).exists(), "no history in the future"


def test_the_demo_is_reproducible_with_its_seed():
    def demo() -> list[tuple[str, str]]:
        with transaction.atomic():
            call_command("demo", "--leads", "60", "--seed", "3", stdout=StringIO())
            leads = sorted(Lead.objects.values_list("email", "stage"))
            transaction.set_rollback(True)
        return leads

    first = demo()
    assert len(first) == 60 and first == demo()
