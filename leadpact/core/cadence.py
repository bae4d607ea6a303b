"""The follow-up standard: which step is next, when it is due, and when attempts are refused or exhausted."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from leadpact.core.business_time import BusinessCalendar
from leadpact.core.errors import LeadpactError
from leadpact.core.pact import Cadence, CadenceStep


@dataclass(frozen=True)
class Outcome:
    label: str
    is_contact: bool  # the rep reached the person


OUTCOMES: dict[str, Outcome] = {
    "no_answer": Outcome("No answer", False),
    "voicemail": Outcome("Left a voicemail", False),
    "email_sent": Outcome("Email sent", False),
    "bounced": Outcome("Bounced", False),
    "connected": Outcome("Connected", True),
    "meeting_booked": Outcome("Meeting booked", True),
}


class AttemptRefused(LeadpactError):
    """An attempt or a give-up the follow-up standard does not allow."""


@dataclass(frozen=True)
class NextStep:
    number: int  # 1-based, as a rep counts
    step: CadenceStep
    due_at: dt.datetime


def next_step(cadence: Cadence, calendar: BusinessCalendar, handoff_at: dt.datetime, attempts: int,
              contacted: bool) -> NextStep | None:
    """The step after `attempts` attempts, due `after` business time from the hand-off; None once contact is made
    or the plan has no more steps."""
    if contacted or attempts >= len(cadence.steps):
        return None
    step = cadence.steps[attempts]
    return NextStep(attempts + 1, step, calendar.add(handoff_at, step.after))


def check_attempt(cadence: Cadence, attempts: int) -> None:
    """Refuse an attempt beyond the pact's maximum: it protects the prospect."""
    if attempts >= cadence.max_attempts:
        raise AttemptRefused(f"this lead has had {attempts} attempts, the most the pact allows "
                             f"(cadence.max_attempts: {cadence.max_attempts}); hand it back to marketing or close it")


def check_give_up(cadence: Cadence, attempts: int, contacted: bool, override_reason: str = "") -> None:
    """Refuse handing back an uncontacted lead before `min_attempts`, unless a manager overrides with a reason."""
    if contacted or attempts >= cadence.min_attempts or override_reason.strip():
        return
    raise AttemptRefused(f"only {attempts} of the {cadence.min_attempts} attempts the pact asks for before giving "
                         "up (cadence.min_attempts); log the remaining attempts, or a manager may override with a reason")


def is_exhausted(cadence: Cadence, attempts: int, contacted: bool) -> bool:
    """All the planned attempts (and at least `min_attempts`) are done without reaching the person."""
    return not contacted and attempts >= max(cadence.min_attempts, len(cadence.steps))
