"""The worker: routes waiting MQLs, fires due clocks, queues the daily digest and delivers the outbox, in batches,
until told to stop.
Several can run against one PostgreSQL; each claims its own rows. `leadpact serve` runs one in its process."""

from __future__ import annotations

import datetime as dt
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.db import close_old_connections

from leadpact import clock
from leadpact.handoff.routing import leads_route_due
from leadpact.insights.digest import digest_queue_due
from leadpact.notify.services import outbox_deliver
from leadpact.pact.selectors import NoPactInForce
from leadpact.sla.services import clocks_fire_due

log = logging.getLogger(__name__)
BATCH = 500


@dataclass
class PassReport:
    """What one pass did."""

    assigned: int = 0
    queued: int = 0
    warned: int = 0
    breached: int = 0
    expired: int = 0
    steps_due: int = 0
    late: int = 0
    digests: int = 0
    sent: int = 0
    failed: int = 0

    @property
    def busy(self) -> bool:
        return bool(self.assigned or self.warned or self.breached or self.expired or self.steps_due or self.digests
                    or self.sent or self.failed)

    def __str__(self) -> str:
        return ", ".join(f"{name} {value}" for name, value in vars(self).items() if value) or "nothing due"


def run_pass(now: dt.datetime, batch: int = BATCH) -> PassReport:
    """One round of everything due at `now`: routing (new owners get their clocks), the clocks (batch after batch,
    in due order, until none is left to claim), routing again (leads whose acceptance window ran out), the daily
    digest once its hour has come, then mail.
    A part that fails is logged and the others still run: the outbox goes out whatever else went wrong."""
    report = PassReport()
    for part in (_route, _fire, _route, _digest, _send):
        try:
            part(now, batch, report)
        except NoPactInForce:
            pass  # nothing can be routed before a pact is in force; the clocks and the outbox still run
        except Exception:  # noqa: BLE001 - logged; the next pass tries again
            log.exception("worker: %s failed", part.__name__.strip("_"))
    return report


def _route(now: dt.datetime, batch: int, report: PassReport) -> None:
    routed = leads_route_due(now, batch)
    report.assigned, report.queued = report.assigned + routed.assigned, report.queued + routed.queued


def _fire(now: dt.datetime, batch: int, report: PassReport) -> None:
    while True:  # until a claim finds nothing due that another worker has not claimed
        fired = clocks_fire_due(now, batch)
        for name in ("warned", "breached", "expired", "steps_due", "late"):
            setattr(report, name, getattr(report, name) + getattr(fired, name))
        if not fired.claimed or fired.claimed == fired.skipped + fired.failed:
            break


def _digest(now: dt.datetime, batch: int, report: PassReport) -> None:
    report.digests = digest_queue_due(now)


def _send(now: dt.datetime, batch: int, report: PassReport) -> None:
    delivered = outbox_deliver(now, batch)
    report.sent, report.failed = delivered.sent, delivered.failed


class Worker:
    """Passes at `interval` seconds (at once again while there is work), until `stop` is set."""

    def __init__(self, now: Callable[[], dt.datetime] = clock.now, interval: float = 2.0, batch: int = BATCH) -> None:
        self.now, self.interval, self.batch = now, interval, batch
        self.stop, self.wake = threading.Event(), threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            busy = False
            try:
                report = run_pass(self.now(), self.batch)
                busy = report.busy
                if busy:
                    log.info("worker: %s", report)
            except Exception:  # noqa: BLE001 - a failed pass is logged and tried again; the worker lives on
                log.exception("worker pass failed; trying again")
            finally:
                close_old_connections()
            if not busy:
                self.wake.wait(self.interval)
                self.wake.clear()

    def start_thread(self) -> threading.Thread:
        thread = threading.Thread(target=self.run, name="leadpact-worker", daemon=True)
        thread.start()
        return thread
