"""HTTP endpoints for leads and signals; they call the services and hold no rules."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.http import HttpRequest
from ninja import Query, Router, Status
from pydantic import BaseModel

from leadpact import clock
from leadpact.accounts.permissions import INTAKE, actor_for, require_role
from leadpact.leads import selectors
from leadpact.leads.engagement import signals_record
from leadpact.leads.models import Lead, LeadEvent
from leadpact.leads.schemas import (
    BatchOut,
    ErrorOut,
    IntakeOut,
    LeadBatchIn,
    LeadDetailOut,
    LeadIn,
    LeadOut,
    SignalBatchIn,
    SignalBatchOut,
    TransitionIn,
)
from leadpact.leads.services import IntakeResult, lead_intake, leads_intake

router = Router(tags=["leads"])
signals_router = Router(tags=["signals"])
# The errors the intake endpoints answer with (leadpact/api.py turns the domain errors into these).
_REFUSED = {403: ErrorOut, 422: ErrorOut, 503: ErrorOut}
MAX_PAGE = 1000


def _row(row: Any) -> Any:
    """A row as sent: an object's fields, or the value itself, which the service reports by index."""
    return row.model_dump(exclude_unset=True) if isinstance(row, BaseModel) else row


@router.post("", response={201: IntakeOut, 200: IntakeOut, 409: ErrorOut, **_REFUSED}, summary="Take in one lead")
def lead_create(request: HttpRequest, payload: LeadIn):
    """Validate, normalise, de-duplicate (same email, same person), score and qualify one lead.
    201 when a lead was created; 200 when the submission merged into a known lead or repeated an earlier one;
    409 when its idempotency_key was used before for another submission; 422 naming each bad field and its fix;
    403 for a role that may not send leads; 503 when no pact is in force."""
    require_role(request.user, INTAKE, "send leads")
    result = lead_intake(_row(payload), actor=actor_for(request.user, "api"), now=clock.now())
    return Status(201 if result.status == "created" else 200, result)


@router.post("/batch", response={200: BatchOut, **_REFUSED}, summary="Take in up to 1,000 leads")
def lead_batch(request: HttpRequest, payload: LeadBatchIn):
    """Good rows go in, each bad row is reported by its index with the field and the fix (a row whose
    idempotency_key was used for another submission too); one transaction. 422 only for more than 1,000 rows."""
    require_role(request.user, INTAKE, "send leads")
    results = leads_intake([_row(lead) for lead in payload.leads], actor=actor_for(request.user, "api"),
                           now=clock.now())
    return _summary(results)


def _summary(results: list[IntakeResult]) -> dict[str, Any]:
    counts = Counter(r.status for r in results)
    statuses = ("created", "merged", "unchanged", "duplicate", "rejected")
    return {**{s: counts.get(s, 0) for s in statuses}, "results": results}


@router.get("", response={200: list[LeadOut], 422: ErrorOut}, summary="List leads")
def lead_index(request: HttpRequest, stage: str | None = None, q: str | None = None,
               limit: int = Query(100, ge=1, le=MAX_PAGE, description=f"Leads per page, 1 to {MAX_PAGE}."),
               offset: int = Query(0, ge=0, description="Leads to skip, 0 or more.")):
    """422 naming limit or offset when it is out of range."""
    leads = selectors.lead_list(stage, q, user=request.user, now=clock.now())[offset: offset + limit]
    now = clock.now()
    return [_lead_out(lead, now) for lead in leads]


@router.get("/{lead_id}", response={200: LeadDetailOut, 404: ErrorOut},
            summary="One lead, why it has its score, and its history")
def lead_detail(request: HttpRequest, lead_id: int):
    now = clock.now()
    lead = selectors.lead_get(lead_id, user=request.user, now=now)
    return {**_lead_out(lead, now), "phone": lead.phone, "website": lead.website, "industry": lead.industry,
            "state": lead.state, "medium": lead.medium, "custom": lead.custom,
            "reasons": selectors.lead_reasons(lead, now),
            "history": [_event_out(e) for e in selectors.lead_history(lead)]}


@router.post("/{lead_id}/transitions", response={200: LeadOut, 403: dict, 404: dict, 409: dict, 422: dict, 503: dict},
             summary="Move a lead through the lifecycle")
def lead_move(request: HttpRequest, lead_id: int, payload: TransitionIn):
    """Any move by name, under the same rules as the dedicated endpoints: nurture, qualify, reopen (marketing);
    assign (with `owner`), accept, reject, recycle, convert, win, lose, disqualify (with a reason where the pact asks).
    409 with what is allowed from here when the move is not."""
    from leadpact.handoff.services import lead_act

    selectors.lead_get(lead_id, user=request.user, now=clock.now())
    lead_act(lead_id, payload.transition, payload.reason, payload.note, owner=payload.owner,
             actor=actor_for(request.user, "api"), now=clock.now())
    return _lead_out(selectors.lead_get(lead_id, user=request.user, now=clock.now()), clock.now())


def _lead_out(lead: Lead, now) -> dict[str, Any]:
    fields = ("id", "email", "external_id", "first_name", "last_name", "title", "company", "domain", "employees",
              "country", "lead_type", "source", "campaign", "stage", "team", "fit", "is_returning", "rounds",
              "created_at", "updated_at")
    return {**{f: getattr(lead, f) for f in fields}, "owner": lead.owner.email if lead.owner else None,
            "engagement": selectors.lead_engagement(lead, now),
            "pact_version": selectors.version_number(lead.pact_version)}


def _event_out(event: LeadEvent) -> dict[str, Any]:
    fields = ("at", "kind", "actor", "transition", "from_stage", "to_stage", "reason", "note", "before", "after",
              "data")
    return {**{f: getattr(event, f) for f in fields}, "pact_version": selectors.version_number(event.pact_version)}


@signals_router.post("", response={200: SignalBatchOut, **_REFUSED}, summary="Record engagement signals")
def signal_batch(request: HttpRequest, payload: SignalBatchIn):
    """Page views, downloads, webinars: each raises the lead's engagement (decaying with the pact's half-life)
    and may make it an MQL. Unknown emails and bad rows are reported by index; the rest go in."""
    require_role(request.user, INTAKE, "send signals")
    rows = [_row(signal) for signal in payload.signals]
    results = signals_record(rows, actor=actor_for(request.user, "api"), now=clock.now())
    counts = Counter(r.status for r in results)
    return {"recorded": counts["recorded"], "duplicate": counts["duplicate"], "rejected": counts["rejected"],
            "results": results}
