"""Replaying recorded leads under a pact: when would each have become an MQL, and which team would have had it.
The backtest compares two pacts this way on the same history, beside what really happened to those leads."""

from __future__ import annotations

import datetime as dt
import statistics
import zoneinfo
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadpact.core.pact import Pact
from leadpact.core.routing import pick_team
from leadpact.core.scoring import Engagement, fit_score, qualify, record_for


@dataclass(frozen=True)
class PastLead:
    """What the history says of a lead: its fields, when it came, its signals, and what became of it."""

    lead_id: int
    fields: Mapping[str, Any]
    created_at: dt.datetime
    signals: tuple[tuple[str, dt.datetime], ...] = ()  # (signal name, instant), oldest first
    mql_at: dt.datetime | None = None  # when it first became an MQL
    accepted: bool | None = None  # sales' answer to its first hand-off: accepted, rejected, or none recorded
    won_at: dt.datetime | None = None


@dataclass(frozen=True)
class Verdict:
    qualified_at: dt.datetime | None
    team: str | None = None


def replay(pact: Pact, lead: PastLead) -> Verdict:
    """The first instant the lead meets the pact's MQL definition: on arrival, or at one of its signals (engagement
    only grows at a signal and decays between them), with its fields as they are now."""
    half_life, points = pact.scoring.half_life.calendar_seconds, pact.scoring.signals
    record = record_for({**lead.fields, "stage": "inquiry", "rounds": 0, "is_returning": False})
    scored = [(name, at) for name, at in lead.signals if points.get(name)]
    reads_scores = any(rule.condition.fields & _SCORES for rule in pact.scoring.fit)
    fixed_fit = None if reads_scores else fit_score(pact, record)[0]  # most pacts: fit does not change over time
    engagement, pending = Engagement(), 0
    for instant in [lead.created_at, *(at for _, at in scored if at > lead.created_at)]:
        while pending < len(scored) and scored[pending][1] <= instant:
            name, at = scored[pending]
            engagement, pending = engagement.add(points[name], at, half_life), pending + 1
        record["engagement"] = round(engagement.at(instant, half_life), 2)
        record["fit"] = fixed_fit if fixed_fit is not None else fit_score(pact, {**record, "fit": 0})[0]
        record["score"] = round(record["fit"] + record["engagement"], 2)
        if qualify(pact, record).is_mql:
            return Verdict(instant, pick_team(pact, record)[0])
    return Verdict(None)


_SCORES = frozenset({"fit", "engagement", "score"})


@dataclass
class Outcome:
    """One pact's replay over the history."""

    label: str
    verdicts: dict[int, Verdict]
    mqls_by_month: Counter = field(default_factory=Counter)
    by_team: Counter = field(default_factory=Counter)
    accepted: int = 0  # of its MQLs that sales answered in the record, accepted
    answered: int = 0
    unanswered: int = 0  # its MQLs that were never handed over in the record: no answer to learn from
    won_qualified: int = 0
    days_earlier: list[float] = field(default_factory=list)

    @property
    def mqls(self) -> set[int]:
        return {pk for pk, verdict in self.verdicts.items() if verdict.qualified_at}

    @property
    def expected_acceptance(self) -> float | None:
        return self.accepted / self.answered if self.answered else None

    @property
    def median_days_earlier(self) -> float | None:
        return statistics.median(self.days_earlier) if self.days_earlier else None


def judge(label: str, pact: Pact, leads: Sequence[PastLead], zone: zoneinfo.ZoneInfo,
          progress: Callable[[int], None] = lambda n: None, until: dt.datetime | None = None) -> Outcome:
    """Replay every lead under `pact` and sum up what it would have meant; a qualification at or after `until` (the
    end of the period looked at) does not count. `progress` hears of every 1,000 leads."""
    outcome = Outcome(label, {})
    for i, lead in enumerate(leads, 1):
        verdict = replay(pact, lead)
        late = until is not None and verdict.qualified_at is not None and verdict.qualified_at >= until
        outcome.verdicts[lead.lead_id] = Verdict(None) if late else verdict
        if i % 1000 == 0 or i == len(leads):
            progress(1000 if i % 1000 == 0 else i % 1000)
    for lead in leads:
        verdict = outcome.verdicts[lead.lead_id]
        if verdict.qualified_at is None:
            continue
        outcome.mqls_by_month[verdict.qualified_at.astimezone(zone).strftime("%Y-%m")] += 1
        outcome.by_team[verdict.team] += 1
        if lead.accepted is None:
            outcome.unanswered += 1
        else:
            outcome.answered += 1
            outcome.accepted += lead.accepted
        if lead.won_at and verdict.qualified_at <= lead.won_at:
            outcome.won_qualified += 1
            if lead.mql_at:
                outcome.days_earlier.append((lead.mql_at - verdict.qualified_at).total_seconds() / 86400)
    return outcome
