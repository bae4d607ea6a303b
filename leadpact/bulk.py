"""Multi-row INSERT ... RETURNING for the intake's hot path, on SQLite and PostgreSQL.

Django's bulk_create spends most of its time preparing each value through the field machinery; intake writes
thousands of rows a second, so this module prepares a column adapter once per field and sends plain tuples.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache, lru_cache
from typing import Any

import orjson
from django.db import connection, models

Adapter = Callable[[Any], Any]


def _identity(value: Any) -> Any:
    return value


def _json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


@cache
def _plan(model: type[models.Model], names: tuple[str, ...], vendor: str) -> tuple[list[str], list[Adapter]]:
    """For each field name: its quoted column and an adapter that turns a Python value into a parameter."""
    ops = connection.ops
    columns, adapters = [], []
    for name in names:
        field = model._meta.get_field(name)
        columns.append(ops.quote_name(field.column))
        if isinstance(field, models.JSONField) and vendor == "sqlite" and field.encoder is None:
            adapters.append(_json_text)
        elif isinstance(field, models.JSONField):
            encoder = field.encoder
            adapters.append(lambda v, encoder=encoder: ops.adapt_json_value(v, encoder))
        elif isinstance(field, models.UUIDField):
            adapters.append(lambda v, field=field: field.get_db_prep_value(v, connection))
        elif isinstance(field, models.DateTimeField):
            adapters.append(lru_cache(maxsize=4096)(ops.adapt_datetimefield_value))  # a batch shares one `now`
        else:
            adapters.append(_identity)
    return columns, adapters


def insert_rows(model: type[models.Model], names: Sequence[str], rows: Sequence[Sequence[Any]],
                batch_size: int = 400) -> list[int]:
    """Insert `rows` (values in the order of `names`, foreign keys by id) and return their new ids, in order."""
    columns, adapters = _plan(model, tuple(names), connection.vendor)
    adapted = [i for i, adapt in enumerate(adapters) if adapt is not _identity]
    mark = "?" if connection.vendor == "sqlite" else "%s"
    holder = "(" + ", ".join([mark] * len(columns)) + ")"
    table = connection.ops.quote_name(model._meta.db_table)
    pk = connection.ops.quote_name(model._meta.pk.column)
    ids: list[int] = []
    connection.ensure_connection()
    cursor = connection.connection.cursor()  # the driver's cursor: Django's wrapper would rewrite each query
    try:
        for start in range(0, len(rows), batch_size):
            chunk = rows[start: start + batch_size]
            params: list[Any] = []
            for row in chunk:
                values = list(row)
                for i in adapted:
                    values[i] = adapters[i](values[i])
                params.extend(values)
            sql = (f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([holder] * len(chunk))} "
                   f"RETURNING {pk}")
            cursor.execute(sql, params)
            ids.extend(row[0] for row in cursor.fetchall())
    finally:
        cursor.close()
    return ids
