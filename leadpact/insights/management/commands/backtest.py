"""`leadpact backtest --pact NEW.yaml --period ...`: a proposed pact replayed on the recorded history."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress

from leadpact import clock
from leadpact.core.errors import LeadpactError
from leadpact.core.pact_loader import parse_pact
from leadpact.insights.backtest import backtest, baseline, parse_period
from leadpact.insights.filters import report_today
from leadpact.insights.management.commands.report import write_report


class Command(BaseCommand):
    help = ("Replay the leads that arrived in a period under a proposed pact and under the version in force (or "
            "--against VERSION): MQLs per month, expected acceptance, won deals it would have qualified and how much "
            "earlier, leads it would drop or add, and each team's load. Nothing is changed.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--pact", type=Path, required=True, help="the proposed pact file (YAML)")
        parser.add_argument("--against", type=int, default=None, help="the version to compare with "
                            "(default: the one in force)")
        parser.add_argument("--period", required=True, help="the leads that arrived in: 2026-01-01..2026-06-30, "
                            "a month (2026-03) or a year (2026)")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table",
                            help="table (default), csv (one table: see --table) or json")
        parser.add_argument("--table", default=None, help="the table to print as CSV: summary (default), months, "
                            "teams, changes")

    def handle(self, *args: object, **options: object) -> None:
        now = clock.now()
        try:
            text = options["pact"].read_text(encoding="utf-8")
        except OSError as err:
            raise CommandError(f"cannot read {options['pact']}: {err.strerror}") from None
        try:
            proposed = (f"{options['pact'].name} (proposed)", parse_pact(text))
            filters = parse_period(str(options["period"]), report_today(now))
            against = baseline(options["against"], now)
            with Progress(transient=True, console=Console(stderr=True)) as bar:
                task = bar.add_task("replaying the history", total=None)
                result = backtest(proposed, against, filters,
                                  lambda step, done, total: bar.update(task, completed=done, total=total))
            write_report(result, str(options["format"]), options["table"], self.stdout)
        except LeadpactError as err:
            raise CommandError(str(err)) from None
