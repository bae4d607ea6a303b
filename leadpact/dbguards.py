"""Database triggers that refuse changes to rows the product promises never change (history, signed pacts)."""

from __future__ import annotations

from django.db import migrations


def forbid_update(table: str, message: str, columns: tuple[str, ...] = (), when: str = "") -> migrations.RunPython:
    """A migration operation adding a BEFORE UPDATE trigger on SQLite and PostgreSQL that aborts with `message`.
    `columns` limits it to updates of those columns; `when` is an extra SQL condition over OLD and NEW."""
    name = f"{table}_immutable"
    of = f" OF {', '.join(columns)}" if columns else ""
    condition = f" WHEN ({when})" if when else ""

    def create(apps: object, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN RAISE EXCEPTION '{message}'; END $$;")
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE UPDATE{of} ON {table} FOR EACH ROW{condition} "
                                  f"EXECUTE FUNCTION {name}();")
        else:
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE UPDATE{of} ON {table} FOR EACH ROW{condition} "
                                  f"BEGIN SELECT RAISE(ABORT, '{message}'); END;")

    def drop(apps: object, schema_editor) -> None:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}" + (f" ON {table}" if schema_editor.connection.vendor
                                                                   == "postgresql" else ""))

    return migrations.RunPython(create, drop)
