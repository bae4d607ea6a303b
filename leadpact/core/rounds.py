"""A lead's rounds, folded from its history: each time it becomes an MQL a round begins, and the round records when it
reached each later stage, how it ended and why, and the attempts made in it. The funnel and follow-up reports count
rounds, so a lead that comes back to sales three times is three hand-offs, each judged on its own."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

# Transition -> the round's column holding the first time it happened.
REACHED = {"assign": "assigned_at", "accept": "accepted_at", "reject": "rejected_at", "convert": "converted_at",
           "win": "won_at", "lose": "lost_at", "recycle": "recycled_at", "disqualify": "disqualified_at"}
# Transition -> how a round ends with it.
ENDINGS = {"reject": "rejected", "recycle": "recycled", "disqualify": "disqualified", "lose": "lost", "win": "won"}
SETTLED = tuple(ENDINGS.values())  # a round that ended one of these ways has a known outcome


@dataclass(frozen=True)
class HistoryEvent:
    """What the fold needs of one event of a lead's history."""

    at: dt.datetime
    kind: str
    transition: str = ""
    reason: str = ""
    data: dict[str, Any] | None = None  # for an owner change, what it changed to (the event's `after`)
    pact_version_id: int | None = None


@dataclass
class RoundFacts:
    number: int
    mql_at: dt.datetime
    pact_version_id: int | None = None
    owner: str = ""  # the email of who holds the round, and their team
    team: str = ""
    lead_type: str = ""  # what the lead was when it qualified ("" when its qualify event does not say)
    source: str = ""
    campaign: str = ""
    assigned_at: dt.datetime | None = None
    accepted_at: dt.datetime | None = None
    rejected_at: dt.datetime | None = None
    converted_at: dt.datetime | None = None
    won_at: dt.datetime | None = None
    lost_at: dt.datetime | None = None
    recycled_at: dt.datetime | None = None
    disqualified_at: dt.datetime | None = None
    outcome: str = ""
    outcome_reason: str = ""
    ended_at: dt.datetime | None = None
    attempts: int = 0
    first_attempt_at: dt.datetime | None = None
    contacted_at: dt.datetime | None = None
    contact_attempt: int | None = None

    @property
    def returning(self) -> bool:
        return self.number > 1


def fold(current: RoundFacts | None, rounds_before: int, events: Iterable[HistoryEvent]) -> list[RoundFacts]:
    """Apply a lead's new events, in order, to its current round (None before its first MQL); `rounds_before` is how
    many rounds the lead had. Returns every round the events touched, the current one first when it changed."""
    touched: list[RoundFacts] = []
    number = rounds_before
    for event in events:
        if event.kind == "transition" and event.transition == "qualify":
            number += 1
            was = (event.data or {}).get("lead") or {}
            current = RoundFacts(number=number, mql_at=event.at, pact_version_id=event.pact_version_id,
                                 **{k: str(was.get(k) or "") for k in ("lead_type", "source", "campaign")})
        elif current is None or not _apply(current, event):
            continue
        if not touched or touched[-1] is not current:
            touched.append(current)
    return touched


def _apply(facts: RoundFacts, event: HistoryEvent) -> bool:
    """Apply one event to an open round; False when it says nothing about the round."""
    if event.kind == "attempt":
        return _attempt(facts, event)
    if event.kind == "owner" and not facts.outcome:
        after = event.data or {}
        facts.owner, facts.team = after.get("owner") or facts.owner, after.get("team") or facts.team
        return True
    if event.kind != "transition" or event.transition not in REACHED or facts.outcome:
        return False
    column = REACHED[event.transition]
    if event.transition == "assign":
        data = event.data or {}
        facts.owner, facts.team = data.get("owner") or facts.owner, data.get("team") or facts.team
    if getattr(facts, column) is None:
        setattr(facts, column, event.at)
    if event.transition in ENDINGS:
        facts.outcome, facts.outcome_reason, facts.ended_at = ENDINGS[event.transition], event.reason, event.at
    return True


def _attempt(facts: RoundFacts, event: HistoryEvent) -> bool:
    if facts.outcome:
        return False
    data = event.data or {}
    facts.attempts += 1
    facts.first_attempt_at = facts.first_attempt_at or event.at
    if data.get("contact") and facts.contacted_at is None:
        facts.contacted_at, facts.contact_attempt = event.at, data.get("number", facts.attempts)
    return True
