"""`leadpact import leads FILE.csv`: bring leads in from a CSV export, streaming, with a progress bar."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path
from typing import IO

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeRemainingColumn,
)

from leadpact import clock
from leadpact.core.lifecycle import Actor, Role
from leadpact.handoff.outcomes import load_outcome_mapping, outcomes_record
from leadpact.leads.csv_import import (
    PRESETS,
    MappingInvalid,
    import_leads,
    load_mapping,
    open_csv,
    preset,
)
from leadpact.pact.selectors import NoPactInForce


class Command(BaseCommand):
    help = ("Import leads from a CSV file (validated, de-duplicated, scored and qualified like any other intake; "
            "dated rows record past history), or the outcomes of imported leads.")

    def add_arguments(self, parser: CommandParser) -> None:
        sub = parser.add_subparsers(dest="what", required=True, metavar="WHAT")
        leads = sub.add_parser("leads", help="import leads from a CSV file")
        leads.add_argument("file", type=Path)
        source = leads.add_mutually_exclusive_group()
        source.add_argument("--mapping", type=Path, help="a mapping file (CSV column -> lead field, constants, "
                            "missing markers, value translations, types); its format: docs/import-mapping.md")
        source.add_argument("--preset", choices=PRESETS, help="a built-in mapping for a CRM export")
        leads.add_argument("--rejects", type=Path, help="where to write rejected rows, with their line and errors "
                           "(default: ./rejects-<FILE name>-<time>.csv in the current directory)")
        leads.add_argument("--batch-size", type=int, default=1000, help="rows per transaction (at most 1000)")
        leads.add_argument("--source-label", default="import", help='recorded as the actor, e.g. "hubspot-2026-11"')
        outcomes = sub.add_parser("outcomes", help="record what became of imported leads (a CRM's closed deals): "
                                  "accepted, converted, won or lost, each on its date")
        outcomes.add_argument("file", type=Path)
        outcomes.add_argument("--mapping", type=Path, required=True,
                              help="columns: CSV header -> external_id, email, owner, lost_reason, assigned_at, "
                                   "accepted_at, converted_at, won_at or lost_at (docs/import-mapping.md)")
        outcomes.add_argument("--rejects", type=Path, help="where to write rejected rows (default: ./rejects-...)")
        outcomes.add_argument("--source-label", default="import", help="recorded as the actor")

    def handle(self, *args: object, **options: object) -> None:
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"no file at {path}")
        if options["what"] == "outcomes":
            return self._outcomes(path, options)
        try:
            mapping = (load_mapping(options["mapping"].read_text(), str(options["mapping"])) if options["mapping"]
                       else preset(options["preset"] or "salesforce"))
        except (MappingInvalid, OSError) as err:
            raise CommandError(str(err)) from None
        rejects_path = options["rejects"] or default_rejects_path(path, clock.now())
        actor = Actor(f"import:{options['source_label']}", Role.MARKETING)
        size = min(max(int(options["batch_size"]), 1), 1000)
        try:
            with open_csv(path) as stream, _open_rejects(rejects_path) as rejects, _bar() as bar:
                task = bar.add_task(f"Importing {path.name}", total=_count_rows(path))
                summary = import_leads(stream, mapping, actor=actor, now=timezone.now, rejects=rejects,
                                       batch_size=size, progress=lambda n: bar.advance(task, n))
        except (MappingInvalid, NoPactInForce) as err:
            raise CommandError(str(err)) from None
        self._report(summary, rejects_path)

    def _outcomes(self, path: Path, options: dict) -> None:
        try:
            columns = load_outcome_mapping(options["mapping"].read_text(), str(options["mapping"]))
        except (MappingInvalid, OSError) as err:
            raise CommandError(str(err)) from None
        rejects_path = options["rejects"] or default_rejects_path(path, clock.now())
        actor = Actor(f"import:{options['source_label']}", Role.ADMIN)
        recorded = rejected = warned = 0
        with open_csv(path) as stream, _open_rejects(rejects_path) as rejects, _bar() as bar:
            reader, writer = csv.DictReader(stream), csv.writer(rejects)
            task = bar.add_task(f"Recording {path.name}", total=_count_rows(path))
            writer.writerow([*(reader.fieldnames or []), "_errors"])
            for record in reader:
                row = {target: record[header] for header, target in columns.items() if record.get(header)}
                try:
                    [result] = outcomes_record([row], actor=actor)
                except NoPactInForce as err:
                    raise CommandError(str(err)) from None
                if result.status == "rejected":
                    rejected += 1
                    writer.writerow([*record.values(), "; ".join(f"{k}: {v}" for k, v in result.errors.items())])
                else:
                    recorded += 1
                    warned += bool(result.warnings)
                    for column, warning in result.warnings.items():
                        self.stdout.write(f"line {reader.line_num}: {column}: {warning}")
                bar.advance(task)
        self.stdout.write(f"{recorded} outcomes recorded ({warned} with a date moved), {rejected} rejected")
        if rejected:
            self.stdout.write(f"rejected rows, with their errors, written to {rejects_path.resolve()}")
        else:
            rejects_path.unlink(missing_ok=True)

    def _report(self, summary, rejects_path: Path) -> None:
        self.stdout.write(f"{summary.rows} rows: {summary.created} created, {summary.merged} merged, "
                          f"{summary.unchanged} unchanged, {summary.duplicate} repeats, {summary.rejected} rejected")
        if summary.warnings:
            self.stdout.write(f"{summary.warnings} warnings (e.g. unknown countries kept under custom.country_given)")
        for reason, count in sorted(summary.reasons.items(), key=lambda kv: -kv[1])[:10]:
            self.stdout.write(f"  {count:>7}  {reason}")
        if summary.rejected:
            self.stdout.write(f"rejected rows, with their line and errors, written to {rejects_path.resolve()}")
        else:
            rejects_path.unlink(missing_ok=True)


def default_rejects_path(source: Path, now: dt.datetime) -> Path:
    """In the current directory, not next to the input, which may be a read-only data set:
    ./rejects-Leads-20261202T150000Z.csv."""
    return Path.cwd() / f"rejects-{source.stem}-{now.astimezone(dt.timezone.utc):%Y%m%dT%H%M%SZ}.csv"


def _open_rejects(path: Path) -> IO[str]:
    try:
        return path.open("w", newline="")
    except OSError as err:
        raise CommandError(f"cannot write rejected rows to {path}: {err.strerror}; give --rejects PATH") from None


def _bar() -> Progress:
    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                    transient=False)


def _count_rows(path: Path) -> int | None:
    """Rows in the file, counted by a fast pass over lines (quoted line breaks make it an estimate)."""
    with path.open("rb") as raw:
        return max(sum(chunk.count(b"\n") for chunk in iter(lambda: raw.read(1 << 20), b"")) - 1, 0)
