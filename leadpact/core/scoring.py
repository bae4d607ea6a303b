"""Fit and engagement scores under a pact, with their reasons, and the MQL decision. Time is passed in."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from leadpact.core.pact import Pact


@dataclass(frozen=True)
class Reason:
    """One contribution to a score: the rule or signal, its points, and why."""

    kind: str  # "fit" | "engagement"
    rule: str
    points: float
    why: str = ""
    at: dt.datetime | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "rule": self.rule, "points": self.points, "why": self.why,
                "at": self.at.isoformat() if self.at else None}


@dataclass(frozen=True)
class Engagement:
    """Engagement points decay with the pact's half-life; kept as a value at an anchor instant."""

    points: float = 0.0
    as_of: dt.datetime | None = None

    def at(self, now: dt.datetime, half_life_seconds: int) -> float:
        if self.as_of is None or not self.points:
            return 0.0
        return decay(self.points, (now - self.as_of).total_seconds(), half_life_seconds)

    def add(self, points: float, signal_at: dt.datetime, half_life_seconds: int) -> Engagement:
        """Add a signal's points (signals may arrive late and out of order: decay is multiplicative)."""
        anchor = max(signal_at, self.as_of) if self.as_of else signal_at
        total = self.at(anchor, half_life_seconds) + decay(points, (anchor - signal_at).total_seconds(), half_life_seconds)
        return Engagement(round(total, 6), anchor)


def decay(points: float, age_seconds: float, half_life_seconds: int) -> float:
    """Points after `age_seconds`: halved every half-life; a signal from the future counts in full."""
    return points * 0.5 ** (max(age_seconds, 0.0) / half_life_seconds)


def email_domain(email: str | None) -> str | None:
    return email.rpartition("@")[2] if email and "@" in email else None


def record_for(lead: Mapping[str, Any], fit: float = 0, engagement: float = 0) -> dict[str, Any]:
    """The flat record conditions read: the lead's fields, custom.* fields, and the derived scores."""
    record = {key: value for key, value in lead.items() if key != "custom"}
    for key, value in (lead.get("custom") or {}).items():
        record[f"custom.{key}"] = value
    record["email_domain"] = email_domain(lead.get("email"))
    record["fit"], record["engagement"] = fit, round(engagement, 2)
    record["score"] = round(fit + engagement, 2)
    return record


def fit_score(pact: Pact, record: Mapping[str, Any]) -> tuple[int, list[Reason]]:
    """Sum the points of every fit rule that holds, with a reason for each."""
    reasons = [Reason("fit", rule.condition.source, rule.points, rule.why)
               for rule in pact.scoring.fit if rule.condition(record)]
    return sum(int(r.points) for r in reasons), reasons


def engagement_reasons(pact: Pact, signals: Iterable[tuple[str, dt.datetime]], now: dt.datetime) -> list[Reason]:
    """What each signal is worth at `now` under the pact (signals the pact does not score are left out)."""
    half_life = pact.scoring.half_life.calendar_seconds
    reasons = []
    for name, at in signals:
        points = pact.scoring.signals.get(name)
        if points:
            reasons.append(Reason("engagement", name, round(decay(points, (now - at).total_seconds(), half_life), 2),
                                  f"{points} points, halved every {pact.scoring.half_life.words(business=False)}", at))
    return reasons


@dataclass(frozen=True)
class Qualification:
    """The MQL decision: does the lead meet the definition, and what is missing if not."""

    is_mql: bool
    meets_definition: bool
    missing: tuple[str, ...]

    def explain(self, pact: Pact) -> str:
        if self.is_mql:
            return f"meets the MQL definition: {pact.qualification.mql_when.source}"
        if self.meets_definition:
            return f"meets the MQL definition but lacks {', '.join(self.missing)}"
        return f"does not meet the MQL definition: {pact.qualification.mql_when.source}"


def qualify(pact: Pact, record: Mapping[str, Any]) -> Qualification:
    """Apply `qualification.mql_when` and `require` to a record built by `record_for`."""
    meets = pact.qualification.mql_when(record)
    missing = tuple(name for name in pact.qualification.require if record.get(name) in (None, ""))
    return Qualification(meets and not missing, meets, missing)


def requalifies(pact: Pact, record: Mapping[str, Any]) -> bool:
    """Does a recycled lead's new engagement meet `recycle.requalify_when` (and the MQL `require` list)?"""
    condition = pact.recycle.requalify_when
    if condition is None:
        return qualify(pact, record).is_mql
    return condition(record) and not qualify(pact, record).missing
