"""Recording what sales did with leads before Leadpact (a CRM's closed deals): each lead walks the lifecycle from
where it stands to its outcome, every step dated as the file says, so the reports and the definition review can
learn from it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from leadpact.accounts.models import User
from leadpact.core.errors import FieldErrors, LeadpactError
from leadpact.core.lifecycle import Actor, Stage
from leadpact.leads.batch import Batch, move, write_batch
from leadpact.leads.csv_import import instant_of
from leadpact.leads.models import Lead
from leadpact.pact.selectors import pact_for_history
from leadpact.sla.services import clocks_stop_all

# The steps in lifecycle order: the column with its date, and the transition.
STEPS = (("assigned_at", "assign"), ("accepted_at", "accept"), ("converted_at", "convert"))
ENDINGS = (("won_at", "win"), ("lost_at", "lose"))
FIELDS = ("external_id", "email", "owner", "lost_reason", *(c for c, _ in STEPS), *(c for c, _ in ENDINGS))
# The stage a lead is in -> the first step it still has to take.
_FROM = {Stage.MQL: 0, Stage.ASSIGNED: 1, Stage.ACCEPTED: 2, Stage.WORKING: 2, Stage.CONVERTED: 3}


@dataclass
class OutcomeResult:
    index: int
    status: str  # recorded | rejected
    lead_id: int | None = None
    errors: dict[str, str] = field(default_factory=dict)
    warnings: dict[str, str] = field(default_factory=dict)


def outcomes_record(rows: Sequence[Mapping[str, Any]], *, actor: Actor) -> list[OutcomeResult]:
    """Record each row's outcome (one transaction per row, so a bad row never leaves a lead half-walked)."""
    owners = {u.email: u for u in User.objects.filter(email__in={str(r.get("owner", "")).lower() for r in rows})}
    results = []
    for index, row in enumerate(rows):
        warnings: dict[str, str] = {}
        try:
            with transaction.atomic():
                results.append(OutcomeResult(index, "recorded", _record(row, actor, owners, warnings),
                                             warnings=warnings))
        except FieldErrors as err:
            results.append(OutcomeResult(index, "rejected", errors=err.errors))
    return results


def _record(row: Mapping[str, Any], actor: Actor, owners: dict[str, User], warnings: dict[str, str]) -> int:
    unknown = set(row) - set(FIELDS)
    if unknown:
        raise FieldErrors({sorted(unknown)[0]: f"not an outcome field; known: {', '.join(FIELDS)}"})
    lead = _lead(row)
    dates = _dates(row)
    if "won_at" in dates and "lost_at" in dates:
        raise FieldErrors({"lost_at": "a deal is won or lost, not both"})
    ending = next(((column, name) for column, name in ENDINGS if column in dates), None)
    if lead.stage not in _FROM:
        raise FieldErrors({"external_id": f"lead {lead} is {lead.stage}; outcomes are recorded for leads from MQL "
                                          "to converted"})
    steps = [*STEPS[_FROM[Stage(lead.stage)]:], *([ending] if ending else [])]
    if not steps or not any(column in dates for column, _ in steps):
        raise FieldErrors({"won_at": f"give a date for one of: {', '.join(c for c, _ in steps) or 'nothing left'}"})
    walk, later = [], None
    for column, name in reversed(steps):  # a step the file does not date happened by the next dated one
        later = (dates[column], column) if column in dates else later
        if later is not None:
            walk.append((name, *later))  # (transition, instant, the column that dates it)
    walk.reverse()
    walk = _in_order(lead, walk, warnings)
    version, pact = pact_for_history(walk[0][1])
    batch = Batch(version, pact, actor, walk[0][1], changed={lead.pk: lead}, route=False)
    reason = str(row.get("lost_reason") or "")
    for name, at, column in walk:
        batch.now = at
        if name == "assign":
            owner = _owner(row, owners)
            lead.owner, lead.assigned_at = owner, at
            lead.team = next((t.name for t in pact.teams.values() if owner and owner.email in t.members), "")
        try:
            move(batch, lead, name, reason=reason if name == "lose" else "",
                 data={"imported": True, **({"given": warnings[column]} if column in warnings else {}),
                       **({"owner": lead.owner.email, "team": lead.team} if name == "assign" and lead.owner else {})})
        except LeadpactError as err:  # an illegal move or a reason the pact does not list
            raise FieldErrors({"lost_reason" if name == "lose" else "external_id": str(err)}) from None
    write_batch(batch)
    clocks_stop_all(lead, now=walk[-1][1])  # what the file records happened: nothing is left to wait for
    return lead.pk


def load_outcome_mapping(text: str, source: str = "mapping") -> dict[str, str]:
    """An outcome mapping file: `columns:`, CSV header -> outcome field."""
    import yaml

    from leadpact.leads.csv_import import MappingInvalid

    try:
        spec = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise MappingInvalid(f"{source}: not valid YAML: {err}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
        raise MappingInvalid(f"{source}: give `columns:`, a map of CSV header -> outcome field ({', '.join(FIELDS)})")
    columns = {str(k): str(v) for k, v in spec["columns"].items()}
    for target in columns.values():
        if target not in FIELDS:
            raise MappingInvalid(f"{source}: {target!r} is not an outcome field; known: {', '.join(FIELDS)}")
    return columns


def _lead(row: Mapping[str, Any]) -> Lead:
    key, email = str(row.get("external_id") or "").strip(), str(row.get("email") or "").strip().lower()
    if not key and not email:
        raise FieldErrors({"external_id": "give the lead's external_id or email"})
    lead = Lead.objects.select_for_update().filter(**{"external_id": key} if key else {"email": email}).first()
    if lead is None:
        raise FieldErrors({"external_id" if key else "email": f"no lead {key or email}; import the leads first"})
    return lead


def _dates(row: Mapping[str, Any]) -> dict[str, dt.datetime]:
    dates, errors = {}, {}
    for column in (*(c for c, _ in STEPS), *(c for c, _ in ENDINGS)):
        if str(row.get(column) or "").strip():
            try:
                dates[column] = instant_of(str(row[column]))
            except ValueError as err:
                errors[column] = str(err)
    if errors:
        raise FieldErrors(errors)
    return dates


def _in_order(lead: Lead, walk: list[tuple[str, dt.datetime, str]],
              warnings: dict[str, str]) -> list[tuple[str, dt.datetime, str]]:
    """The steps in time order. A date before the lead reached its stage (a CRM's typo, usually) cannot have been:
    the step is recorded at that moment instead, and the row says so; the file's steps themselves must be in order."""
    for (_, first, early), (_, second, late) in zip(walk, walk[1:]):
        if second < first and early != late:
            raise FieldErrors({late: f"{second:%Y-%m-%d %H:%M} is before {early} ({first:%Y-%m-%d %H:%M})"})
    since = lead.stage_changed_at
    for _, at, column in walk:
        if at < since:
            warnings[column] = (f"{at:%Y-%m-%d %H:%M} is before the lead became {lead.stage} "
                                f"({since:%Y-%m-%d %H:%M}); recorded then")
    return [(name, max(at, since), column) for name, at, column in walk]


def _owner(row: Mapping[str, Any], owners: dict[str, User]) -> User | None:
    email = str(row.get("owner") or "").strip().lower()
    if email and email not in owners:
        raise FieldErrors({"owner": f"no person {email}; add them first (leadpact user add)"})
    return owners.get(email)
