"""Webhook event names and payloads, said once: one name for each kind of lifecycle event."""

from __future__ import annotations

import uuid
from typing import Any

TRANSITION_EVENTS = {
    "nurture": "lead.nurtured", "qualify": "lead.qualified", "assign": "lead.assigned", "unassign": "lead.unassigned",
    "accept": "lead.accepted", "reject": "lead.rejected", "work": "lead.working", "convert": "lead.converted",
    "win": "lead.won", "lose": "lead.lost", "recycle": "lead.recycled", "disqualify": "lead.disqualified",
    "reopen": "lead.reopened",
}
KIND_EVENTS = {"created": "lead.created", "merged": "lead.updated", "owner": "lead.reassigned",
               "queued": "lead.queued", "attempt": "lead.attempt_logged", "note": "lead.noted",
               "scored": "lead.scored"}
CLOCK_EVENTS = {"warned": "sla.warning", "breached": "sla.breached", "expired": "sla.acceptance_expired",
                "step_due": "cadence.step_due"}
EVENT_NAMES = sorted({*TRANSITION_EVENTS.values(), *KIND_EVENTS.values(), *CLOCK_EVENTS.values()})


def event_name(event: Any) -> str:
    if event.kind == "transition":
        return TRANSITION_EVENTS.get(event.transition, f"lead.{event.transition}")
    if event.kind == "clock":
        return CLOCK_EVENTS.get((event.data or {}).get("what", ""), "sla.clock")
    return KIND_EVENTS.get(event.kind, f"lead.{event.kind}")


def event_payload(delivery: uuid.UUID, name: str, event: Any, lead: Any, version: int | None) -> dict[str, Any]:
    """The JSON body of a webhook: what happened, to which lead, by whom, under which pact version."""
    return {
        "id": str(delivery), "event": name, "occurred_at": event.at.isoformat(),
        "lead": {"id": lead.pk, "email": lead.email, "first_name": lead.first_name, "last_name": lead.last_name,
                 "company": lead.company, "stage": lead.stage, "team": lead.team, "lead_type": lead.lead_type,
                 "owner": lead.owner.email if lead.owner_id else None},
        "change": {"actor": event.actor, "from_stage": event.from_stage, "to_stage": event.to_stage,
                   "reason": event.reason, "note": event.note, "data": event.data,
                   "pact_version": version},
    }
