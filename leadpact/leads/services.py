"""Use cases that write leads: intake (one or a batch), signals, and stage changes."""

from __future__ import annotations

import datetime as dt
import operator
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models.base import ModelState
from django.db.models import Q

from leadpact.bulk import insert_rows
from leadpact.core import scoring
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import CleanLead, IdempotencyConflict, merge, normalise_form_lead, normalise_lead
from leadpact.core.lifecycle import SYSTEM, WORKLOAD, Actor, Role, Stage, check_transition
from leadpact.core.pact import Pact
from leadpact.leads.models import EventKind, Lead, LeadEvent, Submission
from leadpact.notify.services import publish_events, webhooks_active
from leadpact.pact.models import PactVersion
from leadpact.pact.selectors import pact_in_force

MAX_BATCH = 1000
# Two intakes of the same new lead at once: the one that loses the race takes its batch again and finds the lead.
INTAKE_ATTEMPTS = 4
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
    conflict: bool = False  # rejected because its idempotency key was used for other content


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


def leads_intake(rows: Sequence[Mapping[str, Any]], *, actor: Actor, now: dt.datetime,
                 keep_bad_fields: bool = False) -> list[IntakeResult]:
    """Take in a batch: every good row is stored (created, merged into the lead with the same email, or recognised
    as a repeat), each bad row is reported by index; one transaction, so nothing is half-written.
    `keep_bad_fields` is for a person's form post: a bad optional value is kept under custom.<field>_as_sent."""
    if len(rows) > MAX_BATCH:
        raise FieldErrors({"leads": f"{len(rows)} leads in one batch; send at most {MAX_BATCH}"})
    version, pact = pact_in_force(now)
    normalise = normalise_form_lead if keep_bad_fields else normalise_lead
    rejected, cleaned = [], []
    for index, row in enumerate(rows):
        try:
            cleaned.append((index, normalise(row, pact.lead_types)))
        except FieldErrors as err:
            rejected.append(IntakeResult(index, "rejected", errors=err.errors))
    for attempt in range(1, INTAKE_ATTEMPTS + 1):
        try:
            batch = Batch(version, pact, actor, now)
            taken = _take_all(batch, cleaned)
            break
        except (DatabaseError, connection.Database.DatabaseError) as err:
            if attempt == INTAKE_ATTEMPTS or not _lost_race(err):
                raise
    for result in taken:
        if result.index in batch.rows:
            result.lead_id, result.stage = batch.rows[result.index].pk, batch.rows[result.index].stage
    return sorted(rejected + taken, key=lambda r: r.index)


def lead_intake(row: Mapping[str, Any], *, actor: Actor, now: dt.datetime,
                keep_bad_fields: bool = False) -> IntakeResult:
    """Take in one lead; raise FieldErrors if it is bad, IdempotencyConflict if its key came with other content."""
    (result,) = leads_intake([row], actor=actor, now=now, keep_bad_fields=keep_bad_fields)
    if result.conflict:
        raise IdempotencyConflict(str(row.get("idempotency_key")))
    if result.status == "rejected":
        raise FieldErrors(result.errors)
    return result


def _take_all(batch: Batch, cleaned: list[tuple[int, CleanLead]]) -> list[IntakeResult]:
    """One attempt at the batch, in one transaction: load what it refers to, take each row, write it all."""
    with transaction.atomic():
        receipts = _load_known(batch, [c for _, c in cleaned])
        results = [_take(batch, index, clean, receipts) for index, clean in cleaned]
        write_batch(batch)
        receipts.write(batch.now)
        _retime(batch)
    return results


def _lost_race(err: Exception) -> bool:
    """Another transaction created the same lead (or receipt) first, or deadlocked with this one. The bulk insert
    talks to the driver directly, so its errors come unwrapped by Django."""
    if isinstance(err, (IntegrityError, connection.Database.IntegrityError)):
        return True
    return (getattr(err, "sqlstate", None) or getattr(err.__cause__, "sqlstate", None)) in ("40P01", "40001")


@dataclass
class _Receipts:
    """The sender's idempotency receipts the batch refers to (key -> lead id, payload hash) and its new ones.
    Keys belong to the sender (the actor): another sender's "k1" is another submission."""

    actor: str
    stored: dict[str, tuple[int, str]]
    new: dict[str, tuple[Lead, str]] = field(default_factory=dict)

    def find(self, key: str) -> tuple[Lead | int, str] | None:
        return self.new.get(key) or self.stored.get(key)

    def add(self, clean: CleanLead, lead: Lead) -> None:
        if clean.key_given and clean.idempotency_key not in self.stored:
            self.new.setdefault(clean.idempotency_key, (lead, clean.payload_hash))

    def write(self, now: dt.datetime) -> None:
        insert_rows(Submission, ("actor", "key", "payload_hash", "lead", "received_at"),
                    [(self.actor, key, digest, lead.pk, now) for key, (lead, digest) in self.new.items()])
        self.new = {}


def _load_known(batch: Batch, cleaned: list[CleanLead]) -> _Receipts:
    """Fetch in two queries the leads and the sender's receipts the batch refers to. The leads are locked in id
    order, so that two batches touching the same leads wait for each other rather than deadlock."""
    keys = {c.idempotency_key for c in cleaned if c.key_given}
    stored = Submission.objects.filter(actor=batch.actor.label, key__in=keys) if keys else Submission.objects.none()
    receipts = _Receipts(batch.actor.label, {key: (lead_id, digest) for key, lead_id, digest
                                             in stored.values_list("key", "lead_id", "payload_hash")})
    emails = {c.fields["email"] for c in cleaned if c.fields.get("email")}
    externals = {c.fields["external_id"] for c in cleaned if c.fields.get("external_id")}
    if emails or externals:
        known = Lead.objects.select_for_update().filter(Q(email__in=emails) | Q(external_id__in=externals))
        for lead in known.order_by("pk"):
            batch.remember(lead)
    return receipts


def _take(batch: Batch, index: int, clean: CleanLead, receipts: _Receipts) -> IntakeResult:
    repeat = _repeat(batch, index, clean, receipts)
    if repeat is not None:
        return repeat
    lead, conflict = batch.find(clean), _identity_conflict(batch, clean)
    if conflict:
        return IntakeResult(index, "rejected", errors=conflict, warnings=clean.warnings)
    if lead is None and "lead_type" not in clean.fields and batch.pact.default_lead_type is None:
        return IntakeResult(index, "rejected", errors={"lead_type": "required: this pact has no default lead type; "
                                                       f"one of: {', '.join(batch.pact.lead_types)}"})
    if lead is None:
        status, fields = "created", {"lead_type": batch.pact.default_lead_type, **clean.fields, "custom": clean.custom}
        lead = _create(batch, fields)
    else:
        status, fields = _merge_into(batch, lead, clean), None
    rescore(batch, lead, fields)
    batch.rows[index] = lead
    receipts.add(clean, lead)
    return IntakeResult(index, status, warnings=clean.warnings)


def _repeat(batch: Batch, index: int, clean: CleanLead, receipts: _Receipts) -> IntakeResult | None:
    """A submission seen before is a duplicate; its key with other content is refused. Without a key, a row is a
    duplicate when the lead already holds all it says (Analyst, VP, then Analyst is a change back); no receipt is
    kept for it, so a large import writes one row per lead, not two."""
    if not clean.key_given:
        lead = batch.find(clean)
        if lead is None or merge(lead_fields(lead), clean):
            return None
        batch.rows[index] = lead
        return IntakeResult(index, "duplicate", warnings=clean.warnings)
    known = receipts.find(clean.idempotency_key)
    if known is None:
        return None
    lead, digest = known
    if digest not in ("", clean.payload_hash):  # "": a receipt from before hashes were kept
        return IntakeResult(index, "rejected", errors={"idempotency_key": str(IdempotencyConflict(
            clean.idempotency_key))}, warnings=clean.warnings, conflict=True)
    if isinstance(lead, Lead):
        batch.rows[index] = lead
        return IntakeResult(index, "duplicate", warnings=clean.warnings)
    stage = Lead.objects.filter(pk=lead).values_list("stage", flat=True).first()
    return IntakeResult(index, "duplicate", lead, stage, warnings=clean.warnings)


def _identity_conflict(batch: Batch, clean: CleanLead) -> dict[str, str]:
    """An email of one lead and an external_id of another in one row: merging would make two leads one."""
    email, external = clean.fields.get("email"), clean.fields.get("external_id")
    by_email = batch.by_email.get(email) if email else None
    by_external = batch.by_external.get(external) if external else None
    if by_email is None or by_external is None or by_email is by_external:
        return {}
    return {"external_id": f"external_id {external} belongs to {_called(by_external)} and email {email} to "
                           f"{_called(by_email)}; send one of them"}


def _called(lead: Lead) -> str:
    return f"lead {lead.pk}" if lead.pk is not None else "a lead new in this batch"


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
    lead.__dict__.update(_LEAD_DEFAULTS)
    lead.__dict__.update(values)  # the intake's own fields: every key is a column of the lead
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
    """A lead being worked whose type changed (a download, then a demo request) gets its response clock redone. A
    more urgent type brings the deadline forward; a less urgent one never pushes it back (the owner already owes the
    sooner answer)."""
    from leadpact.sla.services import clocks_recompute

    for lead in batch.retyped.values():
        if lead.team in batch.pact.teams:
            clocks_recompute(lead, version=batch.version, calendar=batch.pact.teams[lead.team].calendar,
                             only_sooner=True)


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
        # Qualification is the pact's decision (the system's), whoever brought the data.
        move(batch, lead, "qualify", actor=SYSTEM, data={"why": decision.explain(batch.pact), "by": batch.actor.label,
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
_LEAD_DEFAULTS = {f.attname: f.get_default() for f in Lead._meta.concrete_fields}
_LEAD_ROW = operator.attrgetter(*(Lead._meta.get_field(name).attname for name in LEAD_COLUMNS))
_UPDATE_FIELDS = [*CONTACT_COLUMNS, "custom", "stage", "stage_changed_at", "fit", "engagement_points",
                  "engagement_at", "score_reasons", "scored_at", "pact_version", "updated_at", *_ROUND_COLUMNS]


def write_batch(batch: Batch) -> None:
    """Write what the batch did: new leads, changed leads, their events and the intake receipts. What is written is
    taken off the batch, so a use case may write part way and again at its end."""
    rows = [_LEAD_ROW(lead) for lead in batch.new]
    for lead, pk in zip(batch.new, insert_rows(Lead, LEAD_COLUMNS, rows)):
        lead.pk, lead._state.adding = pk, False
    if len(batch.changed) > 3:
        Lead.objects.bulk_update(list(batch.changed.values()), _UPDATE_FIELDS, batch_size=500)
    else:  # one UPDATE per lead is far cheaper than bulk_update's CASE per column for a few leads
        for lead in batch.changed.values():
            lead.save(update_fields=_UPDATE_FIELDS)
    insert_rows(LeadEvent, EVENT_COLUMNS, [(lead.pk, *values) for lead, values in batch.events])
    insert_rows(Submission, ("key", "lead", "received_at"),
                [(key, lead.pk, batch.now) for key, lead in batch.receipts.items()])
    if batch.events and webhooks_active():
        names = [_EVENT_ATTNAMES.get(name, name) for name in EVENT_COLUMNS[1:]]
        publish_events([LeadEvent(lead=lead, **dict(zip(names, values))) for lead, values in batch.events])
    batch.new, batch.changed, batch.events, batch.receipts = [], {}, [], {}


def events_add(events: list[LeadEvent], leads: dict[int, Lead]) -> None:
    """Append events to the history and send them to the webhooks that want them."""
    attnames = [LeadEvent._meta.get_field(name).attname for name in EVENT_COLUMNS]
    insert_rows(LeadEvent, EVENT_COLUMNS, [[getattr(e, name) for name in attnames] for e in events])
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
