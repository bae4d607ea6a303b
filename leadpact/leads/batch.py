"""A batch of changes to leads: held in memory while a use case decides, then written with a few statements (new
leads, changed leads, their history), so that a thousand-row intake costs about what one lead does."""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass, field
from typing import Any

from django.db.models.base import ModelState

from leadpact.bulk import insert_rows
from leadpact.core.intake import CleanLead
from leadpact.core.lifecycle import Actor, Role, Stage, check_transition
from leadpact.core.pact import Pact
from leadpact.leads.models import EventKind, Lead, LeadEvent
from leadpact.leads.rounds import FOLDED_KINDS, history_event, project
from leadpact.notify.services import publish_events, webhooks_active
from leadpact.pact.models import PactVersion

CONTACT_COLUMNS = ("email", "external_id", "first_name", "last_name", "title", "phone", "company", "website", "domain",
                   "employees", "industry", "country", "state", "lead_type", "source", "campaign", "medium")


@dataclass
class Batch:
    """The leads a batch touches, held in memory so that it is written with a few bulk statements."""

    version: PactVersion
    pact: Pact
    actor: Actor
    now: dt.datetime
    by_email: dict[str, Lead] = field(default_factory=dict)
    by_external: dict[str, Lead] = field(default_factory=dict)
    new: list[Lead] = field(default_factory=list)
    changed: dict[int, Lead] = field(default_factory=dict)
    events: list[tuple[Lead, tuple[Any, ...]]] = field(default_factory=list)  # (lead, values of EVENT_COLUMNS)
    rows: dict[int, Lead] = field(default_factory=dict)  # row index -> lead
    retyped: dict[int, Lead] = field(default_factory=dict)  # owned leads whose lead type changed: clocks to redo
    route: bool = True  # new MQLs wait for the worker to hand them over; not when recording past history

    def find(self, clean: CleanLead) -> Lead | None:
        email, external = clean.fields.get("email"), clean.fields.get("external_id")
        return (self.by_email.get(email) if email else None) or (self.by_external.get(external) if external else None)

    def remember(self, lead: Lead) -> None:
        if lead.email:
            self.by_email[lead.email] = lead
        if lead.external_id:
            self.by_external[lead.external_id] = lead

    def event(self, lead: Lead, kind: str, transition: str = "", from_stage: str = "", to_stage: str = "",
              reason: str = "", note: str = "", before: dict | None = None, after: dict | None = None,
              data: dict | None = None, actor: Actor | None = None) -> None:
        """Record an event of the lead's history (by the batch's actor unless another is given)."""
        actor = actor or self.actor
        self.events.append((lead, (self.now, kind, actor.label, actor.role.value, transition, from_stage,
                                   to_stage, reason, note, self.version.pk, before or {}, after or {}, data or {})))


def mark_changed(batch: Batch, lead: Lead) -> None:
    if lead.pk is not None:
        batch.changed[lead.pk] = lead


def new_lead(values: dict[str, Any]) -> Lead:
    """Lead(**values) without Model.__init__'s per-field machinery, which costs more than the intake can spend
    per lead; Leadpact registers no init signals, so the instance is the same."""
    lead = Lead.__new__(Lead)
    lead._state = ModelState()
    lead.__dict__.update(_LEAD_DEFAULTS)
    lead.__dict__.update(values)  # the intake's own fields: every key is a column of the lead
    return lead


def move(batch: Batch, lead: Lead, name: str, reason: str = "", note: str = "", data: dict | None = None,
         role: Role | None = None, actor: Actor | None = None) -> None:
    """Apply a lifecycle transition to an in-memory lead (checked for the role) and record its event. `actor` makes
    the move on someone else's behalf than the batch's (the system, after a rep's last attempt)."""
    role = role or (actor or batch.actor).role
    transition = check_transition(Stage(lead.stage), name, role, reason or None, batch.pact.reasons_for(name))
    before = lead.stage
    lead.stage, lead.stage_changed_at, lead.updated_at = transition.target.value, batch.now, batch.now
    if transition.target is Stage.MQL and name == "qualify":
        data = {**(data or {}), "lead": {"lead_type": lead.lead_type, "source": lead.source, "campaign": lead.campaign}}
        lead.is_returning = lead.rounds > 0
        lead.rounds += 1
        lead.attempts, lead.contacted_at, lead.assigned_at, lead.owner_id = 0, None, None, None
    # An MQL waits in the routing queue; the worker hands it to an owner (or keeps it waiting, visibly).
    lead.route_at = batch.now if transition.target is Stage.MQL and batch.route else None
    if transition.target is not Stage.MQL:
        lead.queued_at = None
    batch.event(lead, EventKind.TRANSITION, transition=name, from_stage=before, to_stage=lead.stage, reason=reason,
                note=note, before={"stage": before}, after={"stage": lead.stage}, data=data or {}, actor=actor)
    mark_changed(batch, lead)


EVENT_COLUMNS = ("lead", "at", "kind", "actor", "actor_role", "transition", "from_stage", "to_stage", "reason", "note",
                 "pact_version", "before", "after", "data")
_EVENT_ATTNAMES = {"pact_version": "pact_version_id"}
_ROUND_COLUMNS = ("rounds", "is_returning", "owner", "team", "assigned_at", "route_at", "queued_at", "attempts",
                  "contacted_at", "nurture_track")
LEAD_COLUMNS = (*CONTACT_COLUMNS, "custom", "stage", "stage_changed_at", "created_at", "updated_at", "fit",
                "engagement_points", "engagement_at", "score_reasons", "scored_at", "pact_version", *_ROUND_COLUMNS)
_LEAD_DEFAULTS = {f.attname: f.get_default() for f in Lead._meta.concrete_fields}
_LEAD_ROW = operator.attrgetter(*(Lead._meta.get_field(name).attname for name in LEAD_COLUMNS))
_UPDATE_FIELDS = [*CONTACT_COLUMNS, "custom", "stage", "stage_changed_at", "fit", "engagement_points",
                  "engagement_at", "score_reasons", "scored_at", "pact_version", "updated_at", *_ROUND_COLUMNS]


def write_batch(batch: Batch) -> None:
    """Write what the batch did: new leads, changed leads and their events. What is written is taken off the batch,
    so a use case may write part way and again at its end."""
    rows = [_LEAD_ROW(lead) for lead in batch.new]
    for lead, pk in zip(batch.new, insert_rows(Lead, LEAD_COLUMNS, rows)):
        lead.pk, lead._state.adding = pk, False
    if len(batch.changed) > 3:
        Lead.objects.bulk_update(list(batch.changed.values()), _UPDATE_FIELDS, batch_size=500)
    else:  # one UPDATE per lead is far cheaper than bulk_update's CASE per column for a few leads
        for lead in batch.changed.values():
            lead.save(update_fields=_UPDATE_FIELDS)
    insert_rows(LeadEvent, EVENT_COLUMNS, [(lead.pk, *values) for lead, values in batch.events])
    _project(batch)
    if batch.events and webhooks_active():
        names = [_EVENT_ATTNAMES.get(name, name) for name in EVENT_COLUMNS[1:]]
        publish_events([LeadEvent(lead=lead, **dict(zip(names, values))) for lead, values in batch.events])
    batch.new, batch.changed, batch.events = [], {}, []


def _project(batch: Batch) -> None:
    """Keep the rounds table in step with the events just written (at, kind, transition, reason, version, data, after)."""
    by_lead: dict[int, tuple[Lead, list]] = {}
    for lead, v in batch.events:
        if v[1] in FOLDED_KINDS:
            by_lead.setdefault(id(lead), (lead, []))[1].append(history_event(v[0], v[1], v[4], v[7], v[9], v[12], v[11]))
    project(list(by_lead.values()))


def events_add(events: list[LeadEvent], leads: dict[int, Lead]) -> None:
    """Append events to the history and send them to the webhooks that want them."""
    attnames = [LeadEvent._meta.get_field(name).attname for name in EVENT_COLUMNS]
    insert_rows(LeadEvent, EVENT_COLUMNS, [[getattr(e, name) for name in attnames] for e in events])
    publish_events(events, leads)
