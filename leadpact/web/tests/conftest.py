"""What the page tests share: Ann Lee, a lead handed to Cy on Monday 9:00 New York, seen at 9:30."""

from __future__ import annotations

import pytest

from leadpact.handoff.tests.helpers import ny


@pytest.fixture
def lead(arrive, clock_at):
    clock_at(ny(2026, 12, 7, 9, 30))
    return arrive(ny(2026, 12, 7, 9), first_name="Ann", last_name="Lee")

