"""The set-up of bench_worker.py: a fresh PostgreSQL database with the example pact signed, its people, and a
million assigned leads with a running response clock each, written with set-based SQL."""

from __future__ import annotations

import datetime as dt
import os
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DB = "leadpact_bench_worker"
PG_URL = f"postgres://postgres@127.0.0.1:5432/{DB}"
PACT = ROOT / "leadpact" / "examples" / "pact.yaml"
TEAM = "commercial"

# One lead per row of generate_series; every `every`-th one (the first `due` of them) is overdue since ~2 days.
LEADS_SQL = """
INSERT INTO leads_lead (email, external_id, first_name, last_name, title, phone, company, website, domain, employees,
    industry, country, state, lead_type, source, campaign, medium, custom, stage, stage_changed_at, team, rounds,
    is_returning, fit, engagement_points, engagement_at, score_reasons, scored_at, created_at, updated_at, owner_id,
    pact_version_id, assigned_at, attempts, contacted_at, nurture_track, queued_at, route_at)
SELECT 'lead' || i || '@bench.example', NULL, 'First' || i %% 997, 'Last' || i %% 991, '', '', 'Company ' || i %% 50000,
    '', 'bench.example', NULL, '', 'US', '', 'demo_request', 'Web', '', '', '{}', 'assigned', s.assigned, %(team)s, 1,
    false, 0, 0, NULL, '[]', NULL, s.assigned, s.assigned, (%(reps)s::bigint[])[1 + i %% 3], %(version)s, s.assigned,
    0, NULL, '', NULL, NULL
FROM generate_series(1, %(leads)s) AS i,
     LATERAL (SELECT CASE WHEN i %% %(every)s = 0 AND i / %(every)s <= %(due)s
                          THEN %(now)s - interval '2 days' - i / %(every)s * interval '1 second'
                          ELSE %(now)s - i %% 3600 * interval '1 second' END AS assigned) AS s
"""

# One running response clock per lead, numbered in id order like the leads above: the overdue ones warn 3 hours and
# are due 4 hours after the hand-off; the others warn between a minute and 30 days from now.
CLOCKS_SQL = """
INSERT INTO sla_clock (kind, round, step, channel, team, calendar, started_at, due_at, warn_at, warned_at, breached_at,
    stopped_at, stop_reason, business_seconds, fire_at, failures, last_error, lead_id, owner_id, pact_version_id)
SELECT 'response', 1, NULL, '', %(team)s, 'us-east', l.assigned_at, t.due_at, t.warn_at, NULL, NULL,
    NULL, '', NULL, t.warn_at, 0, '', l.id, l.owner_id, %(version)s
FROM (SELECT id, owner_id, assigned_at, row_number() OVER (ORDER BY id) AS i FROM leads_lead) AS l,
     LATERAL (SELECT l.i %% %(every)s = 0 AND l.i / %(every)s <= %(due)s AS overdue) AS o,
     LATERAL (SELECT CASE WHEN o.overdue THEN l.assigned_at + interval '3 hours'
                          ELSE %(now)s + interval '1 minute' + l.i %% 2592000 * interval '1 second'
                     END AS warn_at) AS w,
     LATERAL (SELECT w.warn_at, CASE WHEN o.overdue THEN l.assigned_at + interval '4 hours'
                                     ELSE w.warn_at + interval '1 hour' END AS due_at) AS t
"""

# Environment ------------------------------------------------------------------------------------------------------

def psql(sql: str, database: str = "test") -> str:
    result = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", database, "-Atqc", sql],
                            check=True, capture_output=True, text=True)
    return result.stdout.strip()


def machine() -> dict[str, str]:
    lscpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
    cpu = re.search(r"Model name:\s*(.+)", lscpu)
    return {"nproc": subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip(),
            "cpu": cpu.group(1).strip() if cpu else "?", "postgres": psql("SELECT version()")}


def django_setup(data_dir: str) -> None:
    """Fresh database, then Django pointed at it (the worker processes get the same environment)."""
    psql(f"DROP DATABASE IF EXISTS {DB}")
    psql(f"CREATE DATABASE {DB}")
    os.environ.update(DJANGO_SETTINGS_MODULE="leadpact.settings", LEADPACT_DATABASE_URL=PG_URL,
                      LEADPACT_DATA_DIR=data_dir)
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


# 1. Set-up --------------------------------------------------------------------------------------------------------

def sign_pact():
    """The example pact, effective in the past, signed yesterday by the marketing owner and the sales manager."""
    from leadpact.demo.people import MARKETING_EMAIL, demo_people
    from leadpact.pact.selectors import pact_of
    from leadpact.pact.services import pact_propose, pact_sign

    text = re.sub(r"(?m)^effective: \S+", "effective: 2026-01-01", PACT.read_text(), count=1)
    version, _ = pact_propose(text)
    pact = pact_of(version)
    people = demo_people(pact)
    past = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    pact_sign(version, people[MARKETING_EMAIL], past)
    pact_sign(version, people[pact.teams[TEAM].manager], past)
    return version, [people[email].pk for email in pact.teams[TEAM].members]


def set_up(leads: int, due: int, now: dt.datetime) -> dict[str, float]:
    """Schema, pact and people, then the leads and their clocks; seconds per part."""
    from django.core.management import call_command
    from django.db import connection

    times, start = {}, time.perf_counter()
    call_command("migrate", verbosity=0)
    version, reps = sign_pact()
    times["schema, pact, people"] = time.perf_counter() - start
    params = {"team": TEAM, "reps": reps, "version": version.pk, "leads": leads, "due": due,
              "every": max(leads // due, 1), "now": now}
    with connection.cursor() as cursor:
        for label, sql in (("leads", LEADS_SQL), ("clocks", CLOCKS_SQL),
                           ("ANALYZE", "ANALYZE leads_lead, sla_clock, pact_pactversion")):
            start = time.perf_counter()
            cursor.execute(sql, params)
            times[label] = time.perf_counter() - start
    return times


def check_set_up(leads: int, due: int, now: dt.datetime) -> None:
    from leadpact.leads.models import Lead
    from leadpact.sla.models import Clock

    counts = (Lead.objects.filter(stage="assigned").count(), Clock.objects.count(),
              Clock.objects.filter(fire_at__lte=now, due_at__lte=now).count())
    assert counts == (leads, leads, due), f"set-up made (leads, clocks, due clocks) = {counts}"
