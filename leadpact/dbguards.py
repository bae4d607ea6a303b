"""Database triggers that refuse changes to rows the product promises never change (history, signed pacts).

The same trigger is written for SQLite and PostgreSQL. Conditions are plain SQL over OLD and NEW that both
understand (no IS DISTINCT FROM: older SQLite lacks it); they may use subqueries."""

from __future__ import annotations

from django.db import migrations


def forbid_update(table: str, message: str, columns: tuple[str, ...] = (), when: str = "") -> migrations.RunPython:
    """A BEFORE UPDATE trigger that aborts with `message`. `columns` limits it to updates of those columns;
    `when` is an extra SQL condition over OLD and NEW."""
    return refuse("UPDATE", table, f"{table}_immutable", message, columns, when)


def forbid_delete(table: str, message: str) -> migrations.RunPython:
    """A BEFORE DELETE trigger: rows of `table` are never deleted (PostgreSQL's TRUNCATE is not a row delete)."""
    return refuse("DELETE", table, f"{table}_undeletable", message)


def refuse(event: str, table: str, name: str, message: str, columns: tuple[str, ...] = (),
           when: str = "") -> migrations.RunPython:
    """A migration operation adding the trigger `name`: BEFORE `event` (INSERT, UPDATE or DELETE) of a row of
    `table` (of `columns`, for an update), abort with `message` when the SQL condition `when` holds (always if
    empty)."""
    assert event in ("INSERT", "UPDATE", "DELETE") and "%" not in message + when  # % is a placeholder to drivers
    quoted = message.replace("'", "''")
    of = f" OF {', '.join(columns)}" if columns else ""

    def create(apps: object, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            raise_it = f"RAISE EXCEPTION '{quoted}';"
            body = f"IF {when} THEN {raise_it} END IF;" if when else raise_it
            schema_editor.execute(
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                f"BEGIN {body} RETURN {'OLD' if event == 'DELETE' else 'NEW'}; END $$;")
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE {event}{of} ON {table} FOR EACH ROW "
                                  f"EXECUTE FUNCTION {name}();")
        else:
            condition = f" WHEN ({when})" if when else ""
            schema_editor.execute(f"CREATE TRIGGER {name} BEFORE {event}{of} ON {table} FOR EACH ROW{condition} "
                                  f"BEGIN SELECT RAISE(ABORT, '{quoted}'); END;")

    def drop(apps: object, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        else:
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {name}")

    return migrations.RunPython(create, drop)


def changed(*columns: str) -> str:
    """SQL that holds when any of `columns` differs between OLD and NEW, a NULL on one side included."""
    return " OR ".join(f"(OLD.{c} <> NEW.{c} OR (OLD.{c} IS NULL) <> (NEW.{c} IS NULL))" for c in columns)
