"""Compiled pact conditions against the same rules written as hand-made null-safe lambdas, on generated leads.

    .venv/bin/python bench/bench_expr.py [--leads 100000] [--seed 1] [--repeat 5]

Both sides evaluate the eight rules of the example pact on every lead; the script checks they agree, then prints
leads per second for each and how much slower the compiled rules are.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from leadpact.core.expr import compile_condition
from leadpact.core.fields import CONDITION_FIELDS, FREE_MAIL_DOMAINS

Rule = Callable[[dict[str, Any]], bool]

RULES = [
    "employees >= 200",                                               # fit: company size
    "title ~ '(?i)(vp|head|director|chief)'",                         # fit: authority
    "country in ['US', 'CA', 'DE', 'GB']",                            # fit: served region
    "email_domain in free_mail",                                      # fit: personal address
    "fit >= 25 and engagement >= 20 or lead_type == 'demo_request'",  # MQL
    "country in ['DE', 'FR', 'GB', 'NL']",                            # routing: EMEA
    "employees >= 1000",                                              # routing: enterprise
    "engagement >= 25",                                               # re-qualification
]

TITLES = ["VP Sales", "vp of marketing", "Director of IT", "Head of Growth", "Chief Revenue Officer", "Engineer",
          "Software Engineer", "Analyst", "Marketing Manager", "Student", "", None, None]
COUNTRIES = ["US", "US", "US", "CA", "DE", "GB", "FR", "NL", "IN", "BR", "JP", None]
DOMAINS = ["gmail.com", "yahoo.com", "outlook.com", "globex.com", "initech.com", "hooli.com", "acme.io", None]
LEAD_TYPES = ["demo_request", "content_download", "content_download", "event_attendee", "contact_us"]


def hand_written() -> list[Rule]:
    """The same rules as plain lambdas with the same null semantics: what the compiled rules are measured against."""
    authority = re.compile("(?i)(vp|head|director|chief)").search
    served, emea, free = frozenset({"US", "CA", "DE", "GB"}), frozenset({"DE", "FR", "GB", "NL"}), FREE_MAIL_DOMAINS
    return [
        lambda r: (v := r.get("employees")) is not None and v >= 200,
        lambda r: (v := r.get("title")) is not None and authority(v) is not None,
        lambda r: (v := r.get("country")) is not None and v in served,
        lambda r: (v := r.get("email_domain")) is not None and v in free,
        lambda r: ((f := r.get("fit")) is not None and f >= 25 and (e := r.get("engagement")) is not None
                   and e >= 20) or r.get("lead_type") == "demo_request",
        lambda r: (v := r.get("country")) is not None and v in emea,
        lambda r: (v := r.get("employees")) is not None and v >= 1000,
        lambda r: (v := r.get("engagement")) is not None and v >= 25,
    ]


def leads(count: int, seed: int) -> list[dict[str, Any]]:
    """Flat lead records as conditions see them, with the missing values real leads have."""
    rng = random.Random(seed)
    return [_lead(rng) for _ in range(count)]


def _lead(rng: random.Random) -> dict[str, Any]:
    return {
        "employees": None if rng.random() < 0.2 else int(rng.lognormvariate(4.5, 1.8)) + 1,
        "title": rng.choice(TITLES),
        "country": rng.choice(COUNTRIES),
        "email_domain": rng.choice(DOMAINS),
        "lead_type": rng.choice(LEAD_TYPES),
        "fit": rng.randint(-25, 60),
        "engagement": None if rng.random() < 0.1 else round(rng.uniform(0, 60), 2),
        "custom.total_visits": rng.choice([None, 0, 1, 3, 8, 20]),
    }


def timed(rule: Rule, records: list[dict[str, Any]]) -> tuple[float, list[bool]]:
    """Evaluate one rule on every record; return the seconds taken and the results."""
    start = time.perf_counter()
    results = list(map(rule, records))
    return time.perf_counter() - start, results


def best_times(rules: Sequence[Rule], lambdas: Sequence[Rule], records: list[dict[str, Any]],
               repeat: int) -> tuple[list[float], list[float]]:
    """The best time of each rule on each side; each compiled rule runs right beside its lambda, so a busy
    machine slows both sides alike. Exits when the two sides disagree on any lead."""
    compiled_best, lambda_best = [float("inf")] * len(rules), [float("inf")] * len(rules)
    for _ in range(repeat):
        for i, (rule, hand_made) in enumerate(zip(rules, lambdas)):
            seconds, ours = timed(rule, records)
            compiled_best[i] = min(compiled_best[i], seconds)
            seconds, theirs = timed(hand_made, records)
            lambda_best[i] = min(lambda_best[i], seconds)
            _check_agreement(i, ours, theirs, records)
    return compiled_best, lambda_best


def _check_agreement(rule: int, ours: list[bool], theirs: list[bool], records: list[dict[str, Any]]) -> None:
    for index, (a, b) in enumerate(zip(ours, theirs)):
        if a is not b:
            sys.exit(f"the compiled rule {RULES[rule]!r} gives {a} and its lambda {b} on {records[index]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    records = leads(args.leads, args.seed)
    compiled = [compile_condition(rule, CONDITION_FIELDS, {"free_mail": FREE_MAIL_DOMAINS}) for rule in RULES]
    compiled_times, lambda_times = best_times(compiled, hand_written(), records, args.repeat)
    compiled_seconds, lambda_seconds = sum(compiled_times), sum(lambda_times)
    print(f"{len(RULES)} rules on {args.leads:,} leads (seed {args.seed}), best of {args.repeat}")
    for rule, ours, theirs in zip(RULES, compiled_times, lambda_times):
        print(f"  {ours / theirs:4.2f}x  {rule}")
    print(f"compiled: {args.leads / compiled_seconds:,.0f} leads/s  "
          f"lambdas: {args.leads / lambda_seconds:,.0f} leads/s  ratio: {compiled_seconds / lambda_seconds:.2f}x slower")


if __name__ == "__main__":
    main()
