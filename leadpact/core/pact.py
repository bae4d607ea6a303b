"""The pact: the agreement between marketing and sales, as immutable values."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from leadpact.core.durations import Duration

if TYPE_CHECKING:
    from leadpact.core.expr import Condition

Minutes = tuple[int, int]  # an opening interval, minutes from local midnight: (510, 720) is 08:30-12:00


@dataclass(frozen=True)
class Closure:
    """A one-off closure in local time (a half day, an offsite)."""

    start: dt.datetime
    end: dt.datetime
    why: str = ""


@dataclass(frozen=True)
class Calendar:
    """Business time: weekly hours in a timezone, less public holidays and closures."""

    name: str
    timezone: str
    hours: dict[int, tuple[Minutes, ...]]  # weekday (0 = Monday) -> opening intervals
    holidays: str | None = None  # country code for the holidays package
    subdivision: str | None = None
    closed: tuple[dt.date, ...] = ()
    closures: tuple[Closure, ...] = ()

    @property
    def weekly_seconds(self) -> int:
        return sum((end - start) * 60 for day in self.hours.values() for start, end in day)

    @property
    def key(self) -> tuple:
        """Everything that defines the calendar's open time, hashable: equal keys, equal business time."""
        return (self.timezone, tuple(sorted(self.hours.items())), self.holidays, self.subdivision, self.closed,
                self.closures)


@dataclass(frozen=True)
class LeadType:
    key: str
    label: str
    response_within: Duration
    is_default: bool = False  # the type of a new lead that does not say


@dataclass(frozen=True)
class Rule:
    """A scoring rule: when the condition holds, the lead gets the points, for the stated reason."""

    condition: Condition
    points: int
    why: str


@dataclass(frozen=True)
class Scoring:
    fit: tuple[Rule, ...]
    half_life: Duration
    signals: dict[str, int]


@dataclass(frozen=True)
class Qualification:
    mql_when: Condition
    require: tuple[str, ...] = ()
    document: tuple[str, ...] = ()


@dataclass(frozen=True)
class Route:
    team: str
    condition: Condition | None = None


@dataclass(frozen=True)
class Team:
    name: str
    calendar: str
    strategy: str
    max_open: int | None
    manager: str
    members: tuple[str, ...]
    weights: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Handoff:
    notify: tuple[str, ...]
    accept_within: Duration
    on_no_answer: str
    reject_reasons: tuple[str, ...]
    on_reassign: str = "restart"  # a manual reassignment restarts the clocks, or continues them
    account_owner: bool = False  # a lead from a company that already has an owner goes to that owner


@dataclass(frozen=True)
class Response:
    warn_at: float
    escalate_to: str


@dataclass(frozen=True)
class CadenceStep:
    channel: str
    after: Duration
    note: str = ""


@dataclass(frozen=True)
class Cadence:
    steps: tuple[CadenceStep, ...]
    min_attempts: int
    max_attempts: int
    when_exhausted: str


@dataclass(frozen=True)
class Recycle:
    reasons: tuple[str, ...]
    nurture_track: str
    requalify_when: Condition | None


@dataclass(frozen=True)
class Outcomes:
    lost_reasons: tuple[str, ...]
    disqualify_reasons: tuple[str, ...]


@dataclass(frozen=True)
class Commitment:
    side: str  # marketing | sales
    metric: str
    per: str  # week | month | quarter
    at_least: float
    is_share: bool  # at_least is a fraction (70% -> 0.7) rather than a count


@dataclass(frozen=True)
class Digest:
    every: str
    at: str
    to: tuple[str, ...]


@dataclass(frozen=True)
class Pact:
    """One version of the agreement, validated; built only by `leadpact.core.pact_loader.parse_pact`."""

    name: str
    version: int
    effective: dt.date
    timezone: str
    summary: str
    calendars: dict[str, Calendar]
    lead_types: dict[str, LeadType]
    scoring: Scoring
    qualification: Qualification
    routing: tuple[Route, ...]
    teams: dict[str, Team]
    handoff: Handoff
    response: Response
    cadence: Cadence
    recycle: Recycle
    outcomes: Outcomes
    commitments: tuple[Commitment, ...]
    digest: Digest | None
    lists: dict[str, frozenset[str]]
    document: dict[str, Any]  # the file as plain values, for diffs and display

    @property
    def default_lead_type(self) -> str | None:
        return next((t.key for t in self.lead_types.values() if t.is_default), None)

    def reasons_for(self, transition: str) -> tuple[str, ...]:
        """The reason list the pact gives for a lifecycle transition (empty: no reason asked)."""
        return {
            "reject": self.handoff.reject_reasons,
            "recycle": self.recycle.reasons + ("no_response", "not_accepted_in_time"),
            "lose": self.outcomes.lost_reasons,
            "disqualify": self.outcomes.disqualify_reasons + ("no_response",),
        }.get(transition, ())
