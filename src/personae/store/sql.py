"""Small SQL helpers shared by the repositories."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult

from personae.store.tables import NO_RUN


def scope_key(run_id: str | None) -> str:
    """The stored `run_id` of a run-scoped row: the run, or '' outside any run."""
    return NO_RUN if run_id is None else run_id


def upsert(
    connection: Connection,
    table: Table,
    values: dict[str, Any],
    keys: Sequence[str],
) -> CursorResult[Any]:
    """Insert `values`, or update every non-key column of the row with the same `keys`."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = insert(table).values(values)
    updates = {name: statement.excluded[name] for name in values if name not in keys}
    return connection.execute(statement.on_conflict_do_update(index_elements=keys, set_=updates))


def insert_or_ignore(
    connection: Connection, table: Table, values: dict[str, Any], keys: Sequence[str]
) -> bool:
    """Insert `values` unless a row with the same `keys` exists; True when inserted."""
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    statement = (
        insert(table)
        .values(values)
        .on_conflict_do_nothing(index_elements=keys)
        # RETURNING, not rowcount: psycopg reports no row count for this statement.
        .returning(table.c[keys[0]])
    )
    return connection.execute(statement).first() is not None
