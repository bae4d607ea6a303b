"""Reports as tables: each report is a few named tables of rows, so that the terminal, CSV, JSON and the pages show
the same figures. The reports themselves are in the modules next to this one and register here."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from leadpact.core.errors import FieldErrors, NotFound
from leadpact.insights.filters import Filters


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = "count"  # count, share (0..1), number, days, hours, text


@dataclass
class Table:
    name: str
    title: str
    columns: list[Column]
    rows: list[dict[str, Any]]
    chart: str | None = None  # the column drawn as bars against the first column

    def cell(self, row: dict[str, Any], column: Column) -> str:
        """A value as people read it; a row may say its own kind (a table of measures of different kinds)."""
        return say(row.get(column.key), column.kind if column.kind == "text" else row.get("kind", column.kind))


@dataclass
class Report:
    name: str
    title: str
    filters: Filters
    tables: list[Table]
    notes: list[str] = field(default_factory=list)

    def table(self, name: str) -> Table:
        for table in self.tables:
            if table.name == name:
                return table
        raise NotFound(f"report {self.name} has no table {name!r}; it has: {', '.join(t.name for t in self.tables)}")

    def as_json(self) -> dict[str, Any]:
        return {"report": self.name, "title": self.title, "filters": self.filters.described(), "notes": self.notes,
                "tables": {t.name: {"title": t.title, "columns": [c.__dict__ for c in t.columns], "rows": t.rows}
                           for t in self.tables}}

    def as_csv(self, table: str | None = None) -> str:
        """One table as CSV (the first unless named), with raw values: shares as fractions, days as decimals."""
        chosen = self.table(table) if table else self.tables[0]
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow([c.key for c in chosen.columns])
        for row in chosen.rows:
            writer.writerow(["" if row.get(c.key) is None else row[c.key] for c in chosen.columns])
        return out.getvalue()


ReportFunction = Callable[..., Report]  # (filters, now, by=None) -> Report
REPORTS: dict[str, tuple[str, ReportFunction]] = {}
BREAKDOWNS: dict[str, tuple[str, ...]] = {}  # report -> what it can be broken down by (`by`), the default first


def report(name: str, title: str, by: tuple[str, ...] = ()) -> Callable[[ReportFunction], ReportFunction]:
    def register(function: ReportFunction) -> ReportFunction:
        REPORTS[name], BREAKDOWNS[name] = (title, function), by
        return function
    return register


def run(name: str, filters: Filters, now: dt.datetime, by: str | None = None) -> Report:
    """Run a report; `by` is the breakdown, where the report has a choice (funnel: month, source, ...)."""
    reports = _registered()
    if name not in reports:
        raise NotFound(f"there is no report {name!r}; known: {', '.join(reports)}")
    if by and by not in BREAKDOWNS[name]:
        choices = f"one of: {', '.join(BREAKDOWNS[name])}" if BREAKDOWNS[name] else "it has no breakdown"
        raise FieldErrors({"by": f"cannot break the {name} report down by {by!r}; {choices}"})
    return reports[name][1](filters, now, **({"by": by} if by else {}))


def catalogue() -> list[tuple[str, str]]:
    """Each report's name and title."""
    return [(name, title) for name, (title, _) in _registered().items()]


ORDER = ("funnel", "sla", "follow-up", "hand-back", "commitments", "definition")


def _registered() -> dict[str, tuple[str, ReportFunction]]:
    from leadpact.insights import commitments, definition, flow, followup, handback  # noqa: F401  (they register)

    return {name: REPORTS[name] for name in sorted(REPORTS, key=lambda n: ORDER.index(n) if n in ORDER else 99)}


def say(value: Any, kind: str) -> str:
    """A value as a person reads it."""
    if value is None:
        return "—"
    if kind == "share":
        return f"{value:.1%}"
    if kind in ("days", "hours", "number"):
        return f"{value:,.1f}"
    if kind == "count":
        return f"{value:,}"
    return str(value)


def share(part: int | float, whole: int | float) -> float | None:
    return part / whole if whole else None
