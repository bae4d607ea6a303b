"""Clocks: started at a hand-off, stopped when what they wait for happens, recomputed when the owner, the lead type or
the calendar changes, and fired (warning, then deadline) exactly once, even with several workers."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from leadpact.core.business_time import BusinessCalendar, business_calendar
from leadpact.core.durations import say_business_time
from leadpact.core.pact import Pact
from leadpact.core.sla import ClockKind, ClockPlan, recomputed
from leadpact.leads.batch import events_add
from leadpact.leads.models import EventKind, Lead, LeadEvent
from leadpact.notify.models import Endpoint, Message
from leadpact.notify.services import chat_endpoints, messages_add, notices
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_of
from leadpact.sla.models import Clock, StopReason

log = logging.getLogger(__name__)
# A clock fired later than this after its instant is marked late (the worker was down or behind).
LATE_AFTER = dt.timedelta(seconds=60)
_WARNINGS = {ClockKind.ACCEPT: "accept_warning", ClockKind.RESPONSE: "response_warning"}


def calendar_of(version: PactVersion, name: str) -> BusinessCalendar:
    return business_calendar(pact_of(version).calendars[name])


def next_fire(clock: Clock) -> dt.datetime | None:
    """When the worker must next act on the clock: its warning, then its deadline, then never."""
    if clock.stopped_at is not None:
        return None
    if clock.warn_at is not None and clock.warned_at is None:
        return clock.warn_at
    return clock.due_at if clock.breached_at is None else None


def clocks_start(lead: Lead, plans: Iterable[ClockPlan], *, team: str, calendar: str, version: PactVersion,
                 channels: dict[int, str] | None = None) -> list[Clock]:
    """Start clocks for the lead's owner; each starts the count of business time in the team's calendar."""
    clocks = [Clock(lead=lead, kind=plan.kind.value, round=lead.rounds, step=plan.step,
                    channel=(channels or {}).get(plan.step or 0, ""), owner_id=lead.owner_id, team=team,
                    calendar=calendar, pact_version=version, started_at=plan.started_at, due_at=plan.due_at,
                    warn_at=plan.warn_at, lead_type=lead.lead_type) for plan in plans]
    for clock in clocks:
        clock.fire_at = next_fire(clock)
    return Clock.objects.bulk_create(clocks)


def clocks_stop(lead: Lead, kinds: Sequence[ClockKind], *, reason: str, now: dt.datetime) -> list[Clock]:
    """Stop the lead's running clocks of these kinds, recording the business time each took."""
    clocks = list(Clock.objects.select_related("pact_version").filter(
        lead=lead, kind__in=[k.value for k in kinds], stopped_at=None))
    for clock in clocks:
        clock.stopped_at, clock.stop_reason, clock.fire_at = now, reason, None
        clock.business_seconds = calendar_of(clock.pact_version, clock.calendar).between(clock.started_at, now)
    Clock.objects.bulk_update(clocks, ["stopped_at", "stop_reason", "fire_at", "business_seconds"])
    return clocks


def clocks_stop_all(lead: Lead, *, now: dt.datetime, reason: str = StopReason.STAGE_LEFT) -> list[Clock]:
    return clocks_stop(lead, list(ClockKind), reason=reason, now=now)


def clocks_recompute(lead: Lead, *, version: PactVersion, calendar: str, owner_id: int | None = None,
                     save: bool = True, only_sooner: bool = False) -> list[tuple[Clock, dt.datetime]]:
    """Work out again, from their start and under `version`, the deadlines of the lead's running acceptance and
    response clocks: for a new owner (and their team calendar), a new lead type, or a new pact version. Alerts already
    sent are not repeated; `only_sooner` keeps a deadline that would move later. Returns each clock with its previous
    due instant."""
    pact = pact_of(version)
    clocks = list(Clock.objects.filter(lead=lead, kind__in=[ClockKind.ACCEPT, ClockKind.RESPONSE], stopped_at=None))
    changes = []
    for clock in clocks:
        before = clock.due_at
        business = business_calendar(pact.calendars[calendar])
        due, warn = recomputed(ClockKind(clock.kind), business, pact, lead.lead_type, clock.started_at)
        if only_sooner and due >= clock.due_at:
            continue
        clock.due_at, clock.warn_at = due, warn
        clock.calendar, clock.owner_id, clock.team = calendar, owner_id or clock.owner_id, lead.team
        clock.lead_type = lead.lead_type
        clock.pact_version, clock.fire_at = version, next_fire(clock)
        changes.append((clock, before))
    if save:
        Clock.objects.bulk_update(clocks, ["due_at", "warn_at", "calendar", "owner", "team", "pact_version",
                                           "fire_at", "lead_type"])
    return changes


def clocks_adopt_pact(now: dt.datetime, *, apply: bool = False) -> list[tuple[Clock, dt.datetime]]:
    """Recompute every running acceptance and response clock under the pact in force (a new calendar, new response
    times). Decisions already made never change by themselves: this is an explicit action, previewed when `apply` is
    false. Returns the clocks whose deadline moves, with their previous due instant."""
    from leadpact.pact.selectors import pact_in_force

    version, pact = pact_in_force(now)
    running = Clock.objects.filter(stopped_at=None, kind__in=[ClockKind.ACCEPT, ClockKind.RESPONSE])
    moved = []
    with transaction.atomic():
        for lead in Lead.objects.filter(pk__in=running.values("lead_id")).select_for_update().order_by("pk"):
            if lead.team in pact.teams:
                changes = clocks_recompute(lead, version=version, calendar=pact.teams[lead.team].calendar,
                                           save=apply)
                moved += [(clock, before) for clock, before in changes if clock.due_at != before]
    return moved


# Firing -----------------------------------------------------------------------------------------------------------

@dataclass
class FireReport:
    claimed: int = 0
    warned: int = 0
    breached: int = 0
    expired: int = 0
    steps_due: int = 0
    late: int = 0
    skipped: int = 0  # the lead was busy (locked by a request); left for the next pass
    failed: int = 0  # acting on the clock raised; it is tried again later, with its error recorded


@dataclass
class _Firing:
    """What one batch of due clocks produces, written with a few bulk statements."""

    now: dt.datetime
    chat: list[Endpoint]
    report: FireReport = field(default_factory=FireReport)
    events: list[LeadEvent] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    expired: list[tuple[Lead, Clock]] = field(default_factory=list)


def clocks_fire_due(now: dt.datetime, limit: int = 500) -> FireReport:
    """Act on the clocks due at `now`, oldest first, in one transaction. Each worker claims its own rows (locks that
    others skip) and a clock's state changes with its alert, so every warning and deadline fires once; a worker that
    dies mid-batch leaves the whole batch to the next one."""
    with transaction.atomic():
        clocks = list(Clock.objects.select_for_update(skip_locked=True, of=("self",)).filter(fire_at__lte=now)
                      .order_by("fire_at", "id")[:limit])
        if not clocks:
            return FireReport()
        versions = PactVersion.objects.in_bulk({c.pact_version_id for c in clocks})
        leads = {lead.pk: lead for lead in Lead.objects.select_for_update(skip_locked=True, of=("self",))
                 .select_related("owner").filter(pk__in={c.lead_id for c in clocks})}
        firing = _Firing(now, chat_endpoints())
        firing.report.claimed = len(clocks)
        for clock in clocks:
            clock.pact_version = versions[clock.pact_version_id]
            if clock.lead_id in leads:
                _fire_safely(clock, leads[clock.lead_id], firing)
            else:
                firing.report.skipped += 1
        _save_fired([c for c in clocks if c.lead_id in leads])
        events_add(firing.events, leads)
        messages_add(firing.messages)
        _act_on_expired(firing)
    return firing.report


_FIRED = ("warned_at", "breached_at", "stopped_at", "stop_reason", "business_seconds", "fire_at", "failures",
          "last_error")
RETRY_FAILED = dt.timedelta(minutes=5)


def _save_fired(clocks: list[Clock]) -> None:
    """One UPDATE per set of identical new values: a batch fired at one instant has few of them."""
    groups: dict[tuple, list[int]] = defaultdict(list)
    for clock in clocks:
        groups[tuple(getattr(clock, name) for name in _FIRED)].append(clock.pk)
    for values, ids in groups.items():
        Clock.objects.filter(pk__in=ids).update(**dict(zip(_FIRED, values)))


def _fire_safely(clock: Clock, lead: Lead, firing: _Firing) -> None:
    """Fire one clock; if that raises (a bug, bad data), undo what it added, record the error on the clock and try it
    again later, so that one clock never stops the others."""
    before = {name: getattr(clock, name) for name in _FIRED}
    marks = len(firing.events), len(firing.messages), len(firing.expired)
    try:
        _fire(clock, lead, firing)
    except Exception as err:  # noqa: BLE001 - recorded on the clock and logged
        del firing.events[marks[0]:], firing.messages[marks[1]:], firing.expired[marks[2]:]
        for name, value in before.items():
            setattr(clock, name, value)
        clock.failures, clock.last_error = clock.failures + 1, f"{type(err).__name__}: {err}"[:2000]
        clock.fire_at = firing.now + RETRY_FAILED * min(clock.failures, 12)
        firing.report.failed += 1
        log.exception("clock %s of lead %s failed; trying again at %s", clock.pk, clock.lead_id, clock.fire_at)


def _fire(clock: Clock, lead: Lead, firing: _Firing) -> None:
    """Everything now due on one clock, in order: its warning (unless the deadline passed too), then its deadline."""
    pact = pact_of(clock.pact_version)
    while clock.fire_at is not None and clock.fire_at <= firing.now:
        late = _late(clock.fire_at, firing)
        if clock.fire_at == clock.warn_at and clock.warned_at is None:
            _warn(clock, lead, pact, firing, late)
        else:
            _due(clock, lead, pact, firing, late)
        clock.fire_at = next_fire(clock)


def _late(instant: dt.datetime, firing: _Firing) -> int:
    """Seconds past the clock's instant, counted in the report when the worker was behind."""
    seconds = int((firing.now - instant).total_seconds())
    if seconds <= LATE_AFTER.total_seconds():
        return 0
    firing.report.late += 1
    return seconds


def _warn(clock: Clock, lead: Lead, pact: Pact, firing: _Firing, late: int) -> None:
    clock.warned_at = firing.now
    skipped = clock.due_at <= firing.now  # the worker was down past the deadline: warning now would be noise
    left = calendar_of(clock.pact_version, clock.calendar).between(firing.now, clock.due_at)
    words = f"{say_business_time(left)} of business time"
    _event(clock, firing, "warned", late, left=words, skipped=skipped)
    if not skipped:
        firing.report.warned += 1
        _notice(_WARNINGS[ClockKind(clock.kind)], lead, [lead.owner], pact, firing, left=words)


def _due(clock: Clock, lead: Lead, pact: Pact, firing: _Firing, late: int) -> None:
    clock.breached_at = firing.now
    kind = ClockKind(clock.kind)
    if kind is ClockKind.ACCEPT:
        clock.stopped_at, clock.stop_reason = firing.now, StopReason.EXPIRED
        clock.business_seconds = calendar_of(clock.pact_version, clock.calendar).between(clock.started_at,
                                                                                          firing.now)
        firing.report.expired += 1
        firing.expired.append((lead, clock))
        _event(clock, firing, "expired", late)
    elif kind is ClockKind.RESPONSE:
        firing.report.breached += 1
        _event(clock, firing, "breached", late)
        within = say_business_time(calendar_of(clock.pact_version, clock.calendar).between(clock.started_at,
                                                                                            clock.due_at))
        _notice("breach", lead, [lead.owner], pact, firing, within=within)
        _notice("escalation", lead, [escalation_target(pact, clock.team)], pact, firing, within=within)
    else:
        firing.report.steps_due += 1
        _event(clock, firing, "step_due", late, step=clock.step, channel=clock.channel)
        _notice("step_due", lead, [lead.owner], pact, firing, step=clock.step, channel=clock.channel)


def escalation_target(pact: Pact, team: str) -> str:
    """Who hears of a breach: the team's manager, or the address the pact names."""
    target = pact.response.escalate_to
    if target == "manager":
        return pact.teams[team].manager if team in pact.teams else ""
    return target


def _event(clock: Clock, firing: _Firing, what: str, late: int, **data: Any) -> None:
    firing.events.append(LeadEvent(
        lead_id=clock.lead_id, at=firing.now, kind=EventKind.CLOCK, actor="system", actor_role="system",
        pact_version_id=clock.pact_version_id, data={"clock": clock.kind, "what": what, "due_at": clock.due_at.isoformat(),
                                                     "owner_id": clock.owner_id, "late_seconds": late, **data}))


def _notice(notice: str, lead: Lead, people: list[Any], pact: Pact, firing: _Firing, **context: Any) -> None:
    firing.messages += notices(notice, lead, people, channels=pact.handoff.notify, now=firing.now, context=context,
                               chat=firing.chat)


def _act_on_expired(firing: _Firing) -> None:
    """An acceptance window that ran out does what the pact says: reassign or recycle."""
    from leadpact.handoff.services import lead_accept_expired

    for lead, clock in firing.expired:
        try:
            with transaction.atomic():
                lead_accept_expired(lead, clock, now=firing.now)
        except Exception:  # noqa: BLE001 - the lead keeps its owner and its response clock; logged for a person
            log.exception("acting on the expired acceptance window of lead %s failed", lead.pk)
