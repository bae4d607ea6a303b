"""CSV import speed and peak memory, on SQLite and PostgreSQL, with scoring and qualification on.

    .venv/bin/python bench/bench_import.py                      # the X Education file and generated files
    .venv/bin/python bench/bench_import.py --rows 1000000 --db sqlite
    .venv/bin/python bench/bench_import.py --x-education --db postgres

Each measurement runs in a fresh process on a fresh database, so that its peak memory (ru_maxrss) is its own.
PostgreSQL: the server at 127.0.0.1:5432 (database leadpact_bench is dropped and created).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
X_EDUCATION = ROOT.parent / "shared" / "datasets" / "x_education_leads" / "Leads.csv"
PG_URL = "postgres://postgres@127.0.0.1:5432/leadpact_bench"
HEADERS = ["Email", "First Name", "Last Name", "Title", "Company", "Website", "No. of Employees", "Country",
           "Lead Source", "Phone", "Industry", "Lead Type"]
GENERATED_MAPPING = ROOT / "bench" / "generated-mapping.yaml"


def generate_csv(rows: int, seed: int = 1) -> Path:
    """A Salesforce-style lead export with `rows` distinct leads (made once, kept in bench/out)."""
    path = OUT / f"leads-v2-{rows}.csv"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    titles = ["VP Sales", "Director of IT", "Engineer", "Head of Growth", "Analyst", "CFO", "Office Manager", ""]
    countries = ["United States", "US", "Canada", "Germany", "DE", "United Kingdom", "France", "Netherlands", "India"]
    sources = ["Web", "Webinar", "Trade Show", "Partner", "Advertisement"]
    with path.open("w", newline="") as stream:
        writer = csv.writer(stream)
        writer.writerow(HEADERS)
        for i in range(rows):
            company = f"Company {rng.randrange(rows // 5 + 1)}"
            domain = rng.choice(["gmail.com", f"c{i % 50000}.example"])
            writer.writerow([f"lead{i}@{domain}", f"First{i % 997}", f"Last{i % 991}", rng.choice(titles), company,
                             f"https://www.c{i % 50000}.example", rng.choice(["", "12", "150", "200-499", "1,200"]),
                             rng.choice(countries), rng.choice(sources), f"+1 212 555 {i % 10000:04d}",
                             rng.choice(["Software", "Retail", "Health"]),
                             rng.choice(["demo_request", "content_download", "content_download", "event_attendee", ""])])
    return path


def child(args: argparse.Namespace) -> None:
    """Runs in its own process: fresh database, signed pact, then the import, timed."""
    import resource

    os.environ["DJANGO_SETTINGS_MODULE"] = "leadpact.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from leadpact.core.lifecycle import Actor, Role
    from leadpact.leads.csv_import import import_leads, load_mapping, open_csv, preset
    from leadpact.leads.models import Lead
    from leadpact.pact.services import pact_propose, pact_sign

    call_command("migrate", verbosity=0)
    _sign(Path(args.pact).read_text(), pact_propose, pact_sign)
    mapping = load_mapping(Path(args.mapping).read_text()) if args.mapping else preset("salesforce")
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with open_csv(Path(args.file)) as stream:
        summary = import_leads(stream, mapping, actor=Actor("import:bench", Role.MARKETING), now=timezone.now)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"rows": summary.rows, "created": summary.created, "rejected": summary.rejected,
                      "mql": Lead.objects.filter(stage="mql").count(), "seconds": round(seconds, 2),
                      "leads_per_s": round(summary.rows / seconds), "rss_before_mb": round(rss_before / 1024),
                      "peak_rss_mb": round(peak / 1024)}))


def _sign(text: str, propose, sign) -> None:
    import datetime as dt

    from leadpact.accounts.models import User

    marketing = User.objects.create_user("mia@bench.example", "x" * 12, role="marketing")
    manager = User.objects.create_user("raj@bench.example", "x" * 12, role="manager")
    version, _ = propose(re.sub(r"(?m)^effective: \S+", "effective: 2026-01-01", text, count=1))
    past = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
    sign(version, marketing, past)
    sign(version, manager, past)


def _reset_postgres() -> None:
    for sql in ("DROP DATABASE IF EXISTS leadpact_bench", "CREATE DATABASE leadpact_bench"):
        subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", "test", "-qc", sql], check=True)


def measure(db: str, file: Path, pact: Path, mapping: Path | None) -> dict:
    env = dict(os.environ)
    with tempfile.TemporaryDirectory() as data_dir:
        env["LEADPACT_DATA_DIR"] = data_dir
        if db == "postgres":
            _reset_postgres()
            env["LEADPACT_DATABASE_URL"] = PG_URL
        else:
            env.pop("LEADPACT_DATABASE_URL", None)
        command = [sys.executable, __file__, "--child", "--file", str(file), "--pact", str(pact)]
        if mapping:
            command += ["--mapping", str(mapping)]
        result = subprocess.run(command, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit(result.stderr)
    return json.loads(result.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--rows", type=int, action="append", help="generated rows (repeatable)")
    parser.add_argument("--x-education", action="store_true", help="only the X Education file")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--pact", help=argparse.SUPPRESS)
    parser.add_argument("--mapping", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)
    sys.path.insert(0, str(ROOT))
    runs = []
    if args.x_education or not args.rows:
        runs.append(("X Education Leads.csv", X_EDUCATION, ROOT / "examples/x_education/pact.yaml",
                     ROOT / "examples/x_education/mapping.yaml"))
    if not args.x_education:
        for rows in args.rows or [100_000, 1_000_000]:
            runs.append((f"generated {rows:,} rows", generate_csv(rows), ROOT / "leadpact/examples/pact.yaml",
                         GENERATED_MAPPING))
    databases = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    print("| file | database | rows | leads/s | MQLs | seconds | RSS before import | peak RSS |")
    print("|---|---|---|---|---|---|---|---|")
    for label, file, pact, mapping in runs:
        for db in databases:
            r = measure(db, file, pact, mapping)
            print(f"| {label} | {db} | {r['rows']:,} | {r['leads_per_s']:,} | {r['mql']:,} | {r['seconds']} | "
                  f"{r['rss_before_mb']} MB | {r['peak_rss_mb']} MB |", flush=True)


if __name__ == "__main__":
    main()
