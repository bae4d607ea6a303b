from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from leadpact.core.lifecycle import Stage
from leadpact.leads.models import Lead, LeadEvent
from leadpact.leads.selectors import stage_counts

pytestmark = pytest.mark.django_db


def test_the_demo_puts_leads_in_every_stage_under_the_signed_example_pact():
    out = StringIO()
    call_command("demo", "--leads", "300", "--seed", "7", stdout=out)
    counts = stage_counts()
    assert set(counts) == {s.value for s in Stage}, counts
    assert sum(counts.values()) == 300
    assert "admin@acme.example" in out.getvalue() and "lp_" in out.getvalue()
    assert not LeadEvent.objects.filter(pact_version=None).exists()
    assert not LeadEvent.objects.filter(at__gt=timezone.now()).exists(), "the demo has no history in the future"


def test_the_demo_is_reproducible_with_its_seed():
    def demo() -> list[tuple[str, str]]:
        with transaction.atomic():
            call_command("demo", "--leads", "60", "--seed", "3", stdout=StringIO())
            leads = sorted(Lead.objects.values_list("email", "stage"))
            transaction.set_rollback(True)
        return leads

    first = demo()
    assert len(first) == 60 and first == demo()
