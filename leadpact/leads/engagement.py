"""Engagement signals: what leads do (page views, webinars) raises their engagement score, which may qualify them."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import orjson
from django.db import transaction

from leadpact.core import scoring
from leadpact.core.errors import FieldErrors
from leadpact.core.intake import MAX_KEY, clean_email, json_problem
from leadpact.leads.batch import Batch, write_batch
from leadpact.leads.models import Lead, Signal
from leadpact.leads.services import MAX_BATCH, rescore
from leadpact.pact.selectors import pact_in_force

_NAME = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
# A clock on the sender's side may run a little ahead; more than this is a mistake.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
MAX_PROPERTIES = 10_000  # characters of JSON
SIGNAL_FIELDS = ("email", "signal", "at", "properties", "idempotency_key")


@dataclass
class SignalResult:
    index: int
    status: str  # recorded | duplicate | rejected
    lead_id: int | None = None
    points: int = 0
    errors: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _CleanSignal:
    email: str
    name: str
    at: dt.datetime
    properties: dict[str, Any]
    key: str  # the sender's idempotency key, or one derived from the content


def signals_record(rows: Sequence[Mapping[str, Any]], *, actor, now: dt.datetime) -> list[SignalResult]:
    """Record a batch of signals for known leads; rescore and qualify the leads they touch, in one transaction."""
    if len(rows) > MAX_BATCH * 10:
        raise FieldErrors({"signals": f"{len(rows)} signals in one batch; send at most {MAX_BATCH * 10}"})
    version, pact = pact_in_force(now)
    results: list[SignalResult] = []
    good: list[tuple[int, _CleanSignal]] = []
    for index, row in enumerate(rows):
        try:
            good.append((index, _clean(row, now)))
        except FieldErrors as err:
            results.append(SignalResult(index, "rejected", errors=err.errors))
    with transaction.atomic():
        leads = {lead.email: lead for lead in Lead.objects.select_for_update().filter(
            email__in={s.email for _, s in good})}
        seen = set(Signal.objects.filter(idempotency_key__in={s.key for _, s in good})
                   .values_list("idempotency_key", flat=True))
        batch = Batch(version, pact, actor, now)
        stored = []
        for index, signal in good:
            result = _apply(signal, index, leads, seen, pact)
            results.append(result)
            if result.status == "recorded":
                stored.append(Signal(lead=leads[signal.email], name=signal.name, at=signal.at, points=result.points,
                                     properties=signal.properties, idempotency_key=signal.key, received_at=now))
        for lead in {s.lead.pk: s.lead for s in stored}.values():
            batch.changed[lead.pk] = lead
            rescore(batch, lead)
        Signal.objects.bulk_create(stored, batch_size=1000)
        write_batch(batch)
    return sorted(results, key=lambda r: r.index)


def _apply(signal: _CleanSignal, index: int, leads: dict[str, Lead], seen: set[str], pact) -> SignalResult:
    lead = leads.get(signal.email)
    if lead is None:
        return SignalResult(index, "rejected", errors={"email": f"no lead has the email {signal.email}; "
                                                                "send the lead first (POST /api/leads)"})
    if signal.key in seen:
        return SignalResult(index, "duplicate", lead.pk)
    seen.add(signal.key)
    points = pact.scoring.signals.get(signal.name, 0)
    warnings = [] if signal.name in pact.scoring.signals else [
        f"signal: {signal.name!r} earns no points under the pact in force; stored for later versions"]
    engagement = scoring.Engagement(lead.engagement_points, lead.engagement_at).add(
        points, signal.at, pact.scoring.half_life.calendar_seconds)
    lead.engagement_points, lead.engagement_at = engagement.points, engagement.as_of
    return SignalResult(index, "recorded", lead.pk, points, warnings=warnings)


def _clean(row: Any, now: dt.datetime) -> _CleanSignal:
    if not isinstance(row, Mapping):
        raise FieldErrors({"row": 'give an object, like {"email": "ann@example.com", "signal": "webinar_attended"}'})
    errors = {str(name): f"unknown field; signals have {', '.join(SIGNAL_FIELDS)}" for name in row
              if name not in SIGNAL_FIELDS}
    email = _email(row.get("email"), errors)
    name = str(row.get("signal") or "").strip().lower()
    if not _NAME.match(name):
        errors["signal"] = "required: a signal name in lower case, like webinar_attended"
    at = _instant(row.get("at"), now, errors)
    properties = row.get("properties") or {}
    if not isinstance(properties, dict):
        errors["properties"] = "give an object of name: value pairs"
    elif problem := json_problem(properties, MAX_PROPERTIES):
        errors["properties"] = problem
    key = row.get("idempotency_key")
    if key is not None and (not isinstance(key, str) or not 0 < len(key) <= MAX_KEY or "\x00" in key):
        errors["idempotency_key"] = f"give a text of 1 to {MAX_KEY} characters (no \\u0000)"
    if errors:
        raise FieldErrors(errors)
    return _CleanSignal(email, name, at, properties, key or _content_key(email, name, at, properties))


def _email(value: Any, errors: dict[str, str]) -> str:
    if value in (None, ""):
        errors["email"] = "required: the lead's email address"
        return ""
    try:
        return clean_email(value)
    except ValueError as err:
        errors["email"] = str(err)
        return ""


def _content_key(email: str, name: str, at: dt.datetime, properties: dict[str, Any]) -> str:
    """Without a key, the same signal sent twice (a retry) counts once."""
    body = orjson.dumps([email, name, at.isoformat(), properties], option=orjson.OPT_SORT_KEYS)
    return "content:" + hashlib.sha256(body).hexdigest()


def _instant(value: Any, now: dt.datetime, errors: dict[str, str]) -> dt.datetime:
    if value in (None, ""):
        return now
    try:
        at = value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value).replace("Z", "+00:00"))
        if at.tzinfo is not None:
            at = at.astimezone(dt.timezone.utc)
    except (ValueError, OverflowError):
        errors["at"] = f"{value!r} is not a time; write it like 2026-11-23T14:05:00Z"
        return now
    if at.tzinfo is None:
        errors["at"] = f"{value!r} has no timezone; add Z or an offset like +01:00"
        return now
    if at > now + FUTURE_TOLERANCE:
        errors["at"] = f"{value!r} is in the future"
    return at
