"""Use cases that write leads: intake (one or a batch), signals, and stage changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models.base import ModelState
from django.db.models import Q

from leadpact.bulk import insert_rows
from leadpact.core import scoring
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import CleanLead, merge, normalise_lead
from leadpact.core.lifecycle import WORKLOAD, Actor, Role, Stage, check_transition
from leadpact.core.pact import Pact
from leadpact.leads.models import EventKind, Lead, LeadEvent, Submission
from leadpact.notify.services import publish_events, webhooks_active
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_in_force

MAX_BATCH = 1000
CONTACT_COLUMNS = ("email", "external_id", "first_name", "last_name", "title", "phone", "company", "website", "domain",
                   "employees", "industry", "country", "state", "lead_type", "source", "campaign", "medium")
# Stages from which new data alone makes a lead an MQL.
AUTO_QUALIFY_FROM = {Stage.INQUIRY, Stage.NURTURING}


@dataclass
class IntakeResult:
    """What became of one submitted row."""

    index: int
    status: str  # created | merged | unchanged | duplicate | rejected
    lead_id: int | None = None
    stage: str | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


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
    receipts: dict[str, Lead] = field(default_factory=dict)  # idempotency key -> lead
    rows: dict[int, Lead] = field(default_factory=dict)  # row index -> lead
    retyped: dict[int, Lead] = field(default_factory=dict)  # owned leads whose lead type changed: clocks to redo

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


def leads_intake(rows: Sequence[Mapping[str, Any]], *, actor: Actor, now: dt.datetime) -> list[IntakeResult]:
    """Take in a batch: every good row is stored (created, merged into the lead with the same email, or recognised
    as a repeat), each bad row is reported by index; one transaction, so nothing is half-written."""
    if len(rows) > MAX_BATCH:
        raise FieldErrors({"leads": f"{len(rows)} leads in one batch; send at most {MAX_BATCH}"})
    version, pact = pact_in_force(now)
    results, cleaned = [], []
    for index, row in enumerate(rows):
        try:
            cleaned.append((index, normalise_lead(row, pact.lead_types)))
        except FieldErrors as err:
            results.append(IntakeResult(index, "rejected", errors=err.errors))
    with transaction.atomic():
        batch = Batch(version, pact, actor, now)
        seen = _load_known(batch, [c for _, c in cleaned])
        results += [_take(batch, index, clean, seen) for index, clean in cleaned]
        write_batch(batch)
        _retime(batch)
    for result in results:
        if result.index in batch.rows:
            result.lead_id, result.stage = batch.rows[result.index].pk, batch.rows[result.index].stage
    return sorted(results, key=lambda r: r.index)


def lead_intake(row: Mapping[str, Any], *, actor: Actor, now: dt.datetime) -> IntakeResult:
    """Take in one lead; raise FieldErrors if it is bad."""
    (result,) = leads_intake([row], actor=actor, now=now)
    if result.status == "rejected":
        raise FieldErrors(result.errors)
    return result


def _load_known(batch: Batch, cleaned: list[CleanLead]) -> dict[str, int]:
    """Fetch in two queries the leads and the receipts the batch refers to."""
    keys = {c.idempotency_key for c in cleaned}
    seen = dict(Submission.objects.filter(key__in=keys).values_list("key", "lead_id"))
    emails = {c.fields["email"] for c in cleaned if c.fields.get("email")}
    externals = {c.fields["external_id"] for c in cleaned if c.fields.get("external_id")}
    if emails or externals:
        for lead in Lead.objects.select_for_update().filter(Q(email__in=emails) | Q(external_id__in=externals)):
            batch.remember(lead)
    return seen


def _take(batch: Batch, index: int, clean: CleanLead, seen: dict[str, int]) -> IntakeResult:
    if clean.idempotency_key in seen:
        lead_id = seen[clean.idempotency_key]
        stage = Lead.objects.filter(pk=lead_id).values_list("stage", flat=True).first()
        return IntakeResult(index, "duplicate", lead_id, stage, warnings=clean.warnings)
    if clean.idempotency_key in batch.receipts:
        batch.rows[index] = batch.receipts[clean.idempotency_key]
        return IntakeResult(index, "duplicate", warnings=clean.warnings)
    lead = batch.find(clean)
    if lead is None and "lead_type" not in clean.fields and batch.pact.default_lead_type is None:
        return IntakeResult(index, "rejected", errors={"lead_type": "required: this pact has no default lead type; "
                                                       f"one of: {', '.join(batch.pact.lead_types)}"})
    if lead is None:
        status, fields = "created", {"lead_type": batch.pact.default_lead_type, **clean.fields, "custom": clean.custom}
        lead = _create(batch, fields)
    else:
        status, fields = _merge_into(batch, lead, clean), None
    rescore(batch, lead, fields)
    batch.receipts[clean.idempotency_key] = batch.rows[index] = lead
    return IntakeResult(index, status, warnings=clean.warnings)


def _create(batch: Batch, fields: dict[str, Any]) -> Lead:
    lead = _new_lead({**fields, "stage": Stage.INQUIRY.value, "stage_changed_at": batch.now,
                      "created_at": batch.now, "updated_at": batch.now})
    batch.new.append(lead)
    batch.remember(lead)
    batch.event(lead, EventKind.CREATED, to_stage=Stage.INQUIRY.value, after=fields)
    return lead


def _new_lead(values: dict[str, Any]) -> Lead:
    """Lead(**values) without Model.__init__'s per-field machinery, which costs more than the intake can spend
    per lead; Leadpact registers no init signals, so the instance is the same."""
    lead = Lead.__new__(Lead)
    lead._state = ModelState()
    lead.__dict__.update({name: values.get(name, default) for name, default in _LEAD_DEFAULTS})
    return lead


def _merge_into(batch: Batch, lead: Lead, clean: CleanLead) -> str:
    changes = merge(lead_fields(lead), clean)
    if not changes:
        return "unchanged"
    for name, (_, value) in changes.items():
        setattr(lead, name, value)
    if "lead_type" in changes and lead.stage in WORKLOAD:
        batch.retyped[lead.pk] = lead
    lead.updated_at = batch.now
    batch.remember(lead)
    batch.event(lead, EventKind.MERGED, before={k: b for k, (b, _) in changes.items()},
                after={k: a for k, (_, a) in changes.items()})
    _mark_changed(batch, lead)
    return "merged"


def _mark_changed(batch: Batch, lead: Lead) -> None:
    if lead.pk is not None:
        batch.changed[lead.pk] = lead


def _retime(batch: Batch) -> None:
    """A lead being worked whose type changed (a download, then a demo request) gets its response clock redone."""
    from leadpact.sla.services import clocks_recompute

    for lead in batch.retyped.values():
        if lead.team in batch.pact.teams:
            clocks_recompute(lead, pact=batch.pact, calendar=batch.pact.teams[lead.team].calendar)


def lead_fields(lead: Lead) -> dict[str, Any]:
    """The lead's contact fields and custom fields as plain values (empty ones left out)."""
    values = {name: getattr(lead, name) for name in CONTACT_COLUMNS if getattr(lead, name) not in (None, "")}
    return {**values, "custom": dict(lead.custom or {})}


def lead_record(lead: Lead, pact: Pact, now: dt.datetime,
                fields: dict[str, Any] | None = None) -> tuple[dict[str, Any], list[scoring.Reason]]:
    """The record the pact's conditions read for this lead at `now`, and the fit rules that matched.
    `fields` may give the lead's fields when the caller has them already (`lead_fields(lead)`)."""
    engagement = scoring.Engagement(lead.engagement_points, lead.engagement_at)
    values = {**(fields or lead_fields(lead)), "stage": lead.stage, "rounds": lead.rounds,
              "is_returning": lead.is_returning}
    record = scoring.record_for(values, 0, engagement.at(now, pact.scoring.half_life.calendar_seconds))
    fit, reasons = scoring.fit_score(pact, record)
    record["fit"], record["score"] = fit, round(fit + record["engagement"], 2)
    return record, reasons


def rescore(batch: Batch, lead: Lead, fields: dict[str, Any] | None = None) -> None:
    """Score under the pact in force and qualify when the definition is met; record both under its version."""
    record, reasons = lead_record(lead, batch.pact, batch.now, fields)
    lead.fit, lead.score_reasons = int(record["fit"]), [r.as_dict() for r in reasons]
    lead.scored_at, lead.pact_version = batch.now, batch.version
    _mark_changed(batch, lead)
    stage = Stage(lead.stage)
    if stage not in AUTO_QUALIFY_FROM and stage is not Stage.RECYCLED:
        return
    decision = scoring.qualify(batch.pact, record)
    returning = stage is Stage.RECYCLED and scoring.requalifies(batch.pact, record)
    if (stage in AUTO_QUALIFY_FROM and decision.is_mql) or returning:
        # Qualification is the pact's decision, whoever brought the data.
        move(batch, lead, "qualify", role=Role.SYSTEM, data={"why": decision.explain(batch.pact),
                                                               "fit": record["fit"], "engagement": record["engagement"]})


def move(batch: Batch, lead: Lead, name: str, reason: str = "", note: str = "", data: dict | None = None,
         role: Role | None = None, actor: Actor | None = None) -> None:
    """Apply a lifecycle transition to an in-memory lead (checked for the role) and record its event. `actor` makes
    the move on someone else's behalf than the batch's (the system, after a rep's last attempt)."""
    role = role or (actor or batch.actor).role
    transition = check_transition(Stage(lead.stage), name, role, reason or None, batch.pact.reasons_for(name))
    before = lead.stage
    lead.stage, lead.stage_changed_at, lead.updated_at = transition.target.value, batch.now, batch.now
    if transition.target is Stage.MQL and name == "qualify":
        lead.is_returning = lead.rounds > 0
        lead.rounds += 1
        lead.attempts, lead.contacted_at, lead.assigned_at, lead.owner_id = 0, None, None, None
    # An MQL waits in the routing queue; the worker hands it to an owner (or keeps it waiting, visibly).
    lead.route_at = batch.now if transition.target is Stage.MQL else None
    if transition.target is not Stage.MQL:
        lead.queued_at = None
    batch.event(lead, EventKind.TRANSITION, transition=name, from_stage=before, to_stage=lead.stage, reason=reason,
                note=note, before={"stage": before}, after={"stage": lead.stage}, data=data or {}, actor=actor)
    _mark_changed(batch, lead)


EVENT_COLUMNS = ("lead", "at", "kind", "actor", "actor_role", "transition", "from_stage", "to_stage", "reason", "note",
                 "pact_version", "before", "after", "data")
_EVENT_ATTNAMES = {"pact_version": "pact_version_id"}
_ROUND_COLUMNS = ("rounds", "is_returning", "owner", "team", "assigned_at", "route_at", "queued_at", "attempts",
                  "contacted_at", "nurture_track")
LEAD_COLUMNS = (*CONTACT_COLUMNS, "custom", "stage", "stage_changed_at", "created_at", "updated_at", "fit",
                "engagement_points", "engagement_at", "score_reasons", "scored_at", "pact_version", *_ROUND_COLUMNS)
_LEAD_DEFAULTS = tuple((f.attname, f.get_default()) for f in Lead._meta.concrete_fields)
_LEAD_ATTNAMES = tuple(Lead._meta.get_field(name).attname for name in LEAD_COLUMNS)
_UPDATE_FIELDS = [*CONTACT_COLUMNS, "custom", "stage", "stage_changed_at", "fit", "engagement_points",
                  "engagement_at", "score_reasons", "scored_at", "pact_version", "updated_at", *_ROUND_COLUMNS]


def write_batch(batch: Batch) -> None:
    """Write what the batch did: new leads, changed leads, their events and the intake receipts. What is written is
    taken off the batch, so a use case may write part way and again at its end."""
    rows = [[getattr(lead, name) for name in _LEAD_ATTNAMES] for lead in batch.new]
    for lead, pk in zip(batch.new, insert_rows(Lead, LEAD_COLUMNS, rows)):
        lead.pk, lead._state.adding = pk, False
    if batch.changed:
        Lead.objects.bulk_update(list(batch.changed.values()), _UPDATE_FIELDS, batch_size=500)
    insert_rows(LeadEvent, EVENT_COLUMNS, [(lead.pk, *values) for lead, values in batch.events])
    insert_rows(Submission, ("key", "lead", "received_at"),
                [(key, lead.pk, batch.now) for key, lead in batch.receipts.items()])
    if batch.events and webhooks_active():
        names = [_EVENT_ATTNAMES.get(name, name) for name in EVENT_COLUMNS[1:]]
        publish_events([LeadEvent(lead=lead, **dict(zip(names, values))) for lead, values in batch.events])
    batch.new, batch.changed, batch.events, batch.receipts = [], {}, [], {}


def events_add(events: list[LeadEvent], leads: dict[int, Lead]) -> None:
    """Append events to the history and send them to the webhooks that want them."""
    LeadEvent.objects.bulk_create(events, batch_size=500)
    publish_events(events, leads)


def lead_transition(lead_id: int, name: str, *, actor: Actor, now: dt.datetime, reason: str = "", note: str = "",
                    data: dict | None = None, **changes: Any) -> Lead:
    """Move one lead through the lifecycle (accept, reject, recycle, ...): checked, recorded, all or nothing."""
    with transaction.atomic():
        lead = Lead.objects.select_for_update().get(pk=lead_id)
        version, pact = pact_in_force(now)
        batch = Batch(version, pact, actor, now, changed={lead.pk: lead})
        for attr, value in changes.items():
            setattr(lead, attr, value)
        move(batch, lead, name, reason, note, data)
        write_batch(batch)
    return lead
