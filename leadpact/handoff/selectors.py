"""Reads of the hand-off: a lead's clocks and attempts with the business time left, the waiting queue."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import Count, F, Q, QuerySet

from leadpact.core.durations import say_business_time
from leadpact.core.lifecycle import WORKLOAD, Stage
from leadpact.handoff.models import Attempt, OutOfOffice
from leadpact.leads.models import Lead
from leadpact.sla.models import Clock
from leadpact.sla.services import calendar_of


def clock_state(clock: Clock, now: dt.datetime) -> str:
    """running | at_risk (past its warning) | breached | met | missed | done (a follow-up step) | stopped."""
    if clock.stopped_at is not None:
        if clock.stop_reason in ("reassigned", "stage_left", "rejected"):
            return "stopped"
        if clock.stop_reason == "step_done":
            return "done"
        return "met" if clock.met else "missed"
    if clock.due_at <= now or clock.breached_at is not None:
        return "breached"
    return "at_risk" if clock.warn_at is not None and clock.warn_at <= now else "running"


def clock_view(clock: Clock, now: dt.datetime) -> dict[str, Any]:
    """A clock as pages and the API show it: its state and the business time left (negative: overdue)."""
    calendar = calendar_of(clock.pact_version, clock.calendar)
    left = None if clock.stopped_at else calendar.between(now, clock.due_at)
    return {"id": clock.pk, "kind": clock.kind, "label": clock.get_kind_display(), "round": clock.round,
            "step": clock.step, "channel": clock.channel, "owner": clock.owner.email if clock.owner else None,
            "team": clock.team, "calendar": clock.calendar, "started_at": clock.started_at, "due_at": clock.due_at,
            "warn_at": clock.warn_at, "warned_at": clock.warned_at, "breached_at": clock.breached_at,
            "stopped_at": clock.stopped_at, "stop_reason": clock.stop_reason,
            "business_seconds": clock.business_seconds, "late_seconds": clock.late_seconds,
            "state": clock_state(clock, now), "left_seconds": left,
            "left": None if left is None else (say_business_time(left) + (" left" if left >= 0 else " overdue"))}


def countdown(clock: Clock, now: dt.datetime) -> dict[str, Any] | None:
    """What a page needs to count a running clock down live in business time: its warning and due instants and the
    open intervals until it is due (epoch seconds)."""
    if clock.stopped_at is not None or clock.due_at <= now:
        return None
    spans = calendar_of(clock.pact_version, clock.calendar).open_spans(now, clock.due_at)
    return {"due": int(clock.due_at.timestamp()), "warn": int(clock.warn_at.timestamp()) if clock.warn_at else None,
            "spans": [list(span) for span in spans]}


def lead_clocks(lead: Lead, now: dt.datetime) -> list[dict[str, Any]]:
    clocks = lead.clocks.select_related("pact_version", "owner").order_by("-round", "started_at", "id")
    return [clock_view(c, now) for c in clocks]


def lead_attempts(lead: Lead) -> QuerySet[Attempt]:
    return Attempt.objects.filter(lead=lead).select_related("by").order_by("round", "number")


def queue(team: str | None = None) -> QuerySet[Lead]:
    """MQLs waiting for an owner, oldest first (`queued_at` set: nobody could take them when last tried)."""
    leads = Lead.objects.filter(stage=Stage.MQL).order_by("stage_changed_at", "id")
    return leads.filter(team=team) if team else leads


def out_of_office_now(now: dt.datetime) -> QuerySet[OutOfOffice]:
    return OutOfOffice.objects.filter(starts_at__lte=now, ends_at__gt=now).select_related("user", "set_by")


# The rep's inbox ----------------------------------------------------------------------------------------------

@dataclass
class InboxRow:
    """A lead on a rep's plate with its running clocks (by kind) and what is most urgent about it."""

    lead: Lead
    clocks: dict[str, dict[str, Any]]
    next_due: dt.datetime | None

    @property
    def accept(self) -> dict[str, Any] | None:
        return self.clocks.get("accept")

    @property
    def response(self) -> dict[str, Any] | None:
        return self.clocks.get("response")

    @property
    def step(self) -> dict[str, Any] | None:
        return self.clocks.get("cadence")


def inbox(owner: Any, now: dt.datetime) -> tuple[list[InboxRow], list[InboxRow]]:
    """(leads waiting for acceptance, leads being worked), each most urgent first."""
    leads = list(Lead.objects.filter(owner=owner, stage__in=[s.value for s in WORKLOAD]).order_by("assigned_at"))
    rows = [_row(lead, clocks, now) for lead, clocks in _running_clocks(leads)]
    waiting = sorted((r for r in rows if r.lead.stage == Stage.ASSIGNED), key=_urgency)
    working = sorted((r for r in rows if r.lead.stage != Stage.ASSIGNED), key=_urgency)
    return waiting, working


def inbox_row(lead: Lead, now: dt.datetime) -> InboxRow:
    return _row(lead, next(iter(_running_clocks([lead])))[1], now)


def _running_clocks(leads: list[Lead]) -> list[tuple[Lead, list[Clock]]]:
    by_lead: dict[int, list[Clock]] = {lead.pk: [] for lead in leads}
    for clock in Clock.objects.filter(lead__in=leads, stopped_at=None).select_related("pact_version", "owner"):
        by_lead[clock.lead_id].append(clock)
    return [(lead, by_lead[lead.pk]) for lead in leads]


def _row(lead: Lead, clocks: list[Clock], now: dt.datetime) -> InboxRow:
    views = {c.kind: {**clock_view(c, now), "countdown": countdown(c, now)} for c in clocks}
    due = min((c.due_at for c in clocks), default=None)
    return InboxRow(lead, views, due)


def _urgency(row: InboxRow) -> tuple[bool, dt.datetime]:
    return row.next_due is None, row.next_due or dt.datetime.max.replace(tzinfo=dt.timezone.utc)


# The lead page -----------------------------------------------------------------------------------------------

def cadence_plan(lead: Lead, now: dt.datetime) -> list[dict[str, Any]]:
    """The agreed follow-up steps of the current round: each with its due instant and the attempt that did it."""
    from leadpact.core.business_time import business_calendar
    from leadpact.pact.selectors import NoPactInForce, pact_in_force

    if lead.assigned_at is None:
        return []
    try:
        _, pact = pact_in_force(now)
    except NoPactInForce:
        return []
    calendar = business_calendar(pact.calendars[pact.teams[lead.team].calendar]) if lead.team in pact.teams else None
    done = {a.number: a for a in Attempt.objects.filter(lead=lead, round=lead.rounds)}
    plan = []
    for number, step in enumerate(pact.cadence.steps, start=1):
        due = calendar.add(lead.assigned_at, step.after) if calendar else None
        plan.append({"number": number, "channel": step.channel, "note": step.note, "due_at": due,
                     "attempt": done.get(number), "overdue": due is not None and due <= now and number not in done})
    return plan


def previous_rounds(lead: Lead) -> list[dict[str, Any]]:
    """Each earlier round of a returning lead: who had it and how it ended."""
    events = lead.events.filter(kind="transition", transition__in=["assign", "recycle", "reject", "qualify"])
    rounds: list[dict[str, Any]] = []
    for event in events.order_by("at", "id"):
        if event.transition == "qualify":
            rounds.append({"started": event.at, "owner": None, "ended": None, "reason": "", "how": ""})
        elif rounds and event.transition == "assign":
            rounds[-1]["owner"] = (event.data or {}).get("owner")
        elif rounds:
            rounds[-1].update(ended=event.at, reason=event.reason, how=event.transition)
    return rounds[:-1] if lead.rounds and len(rounds) >= lead.rounds else rounds


# The manager's board -----------------------------------------------------------------------------------------

@dataclass
class RepLoad:
    email: str
    team: str
    open_leads: int
    answered: int  # response clocks of the last 7 days that stopped in time
    counted: int  # response clocks of the last 7 days that stopped or breached
    away_until: dt.datetime | None

    @property
    def compliance(self) -> float | None:
        return self.answered / self.counted if self.counted else None


def board(teams: dict[str, tuple[str, ...]], now: dt.datetime) -> dict[str, Any]:
    """A manager's teams right now: clocks at risk and breached, the queue, who is away, each rep's load and SLA."""
    members = sorted({m for emails in teams.values() for m in emails})
    running = (Clock.objects.filter(stopped_at=None, kind__in=["accept", "response"], team__in=list(teams))
               .select_related("lead", "owner", "pact_version").order_by("due_at"))
    at_risk = [clock_view(c, now) | {"lead": c.lead} for c in running.filter(warn_at__lte=now, due_at__gt=now)]
    breached = [clock_view(c, now) | {"lead": c.lead} for c in running.filter(due_at__lte=now)]
    away = {p.user.email: p for p in out_of_office_now(now).filter(user__email__in=members)}
    return {"at_risk": at_risk, "breached": breached, "away": list(away.values()),
            "queue": list(Lead.objects.filter(stage=Stage.MQL, team__in=list(teams)).order_by("stage_changed_at")),
            "reps": _loads(teams, now, away)}


def _loads(teams: dict[str, tuple[str, ...]], now: dt.datetime, away: dict[str, OutOfOffice]) -> list[RepLoad]:
    week = now - dt.timedelta(days=7)
    members = [email for emails in teams.values() for email in emails]
    load = dict(Lead.objects.filter(stage__in=[s.value for s in WORKLOAD], owner__email__in=members)
                .values("owner__email").annotate(n=Count("id")).values_list("owner__email", "n"))
    clocks = Clock.objects.filter(kind="response", started_at__gte=week, owner__email__in=members).exclude(
        stop_reason__in=["reassigned", "rejected"])
    counted = dict(clocks.filter(Q(stopped_at__isnull=False) | Q(due_at__lte=now)).values("owner__email")
                   .annotate(n=Count("id")).values_list("owner__email", "n"))
    answered = dict(clocks.filter(stopped_at__lte=F("due_at")).values("owner__email")
                    .annotate(n=Count("id")).values_list("owner__email", "n"))
    return [RepLoad(email, team, load.get(email, 0), answered.get(email, 0), counted.get(email, 0),
                    away[email].ends_at if email in away else None)
            for team, emails in teams.items() for email in emails]
