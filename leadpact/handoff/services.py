"""The hand-off's use cases: hand over, accept, reject, log an attempt, hand back, reassign, convert, close.
Each is one transaction: the lead, its history, its clocks and its notifications are written together or not at all."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.db import transaction

from leadpact.accounts.models import RoleChoices, User
from leadpact.core.business_time import business_calendar
from leadpact.core.cadence import (
    OUTCOMES,
    check_attempt,
    check_give_up,
    is_exhausted,
    next_step,
)
from leadpact.core.durations import say_business_time
from leadpact.core.errors import FieldErrors, NotAllowed, NotFound
from leadpact.core.lifecycle import SYSTEM, Actor, Role, Stage
from leadpact.core.pact import Pact
from leadpact.core.sla import ClockKind, ClockPlan, handoff_clocks
from leadpact.handoff.models import Attempt, OutOfOffice
from leadpact.leads.batch import Batch, move, write_batch
from leadpact.leads.models import EventKind, Lead
from leadpact.leads.services import lead_transition
from leadpact.notify.services import notify_people
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_in_force
from leadpact.sla.models import Clock, StopReason
from leadpact.sla.services import (
    clocks_recompute,
    clocks_start,
    clocks_stop,
    clocks_stop_all,
)

CLOSING = {"convert", "win", "lose", "disqualify"}
# The stages in which a lead is marketing's to act on (nurture, disqualify, qualify by hand).
SALES_HOLDS = frozenset({Stage.ASSIGNED, Stage.ACCEPTED, Stage.WORKING, Stage.CONVERTED})
MARKETING_HOLDS = frozenset({Stage.INQUIRY, Stage.NURTURING, Stage.RECYCLED, Stage.REJECTED, Stage.LOST,
                             Stage.DISQUALIFIED})


@contextmanager
def _acting(lead_id: int, actor: Actor, now: dt.datetime) -> Iterator[tuple[Lead, Batch]]:
    """Lock the lead, check the actor may act on it, and write what the use case recorded, all in one transaction."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update(of=("self",)).select_related("owner").filter(pk=lead_id).first()
        if lead is None:
            raise NotFound(f"there is no lead {lead_id}")
        version, pact = pact_in_force(now)
        check_may_act(actor, lead, pact)
        batch = Batch(version, pact, actor, now, changed={lead.pk: lead})
        yield lead, batch
        write_batch(batch)


def check_may_act(actor: Actor, lead: Lead, pact: Pact) -> None:
    """A rep acts on their own leads, a manager on their team's, marketing on the leads it holds (not with sales), an
    admin (and the system) on all."""
    if actor.role in (Role.ADMIN, Role.SYSTEM):
        return
    if actor.role is Role.MARKETING:
        if lead.stage in MARKETING_HOLDS:
            return
        raise NotAllowed(f"lead {lead.pk} is with sales ({lead.stage}); marketing reads it, sales acts on it")
    with_sales = lead.stage in SALES_HOLDS
    if actor.role is Role.REP and with_sales and lead.owner_id is not None and lead.owner_id == actor.user_id:
        return
    team = pact.teams.get(lead.team)
    if actor.role is Role.MANAGER and team is not None and team.manager == actor.email and (
            with_sales or lead.stage == Stage.MQL):
        return
    raise NotAllowed(f"{actor.email or actor.label} may not act on lead {lead.pk} ({lead.stage}): a rep acts on "
                     "their own leads while sales has them, a manager on their team's")


# Hand-over ---------------------------------------------------------------------------------------------------------

def lead_hand_over(lead: Lead, owner: User, team: str, *, why: dict[str, Any], version: PactVersion, pact: Pact,
                   now: dt.datetime, actor: Actor = SYSTEM) -> None:
    """Assign a locked MQL: the owner's clocks start in the team's calendar and the owner is told on every channel."""
    lead.owner, lead.team, lead.assigned_at, lead.queued_at = owner, team, now, None
    batch = Batch(version, pact, actor, now, changed={lead.pk: lead})
    move(batch, lead, "assign", data={"why": why, "owner": owner.email, "team": team}, role=actor.role)
    write_batch(batch)
    _start_handoff_clocks(lead, pact, version, now)
    _tell_owner(lead, pact, now)


def _start_handoff_clocks(lead: Lead, pact: Pact, version: PactVersion, now: dt.datetime,
                          kinds: frozenset[ClockKind] = frozenset({ClockKind.ACCEPT, ClockKind.RESPONSE})) -> None:
    calendar = pact.teams[lead.team].calendar
    plans = [p for p in handoff_clocks(pact, business_calendar(pact.calendars[calendar]), lead.lead_type, now)
             if p.kind in kinds]
    clocks_start(lead, plans, team=lead.team, calendar=calendar, version=version)


def _tell_owner(lead: Lead, pact: Pact, now: dt.datetime) -> None:
    clocks = {c.kind: c for c in Clock.objects.filter(lead=lead, stopped_at=None)}
    calendar = business_calendar(pact.calendars[pact.teams[lead.team].calendar])

    def left(kind: ClockKind) -> str:
        clock = clocks.get(kind.value)
        return say_business_time(calendar.between(now, clock.due_at)) + " of business time" if clock else "—"

    facts = []
    if lead.is_returning:
        facts.append(("Returning lead", f"round {lead.rounds}; " + _previous_round(lead)))
    notify_people("assigned", lead, [lead.owner], channels=pact.handoff.notify, now=now,
                  context={"accept_left": left(ClockKind.ACCEPT), "response_left": left(ClockKind.RESPONSE),
                           "facts": facts})


def _previous_round(lead: Lead) -> str:
    last = lead.events.filter(transition__in=["recycle", "reject"]).order_by("-at", "-id").first()
    return f"handed back on {last.at:%Y-%m-%d} by {last.actor} ({last.reason})" if last else "seen before"


def lead_assign_to(lead_id: int, owner_email: str, reason: str, *, actor: Actor, now: dt.datetime) -> Lead:
    """A manager gives a waiting MQL (or an assigned lead) to a person by hand, with a reason."""
    owner = _person(owner_email)
    if not reason.strip():
        raise FieldErrors({"reason": "required: say why the lead goes to this person"})
    with _acting(lead_id, actor, now) as (lead, batch):
        _check_new_owner(batch.pact, owner)
        if lead.stage != Stage.MQL:
            return _reassign(lead, batch, owner, reason)
        team = _team_of(batch.pact, owner.email) or lead.team
        batch.changed.clear()  # the hand-over writes the lead itself
        lead_hand_over(lead, owner, team, why={"manual": True, "by": actor.label, "because": reason},
                       version=batch.version, pact=batch.pact, now=now, actor=actor)
    return lead


# Accept or reject ---------------------------------------------------------------------------------------------------

def lead_accept(lead_id: int, *, actor: Actor, now: dt.datetime) -> Lead:
    """The owner takes the lead (SAL): the acceptance window stops and the follow-up plan starts."""
    with _acting(lead_id, actor, now) as (lead, batch):
        _accept(lead, batch)
    return lead


def _accept(lead: Lead, batch: Batch, note: str = "") -> None:
    move(batch, lead, "accept", note=note)
    clocks_stop(lead, [ClockKind.ACCEPT], reason=StopReason.ACCEPTED, now=batch.now)
    _plan_next_step(lead, batch)


def lead_reject(lead_id: int, reason: str, note: str = "", *, actor: Actor, now: dt.datetime) -> Lead:
    """The owner refuses the lead with a reason from the pact's list; it goes back to marketing with that reason."""
    with _acting(lead_id, actor, now) as (lead, batch):
        move(batch, lead, "reject", reason=reason, note=note)
        clocks_stop_all(lead, now=now, reason=StopReason.REJECTED)
        _tell_marketing("rejected", lead, batch.pact, now, reason=reason, note=note)
    return lead


def lead_accept_expired(lead: Lead, clock: Clock, *, now: dt.datetime) -> None:
    """Nobody answered within the acceptance window: reassign or recycle as the pact says (reason
    not_accepted_in_time); the expired clock stays on the original owner's record. To reassign, the lead goes back
    to the routing queue, and routing gives it to the next person (never back to one who let it run out)."""
    version, pact = pact_in_force(now)
    if lead.stage != Stage.ASSIGNED:
        return
    previous = lead.owner
    notify_people("not_accepted", lead, [previous, pact.teams[lead.team].manager if lead.team in pact.teams else None],
                  channels=pact.handoff.notify, now=now,
                  context={"within": pact.handoff.accept_within.words(),
                           "outcome": "it goes to the next person" if pact.handoff.on_no_answer == "reassign"
                           else "it goes back to marketing"})
    batch = Batch(version, pact, SYSTEM, now, changed={lead.pk: lead})
    if pact.handoff.on_no_answer == "recycle":
        _recycle(lead, batch, "not_accepted_in_time", "", {"previous_owner": previous.email if previous else None})
        write_batch(batch)
        return
    clocks_stop_all(lead, now=now, reason=StopReason.REASSIGNED)
    move(batch, lead, "unassign", reason="not_accepted_in_time",
         data={"previous_owner": previous.email if previous else None})
    write_batch(batch)


# Attempts and the cadence -------------------------------------------------------------------------------------------

def attempt_log(lead_id: int, channel: str, outcome: str, note: str = "", *, actor: Actor,
                now: dt.datetime) -> Attempt:
    """Record a contact attempt. The first stops the response clock; the cadence moves to the next step; attempts
    beyond the pact's maximum are refused; the last planned attempt without contact hands the lead back."""
    with _acting(lead_id, actor, now) as (lead, batch):
        _check_attempt_input(batch.pact, channel, outcome)
        if lead.stage == Stage.ASSIGNED:
            _accept(lead, batch, note="accepted by logging an attempt")
        if lead.stage not in (Stage.ACCEPTED, Stage.WORKING):
            raise NotAllowed(f"attempts are logged on leads being worked; this lead is {lead.stage}")
        check_attempt(batch.pact.cadence, lead.attempts)
        attempt = _record_attempt(lead, batch, channel, outcome, note)
        if is_exhausted(batch.pact.cadence, lead.attempts, lead.contacted_at is not None):
            _give_up(lead, batch)
    return attempt


def _give_up(lead: Lead, batch: Batch) -> None:
    """Every planned attempt made without reaching the person: back to marketing, or disqualified, as the pact says
    (`cadence.when_exhausted`), with the reason no_response."""
    note, data = f"{lead.attempts} attempts without contact", {"attempts": lead.attempts}
    if batch.pact.cadence.when_exhausted == "disqualify":
        move(batch, lead, "disqualify", reason="no_response", note=note, data=data, actor=SYSTEM)
        clocks_stop_all(lead, now=batch.now)
    else:
        _recycle(lead, batch, "no_response", note, data, actor=SYSTEM)


def _check_attempt_input(pact: Pact, channel: str, outcome: str) -> None:
    from leadpact.core.pact_schema import ATTEMPT_CHANNELS

    errors = {}
    if channel not in ATTEMPT_CHANNELS:
        errors["channel"] = f"{channel!r} is not a channel; one of: {', '.join(ATTEMPT_CHANNELS)}"
    if outcome not in OUTCOMES:
        errors["outcome"] = f"{outcome!r} is not an outcome; one of: {', '.join(OUTCOMES)}"
    if errors:
        raise FieldErrors(errors)


def _record_attempt(lead: Lead, batch: Batch, channel: str, outcome: str, note: str) -> Attempt:
    now = batch.now
    lead.attempts += 1
    contact = OUTCOMES[outcome].is_contact
    if contact and lead.contacted_at is None:
        lead.contacted_at = now
    attempt = Attempt.objects.create(lead=lead, round=lead.rounds, number=lead.attempts, channel=channel,
                                     outcome=outcome, note=note, at=now, by_id=batch.actor.user_id,
                                     pact_version=batch.version)
    batch.event(lead, EventKind.ATTEMPT, note=note, data={"number": lead.attempts, "channel": channel,
                                                          "outcome": outcome, "contact": contact})
    if lead.stage == Stage.ACCEPTED:
        move(batch, lead, "work")
    if lead.attempts == 1:
        clocks_stop(lead, [ClockKind.RESPONSE], reason=StopReason.ATTEMPTED, now=now)
    clocks_stop(lead, [ClockKind.CADENCE], reason=StopReason.STEP_DONE, now=now)
    _plan_next_step(lead, batch)
    return attempt


def _plan_next_step(lead: Lead, batch: Batch) -> None:
    """Start the clock of the next follow-up step, due `after` business time from the hand-off."""
    pact = batch.pact
    calendar_name = pact.teams[lead.team].calendar if lead.team in pact.teams else next(iter(pact.calendars))
    step = next_step(pact.cadence, business_calendar(pact.calendars[calendar_name]), lead.assigned_at or batch.now,
                     lead.attempts, lead.contacted_at is not None)
    if step is None:
        return
    plan = ClockPlan(ClockKind.CADENCE, batch.now, max(step.due_at, batch.now), None, step.number)
    clocks_start(lead, [plan], team=lead.team, calendar=calendar_name, version=batch.version,
                 channels={step.number: step.step.channel})


# The way back to marketing, and outcomes ----------------------------------------------------------------------------

def lead_recycle(lead_id: int, reason: str, note: str = "", *, actor: Actor, now: dt.datetime,
                 override_reason: str = "") -> Lead:
    """Hand the lead back to marketing with a reason: it goes to nurturing on the pact's track, marketing is told,
    and its sales history stays with it. Giving up on an uncontacted lead before `min_attempts` needs a manager's
    override with a reason."""
    with _acting(lead_id, actor, now) as (lead, batch):
        if override_reason and actor.role not in (Role.MANAGER, Role.ADMIN):
            raise NotAllowed("only a manager may override the follow-up standard")
        check_give_up(batch.pact.cadence, lead.attempts, lead.contacted_at is not None, override_reason)
        data = {"override": override_reason} if override_reason else {}
        _recycle(lead, batch, reason, note, data)
    return lead


def _recycle(lead: Lead, batch: Batch, reason: str, note: str, data: dict[str, Any],
             actor: Actor | None = None) -> None:
    move(batch, lead, "recycle", reason=reason, note=note, data={"attempts": lead.attempts, **data}, actor=actor)
    lead.nurture_track = batch.pact.recycle.nurture_track
    clocks_stop_all(lead, now=batch.now)
    _tell_marketing("recycled", lead, batch.pact, batch.now, reason=reason, note=note,
                    track=batch.pact.recycle.nurture_track)


def lead_close(lead_id: int, transition: str, reason: str = "", note: str = "", *, actor: Actor,
               now: dt.datetime) -> Lead:
    """Convert (SQL), win, lose or disqualify, with the pact's reasons where it asks for one; the clocks stop."""
    if transition not in CLOSING:
        raise FieldErrors({"transition": f"{transition!r} is not one of: {', '.join(sorted(CLOSING))}"})
    with _acting(lead_id, actor, now) as (lead, batch):
        move(batch, lead, transition, reason=reason, note=note)
        clocks_stop_all(lead, now=now)
    return lead


def _tell_marketing(notice: str, lead: Lead, pact: Pact, now: dt.datetime, **context: Any) -> None:
    marketing = User.objects.filter(role=RoleChoices.MARKETING, is_active=True)
    notify_people(notice, lead, list(marketing), channels=pact.handoff.notify, now=now, context=context)


# Reassignment ---------------------------------------------------------------------------------------------------

def lead_reassign(lead_id: int, owner_email: str, reason: str, *, actor: Actor, now: dt.datetime) -> Lead:
    """A manager gives the lead to someone else, with a reason; the pact says whether its clocks restart or go on."""
    owner = _person(owner_email)
    with _acting(lead_id, actor, now) as (lead, batch):
        _check_new_owner(batch.pact, owner)
        _reassign(lead, batch, owner, reason)
    return lead


def _reassign(lead: Lead, batch: Batch, owner: User, reason: str) -> Lead:
    if batch.actor.role not in (Role.MANAGER, Role.ADMIN):
        raise NotAllowed("only a manager or an admin reassigns leads")
    if not reason.strip():
        raise FieldErrors({"reason": "required: say why the lead changes hands"})
    if lead.stage not in (Stage.ASSIGNED, Stage.ACCEPTED, Stage.WORKING):
        raise NotAllowed(f"a lead in stage {lead.stage} has no owner to change")
    previous, previous_team, pact, now = lead.owner, lead.team, batch.pact, batch.now
    lead.owner, lead.team = owner, _team_of(pact, owner.email) or lead.team
    batch.event(lead, EventKind.OWNER, reason="manual", note=reason,
                before={"owner": previous.email if previous else None, "team": previous_team},
                after={"owner": owner.email, "team": lead.team},
                data={"clocks": pact.handoff.on_reassign})
    write_batch(batch)
    _move_clocks(lead, batch, previous)
    Clock.objects.filter(lead=lead, stopped_at=None).update(owner=owner, team=lead.team)
    _tell_owner(lead, pact, now)
    return lead


def _move_clocks(lead: Lead, batch: Batch, previous: User | None) -> None:
    """Restart the acceptance and response clocks for the new owner, or carry them on in the new team's calendar."""
    pact, now = batch.pact, batch.now
    calendar = pact.teams[lead.team].calendar
    if pact.handoff.on_reassign == "continue":
        clocks_recompute(lead, version=batch.version, calendar=calendar, owner_id=lead.owner_id)
        return
    stopped = clocks_stop(lead, [ClockKind.ACCEPT, ClockKind.RESPONSE], reason=StopReason.REASSIGNED, now=now)
    kinds = frozenset(ClockKind(c.kind) for c in stopped)
    if kinds:
        _start_handoff_clocks(lead, pact, batch.version, now, kinds)


def _person(email: str) -> User:
    user = User.objects.filter(email=email.strip().lower(), is_active=True).first()
    if user is None:
        raise FieldErrors({"owner": f"{email} has no active account; `leadpact user add` creates one"})
    return user


def _check_new_owner(pact: Pact, owner: User) -> None:
    if _team_of(pact, owner.email) is None:
        teams = ", ".join(f"{t.name} ({', '.join(t.members)})" for t in pact.teams.values())
        raise FieldErrors({"owner": f"{owner.email} is in no team of the pact in force; give a member of one: {teams}"})


def _team_of(pact: Pact, email: str) -> str | None:
    return next((t.name for t in pact.teams.values() if email in t.members), None)


# Any move by name -------------------------------------------------------------------------------------------------

def lead_act(lead_id: int, transition: str, reason: str = "", note: str = "", *, actor: Actor, now: dt.datetime,
             owner: str = "") -> None:
    """A lifecycle move by its name, through the use case that keeps the clocks and notifications right."""
    if transition in ("accept",):
        lead_accept(lead_id, actor=actor, now=now)
    elif transition == "reject":
        lead_reject(lead_id, reason, note, actor=actor, now=now)
    elif transition == "recycle":
        lead_recycle(lead_id, reason, note, actor=actor, now=now)
    elif transition in CLOSING:
        lead_close(lead_id, transition, reason, note, actor=actor, now=now)
    elif transition == "assign":
        if not owner:
            raise FieldErrors({"owner": "required to assign: the new owner's email"})
        lead_assign_to(lead_id, owner, reason or note or "assigned by hand", actor=actor, now=now)
    elif transition in ("work", "unassign"):
        raise NotAllowed(f"{transition} happens by itself (logging an attempt, an acceptance window running out); "
                         "use the attempts or reassign endpoints")
    else:
        lead_transition(lead_id, transition, actor=actor, now=now, reason=reason, note=note)


# Out of office ----------------------------------------------------------------------------------------------------

def out_of_office_set(email: str, starts_at: dt.datetime, ends_at: dt.datetime, note: str = "", *, actor: Actor,
                      now: dt.datetime) -> OutOfOffice:
    """A person takes no new leads from `starts_at` to `ends_at`; set by themselves, a manager or an admin."""
    person = _person(email)
    if actor.role not in (Role.MANAGER, Role.ADMIN) and actor.user_id != person.pk:
        raise NotAllowed("a person sets their own out-of-office; a manager or an admin may set anyone's")
    naive = {name: "give the time with its zone, like 2026-12-21T09:00:00Z or 2026-12-21T09:00:00-05:00"
             for name, value in (("starts_at", starts_at), ("ends_at", ends_at)) if value.tzinfo is None}
    if naive:
        raise FieldErrors(naive)
    if ends_at <= starts_at:
        raise FieldErrors({"ends_at": "the end must come after the start"})
    return OutOfOffice.objects.create(user=person, starts_at=starts_at, ends_at=ends_at, note=note[:200],
                                      set_by_id=actor.user_id, created_at=now)
