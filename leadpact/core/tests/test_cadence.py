"""The follow-up standard and the clocks' plans, in business time."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from leadpact.core.business_time import BusinessCalendar
from leadpact.core.cadence import (
    AttemptRefused,
    check_attempt,
    check_give_up,
    is_exhausted,
    next_step,
)
from leadpact.core.durations import Duration
from leadpact.core.pact import Cadence, CadenceStep, Calendar
from leadpact.core.sla import window

NY = zoneinfo.ZoneInfo("America/New_York")
CALENDAR = BusinessCalendar(Calendar("ny", "America/New_York", {d: ((540, 1020),) for d in range(5)}, "US"))
CADENCE = Cadence((CadenceStep("phone", Duration(0, 0)), CadenceStep("email", Duration(0, 3600)),
                   CadenceStep("phone", Duration(1, 0)), CadenceStep("email", Duration(10, 0))), 4, 6, "recycle")


def ny(*parts: int) -> dt.datetime:
    return dt.datetime(*parts, tzinfo=NY).astimezone(dt.timezone.utc)


def test_each_step_is_due_its_wait_after_the_hand_off_in_business_time():
    handed_over = ny(2026, 12, 4, 16, 30)  # a Friday
    steps = [next_step(CADENCE, CALENDAR, handed_over, n, False) for n in range(4)]
    assert [s.due_at for s in steps] == [handed_over, ny(2026, 12, 7, 9, 30), ny(2026, 12, 7, 16, 30),
                                         ny(2026, 12, 18, 16, 30)]
    assert [s.step.channel for s in steps] == ["phone", "email", "phone", "email"]


def test_no_next_step_after_contact_or_past_the_plan():
    assert next_step(CADENCE, CALENDAR, ny(2026, 12, 7, 9), 1, contacted=True) is None
    assert next_step(CADENCE, CALENDAR, ny(2026, 12, 7, 9), 4, contacted=False) is None


def test_an_attempt_beyond_the_maximum_is_refused_with_the_pact_key():
    check_attempt(CADENCE, 5)
    with pytest.raises(AttemptRefused, match="cadence.max_attempts: 6"):
        check_attempt(CADENCE, 6)


def test_giving_up_early_needs_contact_enough_attempts_or_an_override():
    check_give_up(CADENCE, 4, contacted=False)
    check_give_up(CADENCE, 1, contacted=True)
    check_give_up(CADENCE, 1, contacted=False, override_reason="asked us to stop")
    with pytest.raises(AttemptRefused, match="cadence.min_attempts"):
        check_give_up(CADENCE, 3, contacted=False)


def test_the_plan_is_exhausted_after_every_step_without_contact():
    assert not is_exhausted(CADENCE, 3, False)
    assert is_exhausted(CADENCE, 4, False)
    assert not is_exhausted(CADENCE, 4, True)


def test_a_window_warns_at_its_share_of_business_time():
    due, warn = window(CALENDAR, ny(2026, 12, 4, 16), Duration(0, 4 * 3600), 0.75)
    assert due == ny(2026, 12, 7, 12) and warn == ny(2026, 12, 7, 11)
    assert window(CALENDAR, ny(2026, 12, 4, 16), Duration(0, 4 * 3600), 1.0)[1] is None
