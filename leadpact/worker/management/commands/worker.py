"""`leadpact worker`: route waiting MQLs, fire due SLA clocks and deliver notifications."""

from __future__ import annotations

import signal

from django.core.management.base import BaseCommand, CommandParser

from leadpact import clock
from leadpact.worker.loop import BATCH, Worker, run_pass


class Command(BaseCommand):
    help = ("Route waiting MQLs, fire due SLA clocks (warnings, breaches, acceptance timeouts) and deliver the "
            "outbox. Run several against one PostgreSQL: each claims its own work. `leadpact serve` runs one itself.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--once", action="store_true", help="do one pass of everything due, print it and exit")
        parser.add_argument("--now", metavar="TIME", type=clock.instant_argument,
                            help="act as if it were TIME (e.g. 2026-12-07T17:00:00Z): with --once, one pass at that "
                                 "instant; without, the worker's clock starts there and runs on")
        parser.add_argument("--interval", type=float, default=2.0, help="seconds between passes when idle (2)")
        parser.add_argument("--batch", type=int, default=BATCH, help=f"rows claimed at a time ({BATCH})")

    def handle(self, *args: object, **options: object) -> None:
        if options["now"]:
            clock.start_at(options["now"])
        if options["once"]:
            report = run_pass(clock.now(), int(options["batch"]))
            self.stdout.write(f"{clock.now():%Y-%m-%d %H:%M:%S} UTC: {report}")
            return
        worker = Worker(clock.now, float(options["interval"]), int(options["batch"]))
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, lambda *_: worker.stop.set())
        self.stdout.write(f"Leadpact worker running (clock at {clock.now():%Y-%m-%d %H:%M:%S} UTC); Ctrl-C stops it")
        worker.run()
