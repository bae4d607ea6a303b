"""Streaming CSV import: map columns to lead fields, take rows in batches through the intake, report rejects."""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import math
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import IO, Any

import yaml

from leadpact.core.errors import FieldErrors, LeadpactError
from leadpact.core.fields import CONTACT_FIELDS
from leadpact.core.lifecycle import Actor
from leadpact.leads.rounds import report_zone
from leadpact.leads.services import MAX_BATCH, leads_intake

PRESETS = ("salesforce", "hubspot")
_MAPPING_KEYS = {"columns", "constants", "missing", "values", "types", "at", "description"}
_TYPES = ("number", "integer", "bool", "text")
_TRUE, _FALSE = {"1", "yes", "true", "y", "t"}, {"0", "no", "false", "n", "f"}


class MappingInvalid(LeadpactError):
    """A mapping file that cannot be used."""


@dataclass
class ColumnMapping:
    """How the columns of a CSV file become lead fields."""

    columns: dict[str, str]  # CSV header -> lead field or custom.<name>
    constants: dict[str, Any] = field(default_factory=dict)
    missing: frozenset[str] = frozenset({""})
    values: dict[str, dict[str, Any]] = field(default_factory=dict)  # field -> {given: stored}
    types: dict[str, str] = field(default_factory=dict)  # custom.<name> -> number | integer | bool | text
    at: str | None = None  # the column saying when each row arrived: the import then records past history

    def row(self, record: Mapping[str, str]) -> dict[str, Any]:
        """One CSV record (header -> value) as an intake row."""
        return self.row_of(self.reader_plan(list(record)), list(record.values()))

    def row_of(self, plan: list[tuple[int, str, str | None, dict | None, str | None]], values: list[str]) -> dict[str, Any]:
        """One CSV line as an intake row, by column position (`plan` from `reader_plan`)."""
        out: dict[str, Any] = {k: v for k, v in self.constants.items() if not k.startswith("custom.")}
        custom: dict[str, Any] = {k.removeprefix("custom."): v for k, v in self.constants.items()
                                  if k.startswith("custom.")}
        for position, target, custom_name, translate, kind in plan:
            if position >= len(values):
                continue
            value = values[position].strip()
            if value in self.missing:
                continue
            if translate:
                value = translate.get(value, value)
            if kind:
                value = _typed(value, kind)
            if custom_name:
                custom[custom_name] = value
            else:
                out[target] = value
        if custom:
            out["custom"] = custom
        return out

    def reader_plan(self, headers: list[str]) -> list[tuple[int, str, str | None, dict | None, str | None]]:
        """Per mapped column present in `headers`, worked out once: its position, target, custom name,
        value translation and type."""
        return [(headers.index(column), target, target.removeprefix("custom.") if target.startswith("custom.") else None,
                 self.values.get(target), self.types.get(target))
                for column, target in self.columns.items() if column in headers]


def _typed(value: Any, kind: str | None) -> Any:
    """The cell as the mapping's type says; a cell that is not of that type stays text (the intake then checks it):
    "nan", "inf" and 1e400 are not numbers."""
    if kind == "text":
        return value
    if kind == "bool":
        return True if value.lower() in _TRUE else False if value.lower() in _FALSE else value
    try:
        number = float(value)
    except ValueError:
        return value
    if not math.isfinite(number):
        return value
    return int(number) if kind == "integer" or number.is_integer() else number


def load_mapping(text: str, source: str = "mapping") -> ColumnMapping:
    """Parse a mapping file; raise MappingInvalid naming the key and the fix."""
    try:
        spec = yaml.safe_load(text) or {}
    except yaml.YAMLError as err:
        raise MappingInvalid(f"{source}: not valid YAML: {err}") from None
    if not isinstance(spec, dict) or not isinstance(spec.get("columns"), dict):
        raise MappingInvalid(f"{source}: give `columns:`, a map of CSV header -> lead field")
    for key in set(spec) - _MAPPING_KEYS:
        raise MappingInvalid(f"{source}: unknown key {key!r}; known: {', '.join(sorted(_MAPPING_KEYS))}")
    columns = {str(k): str(v) for k, v in spec["columns"].items()}
    for target in [*columns.values(), *spec.get("constants", {})]:
        _check_target(target, source)
    for target, kind in spec.get("types", {}).items():
        if kind not in _TYPES:
            raise MappingInvalid(f"{source}: types.{target}: {kind!r} is not one of {', '.join(_TYPES)}")
    return ColumnMapping(columns, dict(spec.get("constants", {})),
                         frozenset(str(m) for m in spec.get("missing", [""])),
                         {k: {str(a): b for a, b in v.items()} for k, v in spec.get("values", {}).items()},
                         dict(spec.get("types", {})), str(spec["at"]) if spec.get("at") else None)


def _check_target(target: str, source: str) -> None:
    if target in CONTACT_FIELDS or (target.startswith("custom.") and len(target) > 7):
        return
    near = difflib.get_close_matches(target, list(CONTACT_FIELDS), n=1)
    hint = f"did you mean {near[0]!r}?" if near else "use a lead field or custom.<name>"
    raise MappingInvalid(f"{source}: {target!r} is not a lead field; {hint}")


def preset(name: str) -> ColumnMapping:
    if name not in PRESETS:
        raise MappingInvalid(f"no preset {name!r}; presets: {', '.join(PRESETS)}")
    text = resources.files("leadpact.leads.presets").joinpath(f"{name}.yaml").read_text(encoding="utf-8")
    return load_mapping(text, f"preset {name}")


@dataclass
class ImportSummary:
    rows: int = 0
    created: int = 0
    merged: int = 0
    unchanged: int = 0
    duplicate: int = 0
    rejected: int = 0
    warnings: int = 0
    reasons: dict[str, int] = field(default_factory=dict)  # "field: message" -> rows


def import_leads(stream: IO[str], mapping: ColumnMapping, *, actor: Actor, now: Callable[[], dt.datetime],
                 rejects: IO[str] | None = None, batch_size: int = MAX_BATCH,
                 progress: Callable[[int], None] | None = None) -> ImportSummary:
    """Read the CSV in batches (memory stays flat whatever the file size); each batch is one transaction.
    Rejected rows go to `rejects` as the original columns plus line and errors."""
    reader = csv.reader(stream)
    headers = next(reader, [])
    _check_headers(headers, mapping)
    plan = mapping.reader_plan(headers)
    writer = csv.writer(rejects) if rejects is not None else None
    if writer:
        writer.writerow([*headers, "_line", "_errors"])
    summary = ImportSummary()
    dated = mapping.at is not None
    chunks = _dated_chunks(reader, headers, mapping, batch_size, summary, writer) if dated else \
        ((now(), chunk) for chunk in _chunks(reader, batch_size))
    for instant, chunk in chunks:
        results = leads_intake([mapping.row_of(plan, values) for _, values in chunk], actor=actor, now=instant,
                               history=dated)
        for (line, values), result in zip(chunk, results):
            _count(summary, result)
            if result.status == "rejected" and writer:
                writer.writerow([*values, line, "; ".join(f"{k}: {v}" for k, v in result.errors.items())])
        if progress:
            progress(len(chunk))
    return summary


def _dated_chunks(reader: Any, headers: list[str], mapping: ColumnMapping, size: int, summary: ImportSummary,
                  writer: Any) -> Iterator[tuple[dt.datetime, list[tuple[int, list[str]]]]]:
    """The rows in the order they arrived (the whole file is read to sort it), in batches of one instant each.
    A row without a readable instant is rejected."""
    if mapping.at not in headers:
        raise MappingInvalid(f"at: the file has no column {mapping.at!r}; it has: {', '.join(headers[:12])}")
    position, rows = headers.index(mapping.at), []
    for record in reader:
        try:
            rows.append((instant_of(record[position] if position < len(record) else ""), reader.line_num, record))
        except ValueError as err:
            _count(summary, _Rejected({mapping.at: str(err)}))
            if writer:
                writer.writerow([*record, reader.line_num, f"{mapping.at}: {err}"])
    rows.sort(key=lambda row: (row[0], row[1]))
    chunk: list[tuple[int, list[str]]] = []
    for i, (instant, line, record) in enumerate(rows):
        chunk.append((line, record))
        if i + 1 == len(rows) or rows[i + 1][0] != instant or len(chunk) == size:
            yield instant, chunk
            chunk = []


@dataclass
class _Rejected:
    errors: dict[str, str]
    status: str = "rejected"
    warnings: tuple = ()


def instant_of(text: str) -> dt.datetime:
    """A date or date and time from a file; without a UTC offset it is read in the reporting time zone."""
    text = text.strip()
    try:
        value = dt.datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not a date or time: {text!r}; write it like 2026-11-25 or 2026-11-25 14:30") from None
    return value if value.tzinfo else value.replace(tzinfo=report_zone())


def _check_headers(headers: list[str], mapping: ColumnMapping) -> None:
    if not set(mapping.columns) & set(headers):
        raise MappingInvalid(f"none of the mapping's columns are in the file; the file has: {', '.join(headers[:12])}")


def _chunks(reader: Any, size: int) -> Iterator[list[tuple[int, list[str]]]]:
    chunk: list[tuple[int, list[str]]] = []
    for record in reader:
        chunk.append((reader.line_num, record))
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _count(summary: ImportSummary, result) -> None:
    summary.rows += 1
    setattr(summary, result.status, getattr(summary, result.status) + 1)
    summary.warnings += len(result.warnings)
    for name, message in result.errors.items():
        key = f"{name}: {message}"
        summary.reasons[key] = summary.reasons.get(key, 0) + 1


def open_csv(path: Path) -> IO[str]:
    """Open a CSV export as text, whatever its line endings; a BOM (Excel) is dropped."""
    return path.open(encoding="utf-8-sig", newline="")


__all__ = ["ColumnMapping", "ImportSummary", "MappingInvalid", "FieldErrors", "import_leads", "load_mapping",
           "open_csv", "preset"]
