"""The rounds table kept in step with the history: written with the events a batch appends, in the same transaction,
and rebuilt from the whole history on demand."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import fields
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q

from leadpact.accounts.models import User
from leadpact.bulk import insert_rows
from leadpact.core.rounds import HistoryEvent, RoundFacts, fold
from leadpact.leads.models import Lead, LeadEvent, Round

FOLDED_KINDS = ("transition", "attempt", "owner")
_FACTS = [f.name for f in fields(RoundFacts) if f.name not in ("owner", "team")]
_LEAD_ATTRIBUTES = ("lead_type", "source", "campaign")
COLUMNS = ("lead", *_FACTS, "mql_day", "returning", "team", "owner")
_UPDATED = [name for name in COLUMNS if name not in ("lead", "number", "mql_at", "mql_day", "returning",
                                                      "pact_version_id")]


def report_zone() -> zoneinfo.ZoneInfo:
    return zoneinfo.ZoneInfo(settings.REPORT_TIME_ZONE)


def history_event(at: dt.datetime, kind: str, transition: str, reason: str, pact_version_id: int | None,
                  data: dict[str, Any] | None, after: dict[str, Any] | None) -> HistoryEvent:
    return HistoryEvent(at, kind, transition, reason, after if kind == "owner" else data, pact_version_id)


def project(changes: Sequence[tuple[Lead, list[HistoryEvent]]]) -> None:
    """Fold each lead's new events into its rounds and write the rounds that changed."""
    changes = [(lead, events) for lead, events in changes if any(e.kind in FOLDED_KINDS for e in events)]
    if not changes:
        return
    before = {lead.pk: lead.rounds - sum(e.transition == "qualify" for e in events) for lead, events in changes}
    stored = {(r.lead_id, r.number): r for r in Round.objects.filter(
        lead_id__in=[pk for pk, n in before.items() if n > 0])} if any(before.values()) else {}
    named = {str(e.data["owner"]) for _, events in changes for e in events if (e.data or {}).get("owner")}
    held = {row.owner_id for row in stored.values() if row.owner_id}
    owners = _owner_ids(Q(email__in=named) | Q(pk__in=held)) if named or held else {}
    emails = {pk: email for email, pk in owners.items()}
    new, changed = [], []
    for lead, events in changes:
        row = stored.get((lead.pk, before[lead.pk]))
        for facts in fold(_facts_of(row, emails) if row else None, before[lead.pk], events):
            if row is not None and facts.number == row.number:
                _fill(row, lead, facts, owners)
                changed.append(row)
            else:
                new.append(_fill(Round(lead=lead), lead, facts, owners))
    _write(new, changed)


def rebuild(progress: Callable[[int], None] = lambda n: None, chunk: int = 20_000) -> int:
    """Fold the whole history again into a new rounds table. Returns how many rounds it holds. On PostgreSQL the
    table is locked meanwhile: changes to leads wait for it rather than write into a table being replaced."""
    owners = _owner_ids()
    total = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(f"LOCK TABLE {Round._meta.db_table} IN ACCESS EXCLUSIVE MODE")
        Round.objects.all().delete()
        for leads, events in _history_by_lead(chunk):
            rows = [_fill(Round(lead=lead), lead, facts, owners)
                    for lead in leads for facts in fold(None, 0, events.get(lead.pk, []))]
            insert_rows(Round, COLUMNS, [_values(row) for row in rows])
            total += len(rows)
            progress(len(leads))
    return total


def _history_by_lead(chunk: int) -> Iterable[tuple[list[Lead], dict[int, list[HistoryEvent]]]]:
    last = 0
    while True:
        leads = list(Lead.objects.filter(pk__gt=last, rounds__gt=0).order_by("pk")
                     .only("pk", "rounds", *_LEAD_ATTRIBUTES)[:chunk])
        if not leads:
            return
        last = leads[-1].pk
        events: dict[int, list[HistoryEvent]] = {}
        rows = (LeadEvent.objects.filter(lead_id__gte=leads[0].pk, lead_id__lte=last, kind__in=FOLDED_KINDS)
                .order_by("lead_id", "at", "id")
                .values_list("lead_id", "at", "kind", "transition", "reason", "pact_version_id", "data", "after"))
        for lead_id, *values in rows.iterator(chunk_size=5000):
            events.setdefault(lead_id, []).append(history_event(*values))
        yield leads, events


def _owner_ids(which: Q = Q()) -> dict[str, int]:
    return dict(User.objects.filter(which).values_list("email", "pk"))


def _facts_of(row: Round, emails: dict[int, str]) -> RoundFacts:
    return RoundFacts(**{name: getattr(row, name) for name in _FACTS}, owner=emails.get(row.owner_id, ""),
                      team=row.team)


def _fill(row: Round, lead: Lead, facts: RoundFacts, owners: dict[str, int]) -> Round:
    for name in _FACTS:
        setattr(row, name, getattr(facts, name))
    row.mql_day = facts.mql_at.astimezone(report_zone()).date()
    row.returning, row.team, row.owner_id = facts.returning, facts.team, owners.get(facts.owner)
    if not facts.lead_type:  # a qualification recorded before events said what the lead was: as it is now
        for name in _LEAD_ATTRIBUTES:
            setattr(row, name, getattr(lead, name))
    return row


def _values(row: Round) -> tuple[Any, ...]:
    return tuple(getattr(row, Round._meta.get_field(name).attname) for name in COLUMNS)


def _write(new: list[Round], changed: list[Round]) -> None:
    if new:
        insert_rows(Round, COLUMNS, [_values(row) for row in new])
    if len(changed) > 3:
        Round.objects.bulk_update(changed, _UPDATED, batch_size=500)
    else:
        for row in changed:
            row.save(update_fields=_UPDATED)
