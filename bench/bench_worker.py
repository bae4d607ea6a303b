"""The SLA worker on PostgreSQL: finding the due clocks among 1,000,000 open leads, and firing 10,000 breaches.

    .venv/bin/python bench/bench_worker.py                       # 1,000,000 leads, 10,000 due, 4 workers (~4 min)
    .venv/bin/python bench/bench_worker.py --workers 1 --workers 4 --profile    # the full run (~6 min)
    .venv/bin/python bench/bench_worker.py --leads 20000 --due 2000             # a quick try (~1 min)

What it measures, on a fresh database leadpact_bench_worker at 127.0.0.1:5432 (dropped and created):

1. Set-up: migrate, propose and sign leadpact/examples/pact.yaml (effective in the past), create the people it names,
   then (set-based SQL) `--leads` assigned leads of the team commercial, each with one running response clock.
   `--due` of them are past their warning and their deadline (fire_at = warn_at < now); the others fire later.
2. The claim `clocks_fire_due` runs (the SQL is taken from Django's compiler, not retyped): EXPLAIN (ANALYZE, BUFFERS)
   saved verbatim to bench/out/worker-explain.txt, and the query itself timed (median of 20 runs, each in a
   transaction rolled back). Also: how many rows a second claim gets while a first claim's transaction is open.
3. Firing every due clock (a skipped warning, then the breach: an event, an email to the owner and to the manager):
   (a) in this process, `clocks_fire_due(now, batch)` until nothing is due; (b) N processes of
   `python -m leadpact worker --once --now <now> --batch <batch>` started together (a worker pass also delivers up to
   `batch` outbox messages, to files: timed on its own too), then more rounds of N until nothing is due, as the
   long-running worker's next passes would. Between runs the due clocks are put back and the events and messages of
   the previous run are removed (TRUNCATE: the history table refuses row deletes). After each run: every due clock has
   exactly one 'breached' event and nothing is due any more. Last, one worker process with nothing due: the start-up
   cost inside (b). `--profile`: (a) again under cProfile (bench/out/worker-profile.pstats).

The figures end in a markdown table; the machine (nproc, CPU, PostgreSQL) is printed first.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from worker_setup import DB, check_set_up, django_setup, machine, set_up

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"

BREACHED_SQL = """
SELECT count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n <> 1), coalesce(sum(n), 0)
FROM (SELECT c.id, (SELECT count(*) FROM leads_leadevent e WHERE e.lead_id = c.lead_id AND e.kind = 'clock'
                    AND e.data->>'what' = 'breached') AS n
      FROM sla_clock c WHERE c.due_at <= %s) AS per_clock
"""


# 2. The due-clock query -------------------------------------------------------------------------------------------

def claim_queryset(now: dt.datetime, batch: int, of_self: bool = True):
    """The claim in `clocks_fire_due`, as it is written there."""
    from leadpact.sla.models import Clock

    return (Clock.objects.select_for_update(skip_locked=True, of=("self",) if of_self else ())
            .filter(fire_at__lte=now).order_by("fire_at", "id")[:batch])


def claim_sql(now: dt.datetime, batch: int, of_self: bool = True) -> tuple[str, tuple]:
    """Django's SQL and parameters for the claim (compiled in a transaction: FOR UPDATE needs one)."""
    from django.db import transaction

    with transaction.atomic():
        return claim_queryset(now, batch, of_self).query.get_compiler(using="default").as_sql()


def rolled_back(sql: str, params: tuple) -> tuple[list, float]:
    """Run `sql` in a transaction that is rolled back (its row locks go with it); rows and seconds."""
    from django.db import connection, transaction

    with transaction.atomic():
        with connection.cursor() as cursor:
            start = time.perf_counter()
            cursor.execute(sql, params)
            rows = cursor.fetchall()
            seconds = time.perf_counter() - start
        transaction.set_rollback(True)
    return rows, seconds


def explain(now: dt.datetime, batch: int) -> str:
    sql, params = claim_sql(now, batch)
    rows, _ = rolled_back("EXPLAIN (ANALYZE, BUFFERS) " + sql, params)
    return "\n".join(row[0] for row in rows)


def time_claim(now: dt.datetime, batch: int, runs: int = 20) -> tuple[float, int]:
    """Median milliseconds of the claim over `runs` runs, and the rows it returned."""
    sql, params = claim_sql(now, batch)
    times, count = [], 0
    for _ in range(runs):
        rows, seconds = rolled_back(sql, params)
        times.append(seconds * 1000)
        count = len(rows)
    return statistics.median(times), count


def concurrent_claim(now: dt.datetime, batch: int, of_self: bool = True) -> int:
    """Rows a second connection's claim gets while this one's claim is still held (another worker's view)."""
    import psycopg
    from django.db import connection, transaction

    sql, params = claim_sql(now, batch, of_self)
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        with psycopg.connect(f"host=127.0.0.1 user=postgres dbname={DB}") as other:
            rows = other.execute(sql, params).fetchall()
            other.rollback()
        transaction.set_rollback(True)
    return len(rows)


# 3. Firing --------------------------------------------------------------------------------------------------------

def fire_in_process(now: dt.datetime, batch: int) -> tuple[float, int, int]:
    """`clocks_fire_due` batch after batch, as `run_pass` does; seconds, breaches and batches."""
    from leadpact.sla.services import clocks_fire_due

    breached = batches = 0
    start = time.perf_counter()
    while True:
        fired = clocks_fire_due(now, batch)
        breached, batches = breached + fired.breached, batches + 1
        if fired.warned + fired.breached + fired.expired + fired.steps_due + fired.skipped < batch:
            return time.perf_counter() - start, breached, batches


def profile_in_process(now: dt.datetime, batch: int, path: Path) -> str:
    """The in-process firing under cProfile; the statistics are saved and the top of them returned."""
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    profiler.runcall(fire_in_process, now, batch)
    profiler.dump_stats(str(path))
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text).strip_dirs()
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return text.getvalue()


def worker(now: dt.datetime, batch: int) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "leadpact", "worker", "--once", "--now", now.isoformat(),
                             "--batch", str(batch)], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def worker_round(now: dt.datetime, batch: int, count: int) -> tuple[float, list[str]]:
    """`count` worker processes started together; seconds until the last one exits, and what each printed."""
    start = time.perf_counter()
    processes = [worker(now, batch) for _ in range(count)]
    outputs = []
    for process in processes:
        out, err = process.communicate(timeout=1800)
        if process.returncode != 0:
            sys.exit(f"a worker failed:\n{err}")
        outputs.append(pass_report(out))
    return time.perf_counter() - start, outputs


def pass_report(out: str) -> str:
    """What `worker --once` printed, without its time stamp."""
    return re.sub(r"^\S+ \S+ UTC: ", "", out.strip())


def still_due(now: dt.datetime) -> int:
    from leadpact.sla.models import Clock

    return Clock.objects.filter(fire_at__lte=now).count()


def reset_clocks(now: dt.datetime) -> None:
    """The due clocks as before the run, and no events or messages (TRUNCATE: the history refuses row deletes)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE sla_clock SET fire_at = warn_at, warned_at = NULL, breached_at = NULL "
                       "WHERE due_at <= %s", [now])
        cursor.execute("TRUNCATE leads_leadevent, notify_message")
        cursor.execute("VACUUM ANALYZE sla_clock")


def verify(now: dt.datetime, due: int) -> dict[str, int]:
    """Each due clock has exactly one 'breached' event; nothing is due any more; the emails written."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(BREACHED_SQL, [now])
        once, not_once, events = cursor.fetchone()
        cursor.execute("SELECT count(*) FROM sla_clock WHERE fire_at <= %s", [now])
        still_due = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM notify_message WHERE channel = 'email'")
        emails = cursor.fetchone()[0]
    ok = once == due and not_once == 0 and events == due and still_due == 0
    return {"ok": ok, "exactly_once": once, "not_once": not_once, "breached_events": int(events),
            "still_due": still_due, "emails": emails}


def verdict(checked: dict) -> str:
    """The verification, in words for the table."""
    text = (f"{checked['exactly_once']:,} clocks with exactly one breached event, {checked['not_once']:,} without; "
            f"{checked['still_due']:,} still due; {checked['emails']:,} emails queued")
    return ("OK: " if checked["ok"] else "**FAILED**: ") + text


# Report -----------------------------------------------------------------------------------------------------------

def print_setup(times: dict[str, float], leads: int, due: int) -> None:
    print(f"\n## Set-up: {leads:,} assigned leads, {leads:,} response clocks, {due:,} of them past due\n")
    print("| step | seconds |\n|---|---|")
    for label, seconds in times.items():
        print(f"| {label} | {seconds:.1f} |")
    print(f"| **total** | **{sum(times.values()):.1f}** |", flush=True)


def print_plan(plan: str, sql: str, path: Path) -> None:
    path.write_text(f"-- {sql}\n\n{plan}\n")
    print(f"\n## The claim's plan (saved to {path.relative_to(ROOT)})\n\n```\n{sql}\n\n{plan}\n```", flush=True)
    if "Seq Scan on sla_clock" in plan or "clock_due" not in plan:
        print("\n**WARNING: the claim does not use the clock_due index**")


def figures_table(rows: list[tuple[str, str, str]]) -> None:
    print("\n## Figures\n\n| measurement | result | note |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--leads", type=int, default=1_000_000, help="open assigned leads (1,000,000)")
    parser.add_argument("--due", type=int, default=10_000, help="of which past their deadline (10,000)")
    parser.add_argument("--batch", type=int, default=500, help="clocks claimed at a time (500, the worker's)")
    parser.add_argument("--workers", type=int, action="append", help="worker processes started together "
                                                                    "(repeatable; 4)")
    parser.add_argument("--now", help="the instant the worker acts at (default: the current time)")
    parser.add_argument("--max-rounds", type=int, default=40, help="rounds of workers at most (40)")
    parser.add_argument("--profile", action="store_true", help="also cProfile the in-process firing")
    return parser.parse_args()


def main() -> None:
    args = parse_args()
    now = (dt.datetime.fromisoformat(args.now) if args.now
           else dt.datetime.now(dt.UTC).replace(microsecond=0))
    OUT.mkdir(parents=True, exist_ok=True)
    info = machine()
    print(f"# SLA worker on PostgreSQL\n\nmachine: {info['nproc']} CPUs ({info['cpu']}); {info['postgres']}\n"
          f"now: {now.isoformat()}; batch {args.batch}", flush=True)
    with tempfile.TemporaryDirectory() as data_dir:
        django_setup(data_dir)
        times = set_up(args.leads, args.due, now)
        check_set_up(args.leads, args.due, now)
        print_setup(times, args.leads, args.due)
        rows = measure(args, now)
    figures_table(rows)


def measure(args: argparse.Namespace, now: dt.datetime) -> list[tuple[str, str, str]]:
    """Steps 2 and 3; the rows of the figures table."""
    plan = explain(now, args.batch)
    print_plan(plan, claim_sql(now, args.batch)[0], OUT / "worker-explain.txt")
    rows = claim_rows(args, now, plan)
    rows += [in_process_row(args, now), outbox_row(args, now)]
    for count in args.workers or [4]:
        reset_clocks(now)
        rows += workers_rows(args, now, count)
    start = time.perf_counter()
    out = pass_report(worker(now - dt.timedelta(days=30), args.batch).communicate()[0])
    rows.append(("1 worker process, nothing due", f"{time.perf_counter() - start:.2f} s",
                 f"start-up and an empty pass ({out})"))
    if args.profile:
        reset_clocks(now)
        print("\n## Profile of (a)\n\n```\n" + profile_in_process(now, args.batch, OUT / "worker-profile.pstats")
              + "```")
    return rows


def claim_rows(args: argparse.Namespace, now: dt.datetime, plan: str) -> list[tuple[str, str, str]]:
    median_ms, claimed = time_claim(now, args.batch)
    server = re.search(r"Execution Time: ([\d.]+) ms", plan)
    scan = "index scan on clock_due" if "Index Scan using clock_due" in plan else "**no index scan on clock_due**"
    fetched = f"{claimed} rows of {args.due:,} due among {args.leads:,} clocks"
    expected = f"expected {min(args.batch, args.due - claimed)}: the next batch, not the one held"
    return [("claim query, in the server (EXPLAIN ANALYZE)", f"{server.group(1) if server else '?'} ms", scan),
            ("claim query from Django, rows fetched (median of 20)", f"{median_ms:.2f} ms", fetched),
            ("a 2nd claim while a 1st is held", f"{concurrent_claim(now, args.batch)} rows", expected)]


def in_process_row(args: argparse.Namespace, now: dt.datetime) -> tuple[str, str, str]:
    seconds, breached, batches = fire_in_process(now, args.batch)
    return (f"(a) 1 process, clocks_fire_due(now, {args.batch}) in a loop",
            f"{seconds:.2f} s, {breached / seconds:,.0f} breaches/s",
            f"{breached:,} breaches in {batches} batches. {verdict(verify(now, args.due))}")


def outbox_row(args: argparse.Namespace, now: dt.datetime) -> tuple[str, str, str]:
    """What else a worker pass does after the clocks: deliver up to `batch` messages (emails as files here)."""
    from leadpact.notify.services import outbox_deliver

    start = time.perf_counter()
    report = outbox_deliver(now, args.batch)
    seconds = time.perf_counter() - start
    return (f"outbox_deliver(now, {args.batch}) in this process", f"{seconds:.2f} s",
            f"{report.sent} emails sent (file backend), {report.failed} failed: part of every worker pass")


def workers_rows(args: argparse.Namespace, now: dt.datetime, count: int) -> list[tuple[str, str, str]]:
    """One round of `count` workers started together, then more rounds (as the long-running worker's next passes
    would) until nothing is due."""
    seconds, outputs = worker_round(now, args.batch, count)
    first = verify(now, args.due)
    total, rounds = seconds, 1
    while still_due(now) and rounds < args.max_rounds:
        total, rounds = total + worker_round(now, args.batch, count)[0], rounds + 1
    done = first["breached_events"]
    return [(f"(b) {count} worker processes `worker --once --batch {args.batch}`, one pass each",
             f"{seconds:.2f} s, {done / seconds:,.0f} breaches/s",
             f"{done:,} breaches; each printed: {' / '.join(outputs)}. {verdict(first)}"),
            (f"(b) {count} worker processes, rounds of them until nothing is due",
             f"{total:.2f} s, {args.due / total:,.0f} breaches/s",
             f"{rounds} rounds. {verdict(verify(now, args.due))}")]


if __name__ == "__main__":
    main()
