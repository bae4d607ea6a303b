"""Routing: which team a lead goes to, and which member takes it. Deterministic and explained, never random.

The store gathers, for each member, what routing needs to know at `now` (open leads, whether they are at work, how
many leads the rotation gave them); `choose_owner` decides and says why, so every assignment can be replayed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from leadpact.core.pact import Pact, Team


@dataclass(frozen=True)
class Member:
    """A team member as routing sees them at one instant."""

    email: str
    open_leads: int
    at_work: bool = True
    away_until: str = ""  # why not at work, for the explanation ("out of office until 2026-12-08")
    assigned: int = 0  # leads the rotation has given them in this team so far
    weight: int = 1


@dataclass(frozen=True)
class Choice:
    """The member chosen (None: nobody can take the lead now) and why, as plain data for the history."""

    owner: str | None
    why: dict[str, Any] = field(default_factory=dict)


def pick_team(pact: Pact, record: Mapping[str, Any]) -> tuple[str, str]:
    """The first route whose condition holds: (team, the rule in words)."""
    for route in pact.routing:
        if route.condition is None or route.condition(record):
            return route.team, route.condition.source if route.condition else "every other lead"
    raise LookupError("no route matches; the pact's last route must have no condition")


def choose_owner(team: Team, members: Sequence[Member], last_assigned: str | None = None,
                 account_owner: str | None = None) -> Choice:
    """Pick an owner by the team's strategy among the members at work and under the cap.

    `last_assigned` is the member round robin gave the previous lead to; `account_owner` the person who already owns
    the lead's company, who gets it when they can take it.
    """
    load = {m.email: m.open_leads for m in members}
    why: dict[str, Any] = {"team": team.name, "strategy": team.strategy, "max_open": team.max_open, "load": load}
    unavailable = _unavailable(team, members)
    if unavailable:
        why["skipped"] = unavailable
    eligible = [m for m in members if m.email not in unavailable]
    if account_owner and account_owner in {m.email for m in eligible}:
        return Choice(account_owner, {**why, "strategy": "account_owner",
                                      "because": f"{account_owner} already owns this company's leads"})
    if not eligible:
        return Choice(None, {**why, "because": "nobody in the team can take a lead now"})
    chosen, because = _STRATEGIES[team.strategy](eligible, [m.email for m in members], last_assigned)
    return Choice(chosen.email, {**why, "because": because})


def _unavailable(team: Team, members: Sequence[Member]) -> dict[str, str]:
    """Members who cannot take a lead now, with the reason."""
    out = {}
    for m in members:
        if not m.at_work:
            out[m.email] = m.away_until or "not at work"
        elif team.max_open is not None and m.open_leads >= team.max_open:
            out[m.email] = f"at the cap of {team.max_open} open leads"
    return out


def _round_robin(eligible: list[Member], order: list[str], last: str | None) -> tuple[Member, str]:
    """The next member after the last one given a lead, in the team's order, skipping those who cannot take it."""
    start = order.index(last) + 1 if last in order else 0
    by_email = {m.email: m for m in eligible}
    for email in order[start:] + order[:start]:
        if email in by_email:
            return by_email[email], f"next in turn after {last}" if last else "first in turn"
    raise AssertionError("eligible members are members")


def _least_loaded(eligible: list[Member], order: list[str], last: str | None) -> tuple[Member, str]:
    """Fewest open leads; on a tie, the one the rotation gave fewest leads, then the team's order."""
    chosen = min(eligible, key=lambda m: (m.open_leads, m.assigned, order.index(m.email)))
    return chosen, f"fewest open leads ({chosen.open_leads})"


def _weighted(eligible: list[Member], order: list[str], last: str | None) -> tuple[Member, str]:
    """Leads in proportion to weight: the member furthest below their share so far (deterministic)."""
    chosen = min(eligible, key=lambda m: ((m.assigned + 1) / m.weight, -m.weight, order.index(m.email)))
    return chosen, f"furthest below their share: {chosen.assigned} leads so far at weight {chosen.weight}"


_STRATEGIES = {"round_robin": _round_robin, "least_loaded": _least_loaded, "weighted": _weighted}
