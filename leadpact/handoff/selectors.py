"""Reads of the hand-off: a lead's clocks and attempts with the business time left, the waiting queue."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import QuerySet

from leadpact.core.durations import say_business_time
from leadpact.core.lifecycle import Stage
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
        return "met" if clock.stopped_at <= clock.due_at else "missed"
    if clock.due_at <= now:
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
