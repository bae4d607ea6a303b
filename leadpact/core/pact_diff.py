"""What changed between two pact versions, in sentences a sales or marketing manager can read."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from leadpact.core.calendar_spec import WEEKDAYS
from leadpact.core.durations import Duration
from leadpact.core.pact import Calendar, Commitment, Pact, Team


@dataclass(frozen=True)
class Change:
    section: str
    text: str
    kind: str  # added | removed | changed


def describe_changes(old: Pact, new: Pact) -> list[Change]:
    """Every difference that matters, compared by identity (a rule by its condition, a team by its name),
    so that comments, formatting and key order make no change."""
    changes: list[Change] = []
    for describe in _SECTIONS:
        changes.extend(describe(old, new))
    return changes


def render_changes(changes: list[Change]) -> str:
    """Plain text grouped by section."""
    if not changes:
        return "No change in the agreement."
    lines: list[str] = []
    for section in dict.fromkeys(c.section for c in changes):
        lines.append(f"{section}:")
        lines += [f"  - {c.text}" for c in changes if c.section == section]
    return "\n".join(lines)


def _changed(section: str, what: str, before: Any, after: Any) -> list[Change]:
    if before == after:
        return []
    return [Change(section, f"{what}: {_say(before)} → {_say(after)}.", "changed")]


def _say(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, Duration):
        return value.words()
    if isinstance(value, float) and 0 <= value <= 1:
        return f"{value:.0%}"
    if isinstance(value, (tuple, list, frozenset, set)):
        return ", ".join(str(v) for v in value) or "none"
    return "none" if value in (None, "") else str(value)


def _set_changes(section: str, what: str, before: Iterable[str], after: Iterable[str]) -> list[Change]:
    old, new = list(before), list(after)
    out = [Change(section, f"{what}: {item} added.", "added") for item in new if item not in old]
    return out + [Change(section, f"{what}: {item} removed.", "removed") for item in old if item not in new]


def _keyed(section: str, old: Mapping[str, Any], new: Mapping[str, Any], label: Callable[[str, Any], str],
           compare: Callable[[str, Any, Any], list[Change]]) -> list[Change]:
    """Items compared by their key: added, removed, or changed in place."""
    out = [Change(section, f"{label(k, v)} added.", "added") for k, v in new.items() if k not in old]
    out += [Change(section, f"{label(k, v)} removed.", "removed") for k, v in old.items() if k not in new]
    for key in [k for k in old if k in new]:
        out += compare(key, old[key], new[key])
    return out


def _basics(old: Pact, new: Pact) -> list[Change]:
    s = "The agreement"
    return (_changed(s, "Version", old.version, new.version) + _changed(s, "Effective date", old.effective, new.effective)
            + _changed(s, "Time zone", old.timezone, new.timezone) + _changed(s, "Summary", old.summary, new.summary))


def _lead_types(old: Pact, new: Pact) -> list[Change]:
    def compare(key: str, a: Any, b: Any) -> list[Change]:
        return (_changed("Response times", f"{b.label}: the response time", a.response_within, b.response_within)
                + _changed("Response times", f"{key}: the label", a.label, b.label)
                + _changed("Response times", f"{b.label}: the default type", a.is_default, b.is_default))

    return _keyed("Response times", old.lead_types, new.lead_types,
                  lambda k, v: f"Lead type {v.label} ({v.response_within.words()} to respond)", compare)


def _scoring(old: Pact, new: Pact) -> list[Change]:
    s = "Scoring"
    old_rules = {r.condition.source: r for r in old.scoring.fit}
    new_rules = {r.condition.source: r for r in new.scoring.fit}

    def compare(key: str, a: Any, b: Any) -> list[Change]:
        return (_changed(s, f"Points when {key}", a.points, b.points)
                + _changed(s, f"Reason for {key}", a.why, b.why))

    out = _keyed(s, old_rules, new_rules,
                 lambda k, r: f"Fit rule {r.points:+d} points when {k}" + (f" ({r.why})" if r.why else ""), compare)
    out += _keyed(s, old.scoring.signals, new.scoring.signals, lambda k, p: f"Signal {k} ({p:+d} points)",
                  lambda k, a, b: _changed(s, f"Points for the signal {k}", a, b))
    return out + _changed(s, "Engagement half-life", old.scoring.half_life.words(business=False),
                          new.scoring.half_life.words(business=False))


def _qualification(old: Pact, new: Pact) -> list[Change]:
    s, a, b = "Qualification", old.qualification, new.qualification
    return (_changed(s, "The MQL definition", a.mql_when.source, b.mql_when.source)
            + _set_changes(s, "Required before hand-over", a.require, b.require)
            + _set_changes(s, "Notes marketing attaches", a.document, b.document))


def _routing(old: Pact, new: Pact) -> list[Change]:
    s = "Routing"

    def key(route: Any) -> str:
        return route.condition.source if route.condition else "every other lead"

    old_map, new_map = {key(r): r.team for r in old.routing}, {key(r): r.team for r in new.routing}
    out = _keyed(s, old_map, new_map, lambda k, team: f"Route {k} → team {team}",
                 lambda k, a, b: _changed(s, f"Leads where {k} go to team", a, b))
    shared_old = [k for k in old_map if k in new_map]
    shared_new = [k for k in new_map if k in old_map]
    if shared_old != shared_new:
        out.append(Change(s, "The order of routing rules changed (the first match wins): "
                             + "; ".join(shared_new) + ".", "changed"))
    return out


def _teams(old: Pact, new: Pact) -> list[Change]:
    s = "Teams"

    def compare(name: str, a: Team, b: Team) -> list[Change]:
        return (_set_changes(s, f"Team {name} member", a.members, b.members)
                + _changed(s, f"Team {name} manager", a.manager, b.manager)
                + _changed(s, f"Team {name} strategy", a.strategy.replace("_", " "), b.strategy.replace("_", " "))
                + _changed(s, f"Team {name} most open leads per person", a.max_open, b.max_open)
                + _changed(s, f"Team {name} calendar", a.calendar, b.calendar)
                + _changed(s, f"Team {name} weights", _weights(a), _weights(b)))

    return _keyed(s, old.teams, new.teams, lambda k, t: f"Team {k} ({len(t.members)} people, manager {t.manager})",
                  compare)


def _weights(team: Team) -> str:
    return ", ".join(f"{k} {v}" for k, v in sorted(team.weights.items())) or "none"


def _calendars(old: Pact, new: Pact) -> list[Change]:
    s = "Calendars"

    def compare(name: str, a: Calendar, b: Calendar) -> list[Change]:
        out = _changed(s, f"{name} time zone", a.timezone, b.timezone)
        for day in range(7):
            out += _changed(s, f"{name} {WEEKDAYS[day].capitalize()}", _hours(a, day), _hours(b, day))
        out += _changed(s, f"{name} public holidays", _holidays(a), _holidays(b))
        out += _set_changes(s, f"{name} closed on", [str(d) for d in a.closed], [str(d) for d in b.closed])
        return out + _set_changes(s, f"{name} closure", [_closure(c) for c in a.closures],
                                  [_closure(c) for c in b.closures])

    return _keyed(s, old.calendars, new.calendars, lambda k, c: f"Calendar {k} ({c.timezone})", compare)


def _hours(calendar: Calendar, day: int) -> str:
    intervals = calendar.hours.get(day, ())
    return ", ".join(f"{a // 60:02d}:{a % 60:02d}–{b // 60:02d}:{b % 60:02d}" for a, b in intervals) or "closed"


def _holidays(calendar: Calendar) -> str:
    return "-".join(p for p in (calendar.holidays, calendar.subdivision) if p) or "none"


def _closure(closure: Any) -> str:
    return f"{closure.start:%Y-%m-%d %H:%M} to {closure.end:%Y-%m-%d %H:%M}" + (f" ({closure.why})" if closure.why else "")


def _handoff(old: Pact, new: Pact) -> list[Change]:
    s, a, b = "Hand-off", old.handoff, new.handoff
    return (_set_changes(s, "Notification channel", a.notify, b.notify)
            + _changed(s, "Time to accept or reject", a.accept_within, b.accept_within)
            + _changed(s, "When nobody answers in time", a.on_no_answer, b.on_no_answer)
            + _changed(s, "A manual reassignment's clocks", a.on_reassign, b.on_reassign)
            + _changed(s, "Leads from a company with an owner go to that owner", a.account_owner, b.account_owner)
            + _set_changes(s, "Reject reason", a.reject_reasons, b.reject_reasons)
            + _changed(s, "The owner is warned at", old.response.warn_at, new.response.warn_at)
            + _changed(s, "A breach is escalated to", old.response.escalate_to, new.response.escalate_to))


def _cadence(old: Pact, new: Pact) -> list[Change]:
    s, a, b = "Cadence", old.cadence, new.cadence
    out = []
    for i in range(max(len(a.steps), len(b.steps))):
        before = _step(a.steps[i]) if i < len(a.steps) else None
        after = _step(b.steps[i]) if i < len(b.steps) else None
        if before is None:
            out.append(Change(s, f"Step {i + 1} added: {after}.", "added"))
        elif after is None:
            out.append(Change(s, f"Step {i + 1} removed: {before}.", "removed"))
        else:
            out += _changed(s, f"Step {i + 1}", before, after)
    return (out + _changed(s, "Attempts before giving up", a.min_attempts, b.min_attempts)
            + _changed(s, "Most attempts allowed", a.max_attempts, b.max_attempts)
            + _changed(s, "When the attempts run out", a.when_exhausted, b.when_exhausted))


def _step(step: Any) -> str:
    text = f"{step.channel.replace('_', ' ')} after {step.after.words()}"
    return text + (f" ({step.note})" if step.note else "")


def _recycling(old: Pact, new: Pact) -> list[Change]:
    s, a, b = "Recycling", old.recycle, new.recycle
    condition = [c.source if c else None for c in (a.requalify_when, b.requalify_when)]
    return (_set_changes(s, "Hand-back reason", a.reasons, b.reasons)
            + _changed(s, "Nurture track", a.nurture_track, b.nurture_track)
            + _changed(s, "A recycled lead comes back when", *condition)
            + _set_changes("Outcomes", "Lost reason", old.outcomes.lost_reasons, new.outcomes.lost_reasons)
            + _set_changes("Outcomes", "Disqualify reason", old.outcomes.disqualify_reasons,
                           new.outcomes.disqualify_reasons))


def _commitments(old: Pact, new: Pact) -> list[Change]:
    def key(c: Commitment) -> str:
        return f"{c.side.capitalize()} commits to {c.metric.replace('_', ' ')} per {c.per}"

    def target(c: Commitment) -> str:
        return f"at least {c.at_least:.0%}" if c.is_share else f"at least {c.at_least:g}"

    old_map = {key(c): target(c) for c in old.commitments}
    new_map = {key(c): target(c) for c in new.commitments}
    return _keyed("Commitments", old_map, new_map, lambda k, t: f"{k} {t}",
                  lambda k, a, b: _changed("Commitments", k, a, b))


def _digest(old: Pact, new: Pact) -> list[Change]:
    def say(pact: Pact) -> str:
        d = pact.digest
        return f"every {d.every} at {d.at} to {', '.join(d.to)}" if d else "none"

    return _changed("Reports", "The daily digest", say(old), say(new))


_SECTIONS = (_basics, _lead_types, _scoring, _qualification, _routing, _teams, _calendars, _handoff, _cadence,
             _recycling, _commitments, _digest)
