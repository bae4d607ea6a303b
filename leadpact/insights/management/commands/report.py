"""`leadpact report NAME`: a report in the terminal, as CSV or as JSON; `leadpact report rebuild` refolds the rounds."""

from __future__ import annotations

import orjson
from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console
from rich.progress import Progress
from rich.table import Table as RichTable

from leadpact import clock
from leadpact.accounts.models import User
from leadpact.core.errors import LeadpactError
from leadpact.insights.digest import digest_preview
from leadpact.insights.filters import FILTERS, Filters, report_today
from leadpact.insights.reports import Report, catalogue, run
from leadpact.leads.models import Lead
from leadpact.leads.rounds import rebuild

NAMES = tuple(name for name, _ in catalogue())


class Command(BaseCommand):
    help = ("Show a report: funnel, sla, follow-up, hand-back, commitments or definition (does the MQL definition "
            "predict revenue?), for a period and a slice of leads; or `rebuild` the rounds the reports read from the "
            "whole history.")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("name", choices=[*NAMES, "digest", "rebuild"], metavar="NAME",
                            help=f"one of: {', '.join(NAMES)}; digest (the email --to would get now); or rebuild")
        for name, text in FILTERS.items():
            parser.add_argument(f"--{name.replace('_', '-')}", dest=name, default="", help=text)
        parser.add_argument("--by", default=None,
                            help="break the report down by: funnel: month (default), source, campaign, lead_type, "
                                 "team, owner, pact_version; sla: team (default), owner, lead_type")
        parser.add_argument("--format", choices=["table", "csv", "json"], default="table",
                            help="table (default), csv (one table: see --table) or json (every table)")
        parser.add_argument("--table", default=None, help="the table to print as CSV (default: the first)")
        parser.add_argument("--to", default=None, help="digest: the person whose digest to show (an email)")

    def handle(self, *args: object, **options: object) -> None:
        if options["name"] == "rebuild":
            return self._rebuild()
        now = clock.now()
        if options["name"] == "digest":
            return self._digest(options["to"], now)
        try:
            filters = Filters.parse({name: options[name] for name in FILTERS if options[name]}, report_today(now))
            result = run(str(options["name"]), filters, now, by=options["by"])
            write_report(result, str(options["format"]), options["table"], self.stdout)
        except LeadpactError as err:
            raise CommandError(str(err)) from None

    def _digest(self, email: str | None, now) -> None:
        person = User.objects.filter(email__iexact=email or "").first()
        if person is None:
            raise CommandError(f"--to: {'give a person' if not email else f'no person {email}'}; "
                               "the digest shown is the one that person would get now")
        try:
            content = digest_preview(person, now)
        except LeadpactError as err:
            raise CommandError(str(err)) from None
        self.stdout.write(f"Subject: {content.subject}\n\n{content.text}")

    def _rebuild(self) -> None:
        with Progress(transient=True) as progress:
            task = progress.add_task("folding the history", total=Lead.objects.filter(rounds__gt=0).count())
            total = rebuild(lambda n: progress.advance(task, n))
        self.stdout.write(f"{total} rounds rebuilt from the history")


def write_report(result: Report, form: str, table: str | None, out) -> None:
    """A report as the terminal asks for it: `table` (every table, readable), `csv` (one table) or `json`."""
    if form == "csv":
        out.write(result.as_csv(table), ending="")
    elif form == "json":
        out.write(orjson.dumps(result.as_json(), option=orjson.OPT_INDENT_2).decode())
    else:
        print_report(result, Console(file=out, width=140))


def print_report(result: Report, console: Console) -> None:
    console.print(f"[bold]{result.title}[/bold]  " + "  ".join(f"{k}={v}" for k, v in result.filters.described()
                                                                 .items()))
    for table in result.tables:
        shown = RichTable(title=table.title, title_justify="left")
        for column in table.columns:
            shown.add_column(column.label, justify="left" if column.kind == "text" else "right")
        for row in table.rows:
            shown.add_row(*(table.cell(row, column) for column in table.columns))
        console.print(shown)
    for note in result.notes:
        console.print(f"· {note}")
