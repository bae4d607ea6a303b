"""Several workers against one PostgreSQL fire each warning and breach once; a killed worker loses nothing."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest
from django.db import connection

from leadpact.handoff.tests.helpers import FORM, ny
from leadpact.leads.models import Lead, LeadEvent
from leadpact.leads.services import leads_intake
from leadpact.notify.models import Message
from leadpact.pact.selectors import version_in_force
from leadpact.sla.models import Clock

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("postgres" not in os.environ.get("LEADPACT_DATABASE_URL", ""),
                                 reason="row locks between processes: the PostgreSQL run covers it")]
NOW = ny(2026, 12, 8, 12)
APP_NAME = "leadpact-worker-under-test"


def open_clocks(count: int) -> tuple[set[int], set[int]]:
    """`count` assigned leads, each with a response clock: the first half past its warning, the rest past its due
    time. Returns the ids of (warned, breached) clocks to expect."""
    rows = [{"email": f"lead{i}@globex.example", "company": "Globex", "lead_type": "demo_request"}
            for i in range(count)]
    ids = [r.lead_id for start in range(0, count, 1000)
           for r in leads_intake(rows[start:start + 1000], actor=FORM, now=NOW - dt.timedelta(days=1))]
    owner = Lead._meta.get_field("owner").related_model.objects.get(email="cy@acme.example")
    Lead.objects.filter(pk__in=ids).update(stage="assigned", owner=owner, team="commercial", route_at=None,
                                           assigned_at=NOW - dt.timedelta(hours=5))
    version, hour = version_in_force(NOW), dt.timedelta(hours=1)
    clocks = [Clock(lead_id=lead_id, kind="response", round=1, owner=owner, team="commercial", calendar="us-east",
                    pact_version=version, started_at=NOW - 5 * hour,
                    warn_at=NOW - 2 * hour, due_at=NOW + hour if i % 2 == 0 else NOW - hour,
                    fire_at=NOW - 2 * hour) for i, lead_id in enumerate(ids)]
    Clock.objects.bulk_create(clocks)
    due = {c.pk for c in Clock.objects.filter(due_at__lte=NOW)}
    return {c.pk for c in Clock.objects.all()} - due, due


def worker(*args: str) -> subprocess.Popen:
    settings = connection.settings_dict
    url = (f"postgres://{settings['USER']}@{settings['HOST']}:{settings['PORT']}/{settings['NAME']}"
           f"?application_name={APP_NAME}")
    env = {**os.environ, "LEADPACT_DATABASE_URL": url}
    return subprocess.Popen([sys.executable, "-m", "leadpact", "worker", "--once", "--now", NOW.isoformat(), *args],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def fired() -> Counter:
    return Counter((e.data["what"], e.lead_id) for e in LeadEvent.objects.filter(kind="clock"))


def test_four_workers_fire_each_warning_and_breach_exactly_once(pact):
    warned, breached = open_clocks(300)
    workers = [worker("--batch", "20") for _ in range(4)]
    for process in workers:
        _, err = process.communicate(timeout=120)
        assert process.returncode == 0, err
    counts = fired()
    assert set(counts.values()) == {1}
    assert sum(1 for what, _ in counts if what == "warned") == 300
    assert sum(1 for what, _ in counts if what == "breached") == len(breached) == 150
    assert Message.objects.filter(event="response_warning").count() == len(warned)
    assert Message.objects.filter(event="escalation").count() == len(breached)
    assert not Clock.objects.filter(fire_at__lte=NOW).exists()


def test_a_worker_killed_in_the_middle_of_a_batch_loses_nothing_and_duplicates_nothing(pact):
    warned, breached = open_clocks(1500)
    process = worker("--batch", "5000")
    backend = wait_for_claim(process)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    wait_until_gone(backend)
    assert fired() == Counter() and Clock.objects.filter(fire_at__lte=NOW).count() == 1500  # all rolled back
    restarted = worker("--batch", "5000")
    _, err = restarted.communicate(timeout=120)
    assert restarted.returncode == 0, err
    counts = fired()
    assert set(counts.values()) == {1} and len(counts) == 1500 + len(breached)
    assert Message.objects.filter(event="escalation").count() == len(breached)


def wait_for_claim(process: subprocess.Popen) -> int:
    """The worker's database backend, once it holds row locks on the clocks table (its batch is claimed)."""
    query = ("SELECT a.pid FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid JOIN pg_class c "
             "ON c.oid = l.relation WHERE a.application_name = %s AND c.relname = 'sla_clock' "
             "AND l.mode = 'RowShareLock'")
    for _ in range(600):
        with connection.cursor() as cursor:
            cursor.execute(query, [APP_NAME])
            row = cursor.fetchone()
        if row:
            return row[0]
        assert process.poll() is None, process.communicate()[1]
        time.sleep(0.02)
    raise AssertionError("the worker never claimed its batch")


def wait_until_gone(backend: int) -> None:
    for _ in range(500):
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            if cursor.fetchone() is None:
                return
        time.sleep(0.02)
    raise AssertionError("the killed worker's transaction is still open")
