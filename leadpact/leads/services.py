"""Use cases that write leads: intake (one or a batch), scoring and qualification, and stage changes."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import Q

from leadpact.bulk import insert_rows
from leadpact.core import scoring
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import (
    CleanLead,
    IdempotencyConflict,
    merge,
    normalise_form_lead,
    normalise_lead,
)
from leadpact.core.lifecycle import SYSTEM, WORKLOAD, Actor, Stage
from leadpact.core.pact import Pact
from leadpact.leads.batch import (
    CONTACT_COLUMNS,
    Batch,
    mark_changed,
    move,
    new_lead,
    write_batch,
)
from leadpact.leads.models import EventKind, Lead, Submission
from leadpact.pact.selectors import pact_for_history, pact_in_force

MAX_BATCH = 1000
# Two intakes of the same new lead at once: the one that loses the race takes its batch again and finds the lead.
INTAKE_ATTEMPTS = 4
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


def leads_intake(rows: Sequence[Mapping[str, Any]], *, actor: Actor, now: dt.datetime,
                 keep_bad_fields: bool = False, history: bool = False) -> list[IntakeResult]:
    """Take in a batch: every good row is stored (created, merged into the lead with the same email, or recognised
    as a repeat), each bad row is reported by index; one transaction, so nothing is half-written.
    `keep_bad_fields` is for a person's form post: a bad optional value is kept under custom.<field>_as_sent.
    `history` records leads that arrived at a past instant `now` (a dated import): their MQLs are not handed to
    anyone now, and an instant before the first pact version is judged under that first version."""
    if len(rows) > MAX_BATCH:
        raise FieldErrors({"leads": f"{len(rows)} leads in one batch; send at most {MAX_BATCH}"})
    version, pact = pact_for_history(now) if history else pact_in_force(now)
    normalise = normalise_form_lead if keep_bad_fields else normalise_lead
    rejected, cleaned = [], []
    for index, row in enumerate(rows):
        try:
            cleaned.append((index, normalise(row, pact.lead_types)))
        except FieldErrors as err:
            rejected.append(IntakeResult(index, "rejected", errors=err.errors))
    for attempt in range(1, INTAKE_ATTEMPTS + 1):
        try:
            batch = Batch(version, pact, actor, now, route=not history)
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
    lead = new_lead({**fields, "stage": Stage.INQUIRY.value, "stage_changed_at": batch.now,
                      "created_at": batch.now, "updated_at": batch.now})
    batch.new.append(lead)
    batch.remember(lead)
    batch.event(lead, EventKind.CREATED, to_stage=Stage.INQUIRY.value, after=fields)
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
    mark_changed(batch, lead)
    return "merged"


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
    mark_changed(batch, lead)
    stage = Stage(lead.stage)
    if stage not in AUTO_QUALIFY_FROM and stage is not Stage.RECYCLED:
        return
    decision = scoring.qualify(batch.pact, record)
    returning = stage is Stage.RECYCLED and scoring.requalifies(batch.pact, record)
    if (stage in AUTO_QUALIFY_FROM and decision.is_mql) or returning:
        # Qualification is the pact's decision (the system's), whoever brought the data.
        move(batch, lead, "qualify", actor=SYSTEM, data={"why": decision.explain(batch.pact), "by": batch.actor.label,
                                                         "fit": record["fit"], "engagement": record["engagement"]})


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
