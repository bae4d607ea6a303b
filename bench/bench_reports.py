"""The funnel and SLA reports on a generated history of 1,000,000 leads, against the plain Django ORM queries.

    .venv/bin/python bench/bench_reports.py                      # 1,000,000 leads, SQLite then PostgreSQL
    .venv/bin/python bench/bench_reports.py --leads 20000        # a quick try (~3 min)
    .venv/bin/python bench/bench_reports.py --engine postgres --fresh

What it measures, once per database (a child process each: Django is set up once per process):

1. Set-up (bench/reports_setup.py), cached between runs: a PostgreSQL database leadpact_bench_reports_<leads> at
   127.0.0.1:5432 and a SQLite file /tmp/leadpact_bench_reports_<leads>.sqlite3, made again with `--fresh` or when
   the code has migrations the cached database lacks. The example pact is signed (in force since 2025-01-01), its
   people created, then an 18-month history (May 2025 to October 2026) of `--leads` leads is generated and written
   in bulk: about 10 events per lead, the contact attempts and the accept and response clocks; then the rounds are
   folded from the history by `rounds.rebuild()` (timed).
2. Each report case — the funnel of the 12 months November 2025 to October 2026 by month and by source, the SLA
   report by team, each also narrowed to a team and to a lead type — is run once to warm up, then 5 times; the
   median counts. `reports.run(name, filters, now, by)` is what the CLI, the API and the pages call.
3. In the same process, the same figures without the rounds table, as a developer would write them with the ORM:
   the funnel from the history table (each qualify event opens a round that lasts until the lead's next one;
   Exists/Subquery over its accept, convert, win and ending events), the SLA by iterating the clocks. Timed the same
   way; every figure of every table is checked to be equal to the report's (the run stops if one is not).
4. A report slower than 2 s is profiled: its queries and their times, and the plan of the slowest
   (EXPLAIN ANALYZE on PostgreSQL, EXPLAIN QUERY PLAN on SQLite) saved to bench/out/reports-profile-<engine>-<leads>.txt.

The figures end in a markdown table; the machine (nproc, CPU, PostgreSQL) is printed first.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter, defaultdict
from contextlib import closing
from functools import partial
from itertools import pairwise
from pathlib import Path

import numpy as np
import reports_setup
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Value
from django.db.models.functions import Coalesce, TruncMonth
from worker_setup import machine, psql

from leadpact.core.rounds import ENDINGS

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
NOW = reports_setup.HISTORY_END
PERIOD = {"since": "2025-11-01", "until": "2026-10-31"}
CASES = [("funnel", "month", {}), ("funnel", "source", {}), ("funnel", "month", {"team": "commercial"}),
         ("funnel", "month", {"lead_type": "content_download"}), ("sla", "team", {}),
         ("sla", "team", {"team": "commercial"}), ("sla", "team", {"lead_type": "demo_request"})]
GOAL_SECONDS = 2.0
PLAIN_SLOW = 20.0  # seconds: a plain query slower than this (warm) is timed once


# 3. The plain ORM queries -----------------------------------------------------------------------------------------

def plain_funnel(filters, by: str) -> dict[str, list[dict]]:
    """The funnel's three tables straight from the history: a round is a qualify event in the period and lasts until
    the lead's next qualify event; it reached a stage when the stage's transition happened within it."""

    from leadpact.insights.flow import EXITS
    from leadpact.leads.models import LeadEvent
    from leadpact.leads.rounds import report_zone

    rounds = LeadEvent.objects.filter(transition="qualify", at__gte=filters.start, at__lt=filters.end)
    for name in ("source", "campaign", "lead_type"):
        if getattr(filters, name):
            rounds = rounds.filter(**{f"lead__{name}": getattr(filters, name)})
    next_qualify = LeadEvent.objects.filter(lead=OuterRef("lead"), transition="qualify", at__gt=OuterRef("at"))
    rounds = rounds.annotate(round_end=Coalesce(Subquery(next_qualify.order_by("at").values("at")[:1]),
                                                Value(reports_setup.HISTORY_END)))

    def in_round(*transitions: str):
        return LeadEvent.objects.filter(lead=OuterRef("lead"), transition__in=transitions, at__gte=OuterRef("at"),
                                        at__lt=OuterRef("round_end")).order_by("at", "id")

    if filters.team:
        rounds = rounds.filter(Exists(in_round("assign").filter(data__team=filters.team)))
    group = TruncMonth("at", tzinfo=report_zone()) if by == "month" else F(f"lead__{by}")
    reached = {"sal": "accept", "sql": "convert", "won": "win"}
    counts = (rounds.annotate(group=group, **{f"has_{k}": Exists(in_round(t)) for k, t in reached.items()})
              .values("group").annotate(mql=Count("pk"), **{k: Count("pk", filter=Q(**{f"has_{k}": True}))
                                                            for k in reached}))
    cohorts = sorted(({by: row["group"].strftime("%Y-%m") if by == "month" else row["group"] or "(none)",
                       **{k: row[k] for k in ("mql", *reached)}} for row in counts), key=lambda r: str(r[by]))
    cohorts.append({by: "all", **{k: sum(row[k] for row in cohorts) for k in ("mql", "sal", "sql", "won")}})
    if by == "month" and not filters.team:
        created = (LeadEvent.objects.filter(kind="created", at__gte=filters.start, at__lt=filters.end)
                   .filter(**{f"lead__{n}": getattr(filters, n) for n in ("source", "campaign", "lead_type")
                              if getattr(filters, n)}))
        per_month = {row["month"].strftime("%Y-%m"): row["n"] for row in created.annotate(
            month=TruncMonth("at", tzinfo=report_zone())).values("month").annotate(n=Count("pk"))}
        for row in cohorts:
            row["inquiries"] = per_month.get(row[by], 0) if row[by] != "all" else sum(
                per_month.get(r[by], 0) for r in cohorts[:-1])
    for row in cohorts:
        row.update(mql_to_sal=ratio(row["sal"], row["mql"]), sal_to_sql=ratio(row["sql"], row["sal"]),
                   sql_to_won=ratio(row["won"], row["sql"]), mql_to_won=ratio(row["won"], row["mql"]))
    ending = in_round(*ENDINGS)
    ended = (rounds.annotate(end=Subquery(ending.values("transition")[:1]), why=Subquery(ending.values("reason")[:1]))
             .exclude(end__isnull=True).exclude(end="win").values("end", "why").annotate(n=Count("pk")))
    exits = [{"left": EXITS[ENDINGS[row["end"]]], "reason": row["why"] or "(none)", "leads": row["n"]} for row in ended]
    first = {name: Subquery(in_round(name).values("at")[:1]) for name in ("accept", "convert", "win")}
    times = list(rounds.annotate(**first).values_list("at", "accept", "convert", "win"))
    return {"cohorts": cohorts, "exits": exits, "stage_times": stage_times(times)}


def stage_times(times: list[tuple]) -> list[dict]:
    """Days between stages, per round that reached both: n, median, 90th percentile and mean."""
    rows = []
    for start, end, to in ((0, 1, "SAL"), (1, 2, "SQL"), (2, 3, "won"), (0, 3, "won")):
        days = np.array([(row[end] - row[start]).total_seconds() / 86400 for row in times
                         if row[start] is not None and row[end] is not None])
        rows.append({"to": to, **summary(days)})
    return rows


def plain_sla(filters) -> dict[str, list[dict]]:
    """The SLA report's three tables by reading each clock started in the period, one by one. A clock is judged
    when it ran to an answer, to its deadline, or past it; one stopped earlier for another reason is left out."""
    from leadpact.sla.models import Clock, StopReason

    answers = {"response": (StopReason.ATTEMPTED,), "accept": (StopReason.ACCEPTED, StopReason.REJECTED)}
    clocks = Clock.objects.filter(kind__in=list(answers), started_at__gte=filters.start, started_at__lt=filters.end)
    if filters.team:
        clocks = clocks.filter(team=filters.team)
    if filters.lead_type:
        clocks = clocks.filter(lead__lead_type=filters.lead_type)
    counts: dict[str, dict[str, Counter]] = {"response": defaultdict(Counter), "accept": defaultdict(Counter)}
    seconds: dict[str, dict[str, list]] = {"response": defaultdict(list), "accept": defaultdict(list)}
    for clock in clocks.iterator(chunk_size=10_000):
        stopped = clock.stopped_at is not None
        if stopped and clock.stopped_at < clock.due_at and clock.stop_reason not in (
                *answers[clock.kind], StopReason.EXPIRED):
            continue
        answered = stopped and clock.stop_reason in answers[clock.kind] and clock.stopped_at <= NOW
        mine = counts[clock.kind][clock.team]
        mine["judged"] += 1
        mine["counted"] += answered or clock.due_at <= NOW
        mine["in_time"] += answered and clock.stopped_at <= clock.due_at
        mine["breached"] += clock.breached_at is not None and clock.breached_at <= NOW
        mine["accepted"] += answered and clock.stop_reason == StopReason.ACCEPTED
        mine["rejected"] += answered and clock.stop_reason == StopReason.REJECTED
        mine["ran_out"] += stopped and clock.stop_reason == StopReason.EXPIRED and clock.stopped_at <= NOW
        if answered and clock.business_seconds is not None:
            seconds[clock.kind][clock.team].append(clock.business_seconds)
    responses = []
    for team, c in sorted(counts["response"].items()):
        times = summary(seconds["response"][team], 3600)
        responses.append({"team": team, "counted": c["counted"], "within": c["in_time"], "breached": c["breached"],
                          "open": c["judged"] - c["counted"], "within_sla": ratio(c["in_time"], c["counted"]),
                          "median_hours": times["median"], "p90_hours": times["p90"]})
    acceptance = [{"team": team, **{k: c[k] for k in ("accepted", "rejected", "ran_out")},
                   "in_window_share": ratio(c["in_time"], c["counted"]),
                   "median_hours": summary(seconds["accept"][team], 3600)["median"]}
                  for team, c in sorted(counts["accept"].items())]
    hours = np.array([s for values in seconds["response"].values() for s in values]) / 3600
    edges = [0, 1, 2, 4, 8, 24, 48, np.inf]
    buckets = [{"leads": int(((hours >= low) & (hours < high)).sum())} for low, high in pairwise(edges)]
    return {"response": responses, "time_to_first_attempt": buckets, "acceptance": acceptance}


def ratio(part: float, whole: float) -> float | None:
    return part / whole if whole else None


def summary(values, scale: float = 1.0) -> dict[str, float | None]:
    values = np.asarray(values, dtype=float) / scale
    if not len(values):
        return {"n": 0, "median": None, "p90": None, "mean": None}
    return {"n": len(values), "median": float(np.median(values)), "p90": float(np.percentile(values, 90)),
            "mean": float(values.mean())}


def check_equal(report, plain: dict[str, list[dict]]) -> int:
    """Every figure the plain queries computed equals the report's (order aside); returns how many were compared."""
    compared = 0
    for name, rows in plain.items():
        ours = [{k: row.get(k) for k in rows[0]} for row in report.table(name).rows] if rows else []
        if name == "exits":
            ours, rows = sorted(ours, key=str), sorted(rows, key=str)
        assert len(ours) == len(rows), f"{name}: the report has {len(ours)} rows, the plain query {len(rows)}"
        for mine, theirs in zip(ours, rows):
            for key, value in theirs.items():
                same = value == mine[key] or (isinstance(value, float) and mine[key] is not None
                                              and abs(value - mine[key]) <= 1e-6 * max(1.0, abs(value)))
                assert same, f"{name}, row {theirs}: {key} is {mine[key]!r} in the report, {value!r} plainly"
                compared += 1
    return compared


# 2. Timing --------------------------------------------------------------------------------------------------------

def timed(function, runs: int, slow: float = float("inf")) -> tuple[object, float, list[float]]:
    """One warm-up run (its result is returned), then `runs` timed ones: their median and all of them. After a
    warm-up slower than `slow` seconds, one timed run (its spread is small next to the ratio measured)."""
    start = time.perf_counter()
    result = function()
    runs = runs if time.perf_counter() - start <= slow else 1
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return result, statistics.median(times), times


def describe(name: str, by: str, extra: dict) -> str:
    narrowed = ", ".join(f"{key} {value}" for key, value in extra.items())
    return f"{name} by {by}" + (f", {narrowed}" if narrowed else "")


def measure(engine: str, runs: int, profiles: Path) -> list[dict]:
    from leadpact.insights.filters import Filters
    from leadpact.insights.reports import run

    results = []
    for name, by, extra in CASES:
        filters = Filters.parse({**PERIOD, **extra}, NOW.date())
        report_once = partial(run, name, filters, NOW, by=by)
        report, report_s, report_all = timed(report_once, runs)
        plain = partial(plain_funnel, filters, by) if name == "funnel" else partial(plain_sla, filters)
        figures, plain_s, plain_all = timed(plain, runs, slow=PLAIN_SLOW)
        compared = check_equal(report, figures)
        results.append({"case": describe(name, by, extra), "engine": engine, "report_s": report_s,
                        "plain_s": plain_s, "report_all": report_all, "plain_all": plain_all, "compared": compared,
                        "headline": headline(report), "load": os.getloadavg()[0]})
        print(f"  {results[-1]['case']}: report {report_s:.3f} s, plain ORM {plain_s:.3f} s "
              f"({plain_s / report_s:.1f}x); {compared} figures equal", flush=True)
        if report_s > GOAL_SECONDS:
            results[-1]["profile"] = profile(engine, results[-1]["case"], report_once, profiles)
    return results


def headline(report) -> str:
    """The total row of the report's first table, to see the history is realistic."""
    rows = report.tables[0].rows
    total = rows[-1] if report.name == "funnel" else {k: sum(r[k] for r in rows) for k in ("counted", "within")}
    if report.name == "funnel":
        return (f"MQL {total['mql']:,}, SAL {total['sal']:,} ({total['mql_to_sal']:.0%}), SQL {total['sql']:,} "
                f"({total['sal_to_sql']:.0%} of SAL), won {total['won']:,} ({total['sql_to_won']:.0%} of SQL)")
    return f"{total['counted']:,} first responses due, {total['within'] / total['counted']:.0%} within the SLA"


# 4. Profile -------------------------------------------------------------------------------------------------------

def profile(engine: str, case: str, function, path: Path) -> str:
    """Where a slow report spends its time: each of its queries run again alone and fetched in full (SQLite does
    its work while rows are fetched, so the time Django records at execute is not enough), the rest being Python
    (Django's row conversion, numpy); the plan of the slowest query. Saved, and summed up in one line."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        function()
        total = time.perf_counter() - start
    timed_queries = []
    with closing(connection.connection.cursor()) as cursor:
        for query in captured.captured_queries:
            start = time.perf_counter()
            cursor.execute(query["sql"])
            rows = len(cursor.fetchall())
            timed_queries.append((time.perf_counter() - start, rows, query["sql"]))
        timed_queries.sort(reverse=True)
        explain = "EXPLAIN (ANALYZE, BUFFERS) " if engine == "postgres" else "EXPLAIN QUERY PLAN "
        cursor.execute(explain + timed_queries[0][2])
        plan = "\n".join(str(row[0] if engine == "postgres" else row[-1]) for row in cursor.fetchall())
    in_sql = sum(seconds for seconds, _, _ in timed_queries)
    text = (f"## {case} ({engine}): {total:.2f} s, {len(timed_queries)} queries taking {in_sql:.2f} s alone\n\n"
            + "\n".join(f"{seconds:7.3f} s {rows:>9,} rows  {sql}" for seconds, rows, sql in timed_queries[:8])
            + f"\n\nPlan of the slowest:\n\n{plan}\n\n")
    with open(path, "a") as out:
        out.write(text)
    top = ", ".join(f"{seconds:.2f} s ({rows:,} rows) {sql.split(' FROM ')[0][:60]} …"
                    for seconds, rows, sql in timed_queries[:4])
    return f"{len(timed_queries)} queries, {in_sql:.2f} s of {total:.2f} s alone; the slowest: {top}"


# The databases -----------------------------------------------------------------------------------------------------

def database_name(engine: str, leads: int) -> str:
    """One cached database per scale and engine."""
    return f"leadpact_bench_reports_{leads}" if engine == "postgres" else f"/tmp/leadpact_bench_reports_{leads}.sqlite3"


def django_setup(engine: str, leads: int, data_dir: str) -> None:
    name = database_name(engine, leads)
    url = f"postgres://postgres@127.0.0.1:5432/{name}" if engine == "postgres" else f"sqlite:///{name}"
    os.environ.update(DJANGO_SETTINGS_MODULE="leadpact.settings", LEADPACT_DATABASE_URL=url,
                      LEADPACT_DATA_DIR=data_dir, LEADPACT_REPORT_TIME_ZONE="UTC")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def is_cached(engine: str, leads: int) -> bool:
    """The database holds a finished history of `leads` leads (the rounds are written last)."""
    name = database_name(engine, leads)
    finished = f"SELECT (SELECT count(*) FROM leads_lead) = {leads} AND EXISTS (SELECT 1 FROM leads_round)"
    try:
        if engine == "postgres":
            return psql(finished, name) == "t"
        with closing(sqlite3.connect(f"file:{name}?mode=ro", uri=True)) as db:
            return db.execute(finished).fetchone()[0] == 1
    except (sqlite3.Error, subprocess.CalledProcessError):
        return False


def migrations_pending() -> bool:
    """The cached database is of an older schema: its history is generated again for this code."""
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    return bool(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def drop(engine: str, leads: int) -> None:
    """An empty database in place of the cached one."""
    name = database_name(engine, leads)
    if engine == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(name + suffix).unlink(missing_ok=True)
    else:
        psql(f"DROP DATABASE IF EXISTS {name}")
        psql(f"CREATE DATABASE {name}")


def table_sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        sizes = {}
        for label, table in (("leads", "leads_lead"), ("events", "leads_leadevent"), ("attempts", "handoff_attempt"),
                             ("clocks", "sla_clock"), ("rounds", "leads_round")):
            cursor.execute(f"SELECT count(*) FROM {table}")
            sizes[label] = cursor.fetchone()[0]
    return sizes


# Running ----------------------------------------------------------------------------------------------------------

def child(args: argparse.Namespace) -> None:
    """One database: set up (or reuse: the set-up times are those of the run that made it), then measure; the
    results go to bench/out as JSON."""
    from django.db import connection

    saved = OUT / f"reports-{args.engine}-{args.leads}.json"
    lock = open(f"/tmp/leadpact_bench_reports_{args.leads}.{args.engine}.lock", "w")  # noqa: SIM115 (held to exit)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        sys.exit(f"another run is using the {args.engine} database of {args.leads:,} leads; wait for it to end")
    with tempfile.TemporaryDirectory() as data_dir:
        django_setup(args.engine, args.leads, data_dir)
        cached = not args.fresh and is_cached(args.engine, args.leads) and not migrations_pending()
        if not cached:
            connection.close()
            drop(args.engine, args.leads)
        setup = (json.loads(saved.read_text())["setup"] if cached and saved.exists() else {} if cached
                 else reports_setup.set_up(args.leads))
        setup.update(cached=cached, rows=table_sizes())
        print(f"# {args.engine}: set-up " + json.dumps(setup), flush=True)
        profiles = OUT / f"reports-profile-{args.engine}-{args.leads}.txt"
        profiles.unlink(missing_ok=True)
        results = measure(args.engine, args.runs, profiles)
    saved.write_text(json.dumps({"setup": setup, "results": results}))


def print_tables(engines: list[str], leads: int, runs: int) -> None:
    data = {e: json.loads((OUT / f"reports-{e}-{leads}.json").read_text()) for e in engines}
    print(f"\n## Set-up ({leads:,} leads)\n\n| database | step | seconds |\n|---|---|---:|")
    for engine, found in data.items():
        for step, seconds in found["setup"].items():
            if isinstance(seconds, float) and not isinstance(seconds, bool):
                print(f"| {engine} | {step} | {seconds:.1f} |")
        print(f"| {engine} | rows | " + ", ".join(f"{n:,} {t}" for t, n in found["setup"]["rows"].items()) + " |")
    print(f"\n## Figures (median of {runs} runs after a warm-up)\n\n"
          "| report | database | report (fastest–slowest) | plain ORM | plain ÷ report | figures equal | load |\n"
          "|---|---|---:|---:|---:|---|---:|")
    for engine, found in data.items():
        for r in found["results"]:
            goal = "" if r["report_s"] <= GOAL_SECONDS else " **(over 2 s)**"
            once = "" if len(r["plain_all"]) > 1 else " (1 run)"
            spread = f"{min(r['report_all']):.2f}–{max(r['report_all']):.2f}"
            print(f"| {r['case']} | {engine} | {r['report_s']:.3f} s ({spread}){goal} | {r['plain_s']:.2f} s{once} | "
                  f"{r['plain_s'] / r['report_s']:.1f}× | all {r['compared']} | {r['load']:.1f} |")
    print("\n## What the reports say\n")
    for r in next(iter(data.values()))["results"]:
        print(f"- {r['case']}: {r['headline']}")
    if len({json.dumps([r["headline"] for r in found["results"]]) for found in data.values()}) == 1 < len(data):
        print("\nThe same figures on every database (the same seed gives the same history).")
    for engine, found in data.items():
        for r in found["results"]:
            if "profile" in r:
                print(f"\n**{r['case']} on {engine}**: {r['profile']}")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="leads in the history (1,000,000)")
    parser.add_argument("--engine", choices=["sqlite", "postgres"], action="append",
                        help="the database (repeatable; both by default)")
    parser.add_argument("--fresh", action="store_true", help="generate the history again, even if cached")
    parser.add_argument("--runs", type=int, default=5, help="timed runs after the warm-up (5)")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    if args.child:
        args.engine = args.engine[0]
        return child(args)
    info = machine()
    print(f"# Reports on a generated history of {args.leads:,} leads\n\nmachine: {info['nproc']} CPUs ({info['cpu']}); "
          f"{info['postgres']}\nperiod: {PERIOD['since']} to {PERIOD['until']}; now: {NOW.isoformat()}", flush=True)
    engines = args.engine or ["sqlite", "postgres"]
    for engine in engines:
        command = [sys.executable, __file__, "--child", "--engine", engine, "--leads", str(args.leads),
                   "--runs", str(args.runs)] + (["--fresh"] if args.fresh else [])
        start = time.perf_counter()
        if subprocess.run(command, check=False).returncode:
            sys.exit(f"the {engine} run failed (above)")
        print(f"  ({engine}: {time.perf_counter() - start:.0f} s in all)", flush=True)
    print_tables(engines, args.leads, args.runs)


if __name__ == "__main__":
    main()
