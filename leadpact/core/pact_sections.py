"""The pact's sections on what happens once a lead is handed over: the hand-off, the response SLA, the cadence, the
way back to marketing, outcomes, commitments and the digest; each read with every problem reported."""

from __future__ import annotations

import re
from typing import Any

from leadpact.core import pact_schema as schema
from leadpact.core.durations import parse_duration
from leadpact.core.pact import (
    Cadence,
    CadenceStep,
    Commitment,
    Digest,
    Handoff,
    Outcomes,
    Recycle,
    Response,
)
from leadpact.core.pact_reader import Reader


def handoff(r: Reader, value: Any) -> Handoff | None:
    spec = r.mapping(("handoff",), value, schema.HANDOFF)
    notify = spec.get("notify", ["email"])
    if not isinstance(notify, list) or not notify:
        r.report(("handoff", "notify"), f"give a list of channels from: {', '.join(schema.NOTIFY_CHANNELS)}")
        notify = []
    for i, channel in enumerate(notify):
        r.choice(("handoff", "notify", i), channel, schema.NOTIFY_CHANNELS)
    within = r.duration(("handoff", "accept_within"), spec.get("accept_within"))
    on_no_answer = r.choice(("handoff", "on_no_answer"), spec.get("on_no_answer", "reassign"), ("reassign", "recycle"))
    reasons = r.slugs(("handoff", "reject_reasons"), spec.get("reject_reasons"))
    on_reassign = r.choice(("handoff", "on_reassign"), spec.get("on_reassign", "restart"), ("restart", "continue"))
    account_owner = spec.get("account_owner", False)
    if not isinstance(account_owner, bool):
        r.report(("handoff", "account_owner"), f"{account_owner!r} is not true or false")
    if within and on_no_answer and on_reassign:
        return Handoff(tuple(notify), within, on_no_answer, reasons, on_reassign, account_owner is True)
    return None


def response(r: Reader, value: Any) -> Response | None:
    spec = r.mapping(("response",), value, schema.RESPONSE)
    warn_at = r.percent(("response", "warn_at"), spec.get("warn_at", "75%"))
    escalate_to = spec.get("escalate_to", "manager")
    if escalate_to != "manager":
        r.email(("response", "escalate_to"), escalate_to)
    return Response(warn_at, str(escalate_to)) if warn_at is not None else None


def cadence(r: Reader, value: Any) -> Cadence | None:
    spec = r.mapping(("cadence",), value, schema.CADENCE)
    steps = []
    raw_steps = spec.get("steps")
    if not isinstance(raw_steps, list) or not raw_steps:
        r.report(("cadence", "steps"), "give the follow-up steps, like - {channel: phone, after: 0h}")
        raw_steps = []
    for i, item in enumerate(raw_steps):
        path = ("cadence", "steps", i)
        item = r.mapping(path, item, schema.STEP)
        channel = r.choice(path + ("channel",), item.get("channel"), schema.ATTEMPT_CHANNELS) if item else None
        after = parse_duration(item.get("after", "0h")) if _is_duration(item.get("after", "0h")) else None
        if after is None and item:
            r.report(path + ("after",), f"{item.get('after')!r} is not a duration; write it like 0h, 1h or 2d")
        if channel and after is not None:
            steps.append(CadenceStep(channel, after, str(item.get("note", ""))))
    for i in range(1, len(steps)):
        if steps[i].after < steps[i - 1].after:
            r.report(("cadence", "steps", i, "after"), f"{steps[i].after} comes before the step above it ({steps[i - 1].after}); "
                     "each step's 'after' counts from the hand-off, so list them in order")
    low = r.integer(("cadence", "min_attempts"), spec.get("min_attempts", len(steps)), minimum=1)
    high = r.integer(("cadence", "max_attempts"), spec.get("max_attempts", low or 1), minimum=1)
    if low and high and high < low:
        r.report(("cadence", "max_attempts"), f"{high} is below min_attempts {low}; raise max_attempts to at least {low}")
    elif high and steps and high < len(steps):
        r.report(("cadence", "max_attempts"), f"{high} is below the {len(steps)} planned steps; raise max_attempts "
                 f"to at least {len(steps)}, or plan fewer steps")
    if low and steps and low > len(steps):
        r.report(("cadence", "min_attempts"), f"{low} attempts are required but the plan has {len(steps)} steps; add steps or lower min_attempts")
    exhausted = r.choice(("cadence", "when_exhausted"), spec.get("when_exhausted", "recycle"), ("recycle", "disqualify"))
    if low and high and exhausted and steps:
        return Cadence(tuple(steps), low, high, exhausted)
    return None


def _is_duration(value: Any) -> bool:
    try:
        parse_duration(value)
    except ValueError:
        return False
    return True


def recycle(r: Reader, value: Any) -> Recycle:
    spec = r.mapping(("recycle",), value, schema.RECYCLE)
    reasons = r.slugs(("recycle", "reasons"), spec.get("reasons"))
    requalify = r.condition(("recycle", "requalify_when"), spec["requalify_when"]) if "requalify_when" in spec else None
    return Recycle(reasons, str(spec.get("nurture_track", "default")), requalify)


def outcomes(r: Reader, value: Any) -> Outcomes:
    spec = r.mapping(("outcomes",), value, schema.OUTCOMES)
    lost = r.slugs(("outcomes", "lost_reasons"), spec.get("lost_reasons", list(schema.DEFAULT_LOST_REASONS)))
    disq = r.slugs(("outcomes", "disqualify_reasons"), spec.get("disqualify_reasons", list(schema.DEFAULT_DISQUALIFY_REASONS)))
    return Outcomes(lost, disq)


def commitments(r: Reader, value: Any) -> tuple[Commitment, ...]:
    if not isinstance(value, dict):
        r.report(("commitments",), "give each side's commitments, like {marketing: [...], sales: [...]}")
        return ()
    out: list[Commitment] = []
    for side, items in value.items():
        if side not in schema.METRICS:
            r.report(("commitments", side), f"unknown side {side!r}; the sides are {' and '.join(schema.METRICS)}")
        elif not isinstance(items, list):
            example = next(iter(schema.METRICS[side]))
            r.report(("commitments", side), f"give a list of commitments, like - {{metric: {example}, per: month, "
                                            "at_least: 10}")
        else:
            out.extend(_side_commitments(r, side, items))
    return tuple(out)


def _side_commitments(r: Reader, side: str, items: list[Any]) -> list[Commitment]:
    out = []
    for i, item in enumerate(items):
        path = ("commitments", side, i)
        item = r.mapping(path, item, schema.COMMITMENT)
        metric = r.choice(path + ("metric",), item.get("metric"), tuple(schema.METRICS[side])) if item else None
        per = r.choice(path + ("per",), item.get("per", "month"), schema.PERIODS) if item else None
        if metric and per:
            is_share = schema.METRICS[side][metric]
            target = r.percent(path + ("at_least",), item.get("at_least")) if is_share else \
                r.integer(path + ("at_least",), item.get("at_least"), minimum=0)
            if target is not None:
                out.append(Commitment(side, metric, per, float(target), is_share))
    return out


def digest(r: Reader, value: Any) -> Digest | None:
    spec = r.mapping(("reports",), value, {"digest": False})
    if "digest" not in spec:
        return None
    digest = r.mapping(("reports", "digest"), spec["digest"], schema.DIGEST)
    every = r.choice(("reports", "digest", "every"), digest.get("every", "weekday"), schema.DIGEST_EVERY)
    at = str(digest.get("at", "08:00"))
    if not re.fullmatch(r"([01]\d|2[0-3]):[0-5]\d", at):
        r.report(("reports", "digest", "at"), f"{at!r} is not a time of day; write it like 08:00")
    to = digest.get("to", ["managers"])
    if not isinstance(to, list) or not to:
        r.report(("reports", "digest", "to"), f"give a list, like [managers, marketing]; the audiences are "
                                              f"{', '.join(schema.DIGEST_AUDIENCES)} or email addresses")
        return None
    for i, who in enumerate(to):
        if who not in schema.DIGEST_AUDIENCES:
            r.email(("reports", "digest", "to", i), who)
    return Digest(str(every), at, tuple(to)) if every else None
