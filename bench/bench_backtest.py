"""The backtest over 100,000 recorded leads: a proposed pact replayed beside the version in force.

    .venv/bin/python bench/bench_backtest.py                   # SQLite, 100,000 leads (~2 min with the set-up)
    .venv/bin/python bench/bench_backtest.py --db postgres     # the same on 127.0.0.1:5432 (leadpact_bench_backtest)
    .venv/bin/python bench/bench_backtest.py --leads 10000     # a quick try

Set-up (not timed in the figures): a fresh database, the example pact signed in the past, and `--leads` leads that
arrived over six months, written with multi-row INSERTs: mixed sizes, titles, countries and lead types, three signals
each on average over the weeks after arrival, and for the leads that qualified then, a round with what sales did
(accepted or rejected, a quarter of the accepted ones won).

Timed, median of 3 after a warm-up: `backtest()` of the example pact with a stricter definition (fit >= 30 and
engagement >= 25, or a demo request) against the version in force, over the six months; and, for the ratio, the plain
way a developer would write it with the ORM: for each lead, its signals and its first round read by its own queries,
replayed by the same core function (measured on a sample and scaled up, said so in the output).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
PG_DB = "leadpact_bench_backtest"
START = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
TITLES = ["VP Sales", "Head of Marketing", "Analyst", "Engineer", "Director of IT", "Student", "CEO", "Manager"]
COUNTRIES = ["US", "US", "CA", "DE", "GB", "FR", "BR", "IN"]
TYPES = ["content_download", "content_download", "event_attendee", "contact_us", "demo_request"]
SIGNALS = ["pricing_page_view", "webinar_attended", "content_download", "email_click"]


def environment(db: str, data_dir: str) -> None:
    if db == "postgres":
        from worker_setup import psql

        psql(f"DROP DATABASE IF EXISTS {PG_DB}")
        psql(f"CREATE DATABASE {PG_DB}")
        url = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
    else:
        url = f"sqlite:///{data_dir}/bench.sqlite3"
    os.environ.update(DJANGO_SETTINGS_MODULE="leadpact.settings", LEADPACT_DATABASE_URL=url, LEADPACT_DATA_DIR=data_dir)
    import django

    django.setup()


def set_up(leads: int, seed: int = 7) -> None:
    from django.core.management import call_command
    from django.db import transaction

    from leadpact.bulk import insert_rows
    from leadpact.demo.people import MARKETING_EMAIL, demo_people
    from leadpact.leads.batch import LEAD_COLUMNS, new_lead
    from leadpact.leads.models import Lead, Round, Signal
    from leadpact.leads.rounds import rebuild
    from leadpact.pact.selectors import pact_of
    from leadpact.pact.services import pact_propose, pact_sign

    call_command("migrate", verbosity=0)
    text = re.sub(r"(?m)^effective: \S+", "effective: 2025-06-01", (ROOT / "leadpact/examples/pact.yaml").read_text())
    version, _ = pact_propose(text)
    pact = pact_of(version)
    people = demo_people(pact)
    for email in (MARKETING_EMAIL, pact.teams["commercial"].manager):
        pact_sign(version, people[email], START - dt.timedelta(days=30))
    rng = random.Random(seed)
    with transaction.atomic():
        for first in range(0, leads, 5000):
            chunk = []
            for i in range(first, min(first + 5000, leads)):
                at = START + dt.timedelta(seconds=rng.randrange(182 * 86400))
                chunk.append(new_lead({
                    "email": f"p{i}@{'gmail.com' if i % 9 == 0 else f'co{i % 20000}.example'}", "external_id": None,
                    "company": f"Co {i % 20000}", "title": rng.choice(TITLES),
                    "employees": rng.choice([5, 50, 250, 2000]),
                    "country": rng.choice(COUNTRIES), "lead_type": rng.choice(TYPES), "source": rng.choice(
                        ["web", "webinar", "partner", "ads"]), "created_at": at, "updated_at": at,
                    "stage_changed_at": at, "pact_version_id": version.pk}))
            ids = insert_rows(Lead, LEAD_COLUMNS, [tuple(getattr(lead, Lead._meta.get_field(c).attname)
                                                         for c in LEAD_COLUMNS) for lead in chunk])
            signals = [(pk, rng.choice(SIGNALS), lead.created_at + dt.timedelta(hours=rng.randrange(1, 24 * 40)), 0,
                        {}, None, lead.created_at) for pk, lead in zip(ids, chunk) for _ in range(rng.randrange(7))]
            insert_rows(Signal, ("lead", "name", "at", "points", "properties", "idempotency_key", "received_at"),
                        signals)
            _rounds(ids, chunk, version.pk, rng)
    rebuild()  # the rounds table from the history just written
    print(f"set up: {Lead.objects.count():,} leads, {Signal.objects.count():,} signals, "
          f"{Round.objects.count():,} rounds", flush=True)


def _rounds(ids, chunk, version_id: int, rng: random.Random) -> None:
    """The history of the leads that qualified on arrival (demo requests and big, senior, served ones): handed over,
    then accepted (three in four) or rejected; a quarter of the accepted ones converted and won."""
    from leadpact.bulk import insert_rows
    from leadpact.leads.models import LeadEvent

    events = []
    for pk, lead in zip(ids, chunk):
        senior = any(word in lead.title for word in ("VP", "Head", "Director", "CEO"))
        if lead.lead_type != "demo_request" and not (senior and lead.employees >= 200 and rng.random() < 0.5):
            continue
        at = lead.created_at
        steps = [("qualify", "mql", ""), ("assign", "assigned", "")]
        if rng.random() < 0.75:
            steps += [("accept", "accepted", "")] + ([("convert", "converted", ""), ("win", "won", "")]
                                                     if rng.random() < 0.25 else [])
        else:
            steps.append(("reject", "rejected", "not_our_icp"))
        for n, (name, stage, reason) in enumerate(steps):
            events.append((pk, at + dt.timedelta(hours=n * 30), "transition", "system", "system", name, "", stage,
                           reason, "", version_id, {}, {}, {"owner": "cy@acme.example", "team": "commercial"}
                           if name == "assign" else {}))
    insert_rows(LeadEvent, ("lead", "at", "kind", "actor", "actor_role", "transition", "from_stage", "to_stage",
                            "reason", "note", "pact_version", "before", "after", "data"), events)
    from leadpact.leads.models import Lead

    Lead.objects.filter(pk__in=[e[0] for e in events if e[5] == "qualify"]).update(rounds=1)


def measure(leads: int) -> dict[str, float]:
    from leadpact.core.pact_loader import parse_pact
    from leadpact.insights.backtest import backtest, baseline, parse_period

    now = START + dt.timedelta(days=200)
    text = (ROOT / "leadpact/examples/pact.yaml").read_text().replace(
        "fit >= 25 and engagement >= 20 or", "fit >= 30 and engagement >= 25 or")
    proposed, against = ("stricter", parse_pact(text)), baseline(None, now)
    period = parse_period("2026-01..2026-06", now.date())
    result = backtest(proposed, against, period)  # warm-up
    times = []
    for _ in range(3):
        started = time.perf_counter()
        result = backtest(proposed, against, period)
        times.append(time.perf_counter() - started)
    summary = {row["measure"]: row for row in result.table("summary").rows}
    print(f"MQLs recorded {summary['MQLs']['recorded']:,}, baseline {summary['MQLs']['baseline']:,}, "
          f"proposed {summary['MQLs']['proposed']:,}")
    return {"backtest": statistics.median(times), "plain": plain_orm(against[1], period, sample=5000) * leads / 5000}


def plain_orm(pact, filters, sample: int) -> float:
    """The plain ORM way: each lead's signals and first round read with their own queries, for `sample` leads."""
    from leadpact.core.replay import PastLead, replay
    from leadpact.leads.models import Lead

    started = time.perf_counter()
    for lead in Lead.objects.filter(created_at__gte=filters.start, created_at__lt=filters.end).order_by("pk")[:sample]:
        signals = tuple(lead.signals.order_by("at").values_list("name", "at"))
        first = lead.round_facts.filter(number=1).first()
        won = lead.round_facts.filter(won_at__isnull=False).order_by("won_at").first()
        fields = {k: getattr(lead, k) for k in ("title", "employees", "country", "lead_type", "source", "email")}
        replay(pact, PastLead(lead.pk, fields, lead.created_at, signals, first.mql_at if first else None,
                              bool(first.accepted_at) if first else None, won.won_at if won else None))
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--leads", type=int, default=100_000)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    args = parser.parse_args()
    from worker_setup import machine

    print(machine(), flush=True)
    with tempfile.TemporaryDirectory() as data_dir:
        environment(args.db, data_dir)
        started = time.perf_counter()
        set_up(args.leads)
        print(f"set-up {time.perf_counter() - started:.0f} s", flush=True)
        figures = measure(args.leads)
    print("| database | leads | backtest (median of 3) | plain ORM, per-lead queries (5,000 scaled) | ratio |")
    print("|---|---|---|---|---|")
    print(f"| {args.db} | {args.leads:,} | {figures['backtest']:.1f} s | {figures['plain']:.1f} s | "
          f"{figures['plain'] / figures['backtest']:.1f}× |")


if __name__ == "__main__":
    main()
