"""Small SQL helpers shared by the repositories.

Statements are built once per (dialect, table, key) and executed with parameters: SQLAlchemy
then reuses the compiled form, where building `.values(...)` anew costs more than the insert.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any

from sqlalchemy import Table, bindparam, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection, CursorResult
from sqlalchemy.sql.dml import Insert, Update

from personae.store.tables import NO_RUN


def scope_key(run_id: str | None) -> str:
    """The stored `run_id` of a run-scoped row: the run, or '' outside any run."""
    return NO_RUN if run_id is None else run_id


def dialect_insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    """An INSERT with the dialect's ON CONFLICT clauses (SQLite's or PostgreSQL's)."""
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@cache
def _upsert_statement(
    dialect: str, table: Table, keys: tuple[str, ...], columns: tuple[str, ...]
) -> Insert:
    statement = dialect_insert(dialect, table)
    updates = {name: statement.excluded[name] for name in columns if name not in keys}
    return statement.on_conflict_do_update(index_elements=list(keys), set_=updates)


@cache
def insert_or_ignore_statement(dialect: str, table: Table, keys: tuple[str, ...]) -> Insert:
    return (
        dialect_insert(dialect, table)
        .on_conflict_do_nothing(index_elements=list(keys))
        # RETURNING, not rowcount: psycopg reports no row count for this statement.
        .returning(table.c[keys[0]])
    )


@cache
def update_by_key(table: Table, names: tuple[str, ...], key: str) -> Update:
    """UPDATE of the columns `names` of the row whose `id` is the parameter `key`; every value
    is bound by its column's name, so the statement is built once and reused."""
    return (
        update(table)
        .where(table.c.id == bindparam(key))
        .values({name: bindparam(name) for name in names})
    )


def upsert(
    connection: Connection,
    table: Table,
    values: dict[str, Any],
    keys: Sequence[str],
) -> CursorResult[Any]:
    """Insert `values`, or update every non-key column of the row with the same `keys`."""
    statement = _upsert_statement(connection.dialect.name, table, tuple(keys), tuple(values))
    return connection.execute(statement, values)


def upsert_many(
    connection: Connection,
    table: Table,
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
) -> None:
    """`upsert` for many rows of the same columns in one executemany."""
    if rows:
        statement = _upsert_statement(connection.dialect.name, table, tuple(keys), tuple(rows[0]))
        connection.execute(statement, list(rows))
