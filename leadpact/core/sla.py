"""The response agreement's clocks as plans: when each is due and when its owner is warned, in business time."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum

from leadpact.core.business_time import BusinessCalendar
from leadpact.core.durations import Duration
from leadpact.core.pact import Pact


class ClockKind(StrEnum):
    ACCEPT = "accept"  # the acceptance window: accept or reject before it runs out
    RESPONSE = "response"  # the response SLA: the first attempt before it runs out
    CADENCE = "cadence"  # the next follow-up step


CLOCK_LABELS = {ClockKind.ACCEPT: "Acceptance window", ClockKind.RESPONSE: "Response SLA",
                ClockKind.CADENCE: "Next follow-up step"}


@dataclass(frozen=True)
class ClockPlan:
    """A clock to start: what it waits for, from when, until when, and when to warn (None: no warning)."""

    kind: ClockKind
    started_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime | None = None
    step: int | None = None


def window(calendar: BusinessCalendar, start: dt.datetime, within: Duration | int,
           warn_share: float | None) -> tuple[dt.datetime, dt.datetime | None]:
    """(due, warn) for a window of `within` business time from `start`; the warning at `warn_share` of it."""
    due = calendar.add(start, within)
    if not warn_share or warn_share >= 1:
        return due, None
    warn = calendar.add(start, int(calendar.between(start, due) * warn_share))
    return due, (warn if warn < due else None)


def handoff_clocks(pact: Pact, calendar: BusinessCalendar, lead_type: str, at: dt.datetime) -> list[ClockPlan]:
    """The clocks a hand-off starts: the acceptance window and the response SLA of the lead's type."""
    warn_share = pact.response.warn_at
    accept_due, accept_warn = window(calendar, at, pact.handoff.accept_within, warn_share)
    response_due, response_warn = window(calendar, at, response_within(pact, lead_type), warn_share)
    return [ClockPlan(ClockKind.ACCEPT, at, accept_due, accept_warn),
            ClockPlan(ClockKind.RESPONSE, at, response_due, response_warn)]


def response_within(pact: Pact, lead_type: str) -> Duration:
    """The response time of a lead type; a type the pact no longer knows gets its default type's."""
    known = pact.lead_types.get(lead_type) or pact.lead_types.get(pact.default_lead_type or "")
    if known is None:
        return min(t.response_within for t in pact.lead_types.values())
    return known.response_within


def recomputed(plan_kind: ClockKind, calendar: BusinessCalendar, pact: Pact, lead_type: str,
               started_at: dt.datetime) -> tuple[dt.datetime, dt.datetime | None]:
    """Due and warning instants of a running clock, computed again from its start (owner, type or calendar changed)."""
    within = pact.handoff.accept_within if plan_kind is ClockKind.ACCEPT else response_within(pact, lead_type)
    return window(calendar, started_at, within, pact.response.warn_at)
