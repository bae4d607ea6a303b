"""HTTP endpoints of the hand-off: one action each (accept, reject, log an attempt, hand back, reassign, close),
a lead's clocks and attempts, and the queue of MQLs waiting for an owner. They call the services and hold no rules."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from leadpact import clock
from leadpact.accounts.permissions import actor_for
from leadpact.handoff import selectors, services
from leadpact.leads.api import _lead_out
from leadpact.leads.schemas import LeadOut
from leadpact.leads.selectors import lead_get, visible

router = Router(tags=["hand-off"])
ERRORS = {403: dict, 404: dict, 409: dict, 422: dict, 503: dict}


class RejectIn(Schema):
    reason: str = Field(..., examples=["not_our_icp"], description="One of the pact's handoff.reject_reasons.")
    note: str = ""


class AttemptIn(Schema):
    channel: str = Field(..., examples=["phone"], description="phone, email, linkedin, social, sms, in_person, "
                                                              "video or chat")
    outcome: str = Field(..., examples=["no_answer"], description="no_answer, voicemail, email_sent, bounced, "
                                                                  "connected or meeting_booked")
    note: str = ""


class RecycleIn(Schema):
    reason: str = Field(..., examples=["not_ready_yet"], description="One of the pact's recycle.reasons.")
    note: str = ""
    override_reason: str = Field("", description="A manager's reason to give up before cadence.min_attempts.")


class ReassignIn(Schema):
    owner: str = Field(..., examples=["dee@acme.example"], description="The new owner's email.")
    reason: str = Field(..., examples=["Cy is on leave"])


class CloseIn(Schema):
    reason: str = Field("", description="lose: one of outcomes.lost_reasons; disqualify: outcomes.disqualify_reasons.")
    note: str = ""


class AttemptOut(Schema):
    round: int
    number: int
    channel: str
    outcome: str
    note: str
    at: dt.datetime
    by: str | None


class ClockOut(Schema):
    id: int
    kind: str
    label: str
    round: int
    step: int | None
    channel: str
    owner: str | None
    team: str
    calendar: str
    started_at: dt.datetime
    due_at: dt.datetime
    warn_at: dt.datetime | None
    warned_at: dt.datetime | None
    breached_at: dt.datetime | None
    stopped_at: dt.datetime | None
    stop_reason: str
    business_seconds: int | None = Field(None, description="Business time from start to stop.")
    late_seconds: int
    state: str = Field(..., description="running, at_risk, breached, met, missed, done or stopped")
    left_seconds: int | None = Field(None, description="Business seconds left (negative: overdue).")
    left: str | None = Field(None, examples=["3 h 20 min left"])


def _out(request: HttpRequest, lead_id: int) -> dict[str, Any]:
    """The lead after an action the person was allowed to take (it may have left their sight, as on a reassignment)."""
    return _lead_out(lead_get(lead_id), clock.now())


@router.post("/{lead_id}/accept", response={200: LeadOut, **ERRORS}, summary="Accept a lead (SAL)")
def accept(request: HttpRequest, lead_id: int):
    """The owner (or their manager) accepts: the acceptance window stops and the follow-up plan starts."""
    services.lead_accept(lead_id, actor=actor_for(request.user, "api"), now=clock.now())
    return _out(request, lead_id)


@router.post("/{lead_id}/reject", response={200: LeadOut, **ERRORS}, summary="Reject a lead with a reason")
def reject(request: HttpRequest, lead_id: int, payload: RejectIn):
    """Back to marketing with the reason; 409 when the reason is not in the pact's list."""
    services.lead_reject(lead_id, payload.reason, payload.note, actor=actor_for(request.user, "api"), now=clock.now())
    return _out(request, lead_id)


@router.post("/{lead_id}/attempts", response={201: AttemptOut, **ERRORS}, summary="Log a contact attempt")
def attempt(request: HttpRequest, lead_id: int, payload: AttemptIn):
    """The first attempt stops the response clock; 409 beyond the pact's max_attempts. The last planned attempt
    without contact hands the lead back to marketing (reason no_response)."""
    made = services.attempt_log(lead_id, payload.channel, payload.outcome, payload.note,
                                actor=actor_for(request.user, "api"), now=clock.now())
    return Status(201, _attempt_out(made))


@router.post("/{lead_id}/recycle", response={200: LeadOut, **ERRORS}, summary="Hand a lead back to marketing")
def recycle(request: HttpRequest, lead_id: int, payload: RecycleIn):
    """To nurturing on the pact's track, with a reason; before min_attempts only with a manager's override."""
    services.lead_recycle(lead_id, payload.reason, payload.note, actor=actor_for(request.user, "api"),
                          now=clock.now(), override_reason=payload.override_reason)
    return _out(request, lead_id)


@router.post("/{lead_id}/reassign", response={200: LeadOut, **ERRORS}, summary="Give a lead to someone else")
def reassign(request: HttpRequest, lead_id: int, payload: ReassignIn):
    """A manager, with a reason; a waiting MQL is assigned. The pact's handoff.on_reassign says whether the clocks
    restart or go on."""
    services.lead_assign_to(lead_id, payload.owner, payload.reason, actor=actor_for(request.user, "api"),
                            now=clock.now())
    return _out(request, lead_id)


def _closing(transition: str, summary: str):
    def close(request: HttpRequest, lead_id: int, payload: CloseIn):
        services.lead_close(lead_id, transition, payload.reason, payload.note, actor=actor_for(request.user, "api"),
                            now=clock.now())
        return _out(request, lead_id)

    close.__doc__ = summary
    close.__name__ = transition
    router.post(f"/{{lead_id}}/{transition}", response={200: LeadOut, **ERRORS}, summary=summary)(close)


_closing("convert", "Convert to an opportunity (SQL)")
_closing("win", "Mark an opportunity won")
_closing("lose", "Mark an opportunity lost, with a reason")
_closing("disqualify", "Disqualify a lead, with a reason")


@router.get("/{lead_id}/clocks", response={200: list[ClockOut], 404: dict}, summary="A lead's SLA clocks")
def clocks(request: HttpRequest, lead_id: int):
    """Every clock of every round: due and warning instants, state, business time left or taken."""
    return selectors.lead_clocks(lead_get(lead_id, user=request.user, now=clock.now()), clock.now())


@router.get("/{lead_id}/attempts", response={200: list[AttemptOut], 404: dict}, summary="A lead's contact attempts")
def attempts(request: HttpRequest, lead_id: int):
    return [_attempt_out(a) for a in selectors.lead_attempts(lead_get(lead_id, user=request.user, now=clock.now()))]


def _attempt_out(made: Any) -> dict[str, Any]:
    return {"round": made.round, "number": made.number, "channel": made.channel, "outcome": made.outcome,
            "note": made.note, "at": made.at, "by": made.by.email if made.by else None}


queue_router = Router(tags=["hand-off"])


@queue_router.get("", response=list[LeadOut], summary="MQLs waiting for an owner")
def waiting(request: HttpRequest, team: str | None = None):
    """Oldest first; a lead nobody could take stays here, visible, until someone can or a manager assigns it."""
    now = clock.now()
    leads = visible(selectors.queue(team), request.user, now).select_related("owner", "pact_version")
    return [_lead_out(lead, now) for lead in leads[:500]]


away_router = Router(tags=["hand-off"])


class AwayIn(Schema):
    email: str = Field(..., examples=["cy@acme.example"], description="Who is away: yourself, or (a manager) anyone.")
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str = Field("", examples=["holiday"])


class AwayOut(Schema):
    email: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    note: str
    set_by: str | None


def _away_out(period: Any) -> dict[str, Any]:
    return {"email": period.user.email, "starts_at": period.starts_at, "ends_at": period.ends_at,
            "note": period.note, "set_by": period.set_by.email if period.set_by else None}


@away_router.post("", response={201: AwayOut, 403: dict, 422: dict}, summary="Set an out-of-office period")
def away_set(request: HttpRequest, payload: AwayIn):
    """No new leads are routed to the person while away (when their team's calendar next opens)."""
    period = services.out_of_office_set(payload.email, payload.starts_at, payload.ends_at, payload.note,
                                        actor=actor_for(request.user, "api"), now=clock.now())
    return Status(201, _away_out(period))


@away_router.get("", response=list[AwayOut], summary="Who is away now")
def away_now(request: HttpRequest):
    return [_away_out(p) for p in selectors.out_of_office_now(clock.now())]
