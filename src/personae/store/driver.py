"""Statements compiled once and run straight on the DB-API connection: the per-turn hot path.

A conversation commits every line the moment it is spoken. Through SQLAlchemy Core that costs
~0.1 ms a line (pool checkout, events, cache-key generation, result processing) against ~0.025 ms
for the same INSERT and COMMIT on the driver, and the engine's whole budget is 0.3 ms a line. So
the statements run once or more per line (append a turn, save a conversation's progress) or at
every conversation's opening and end (its record, states, relationships, cooldowns, history)
are built with SQLAlchemy as usual, compiled once per dialect into the driver's SQL, and executed
on the driver's cursor. The reads a line or an opening makes (a persona's memories when it first
speaks, the memories a recall found) take the same path: a SELECT costs ~0.1 ms through
SQLAlchemy and ~0.005 ms on the driver. Everything else stays on SQLAlchemy.

The driver gets exactly what SQLAlchemy would have sent: JSON columns are serialised with the
engine's own serialiser (`json_codec.dumps`), other values pass unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from operator import itemgetter
from typing import Any, Protocol

from sqlalchemy import JSON, Table
from sqlalchemy.engine import Dialect
from sqlalchemy.sql.compiler import SQLCompiler
from sqlalchemy.sql.expression import ClauseElement

from personae.store.json_codec import dumps


class DriverCursor(Protocol):
    """The part of a DB-API cursor the hot path uses."""

    def execute(self, operation: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, operation: str, seq_of_parameters: Any, /) -> Any: ...

    def fetchone(self) -> Any: ...

    def fetchall(self) -> Any: ...

    def close(self) -> None: ...

    @property
    def rowcount(self) -> int: ...


@dataclass(frozen=True)
class DriverStatement:
    """One statement in the driver's own SQL and parameter style."""

    sql: str
    positional: tuple[str, ...] | None
    """The bind names in order for a positional parameter style (SQLite's `?`), else None."""
    json_names: frozenset[str]
    fixed: Mapping[str, Any]
    """The statement's own values (the literals of an expression such as `interactions + 1`,
    which SQLAlchemy binds as parameters), sent with every execution."""

    @classmethod
    def compile(cls, statement: ClauseElement, dialect: Dialect, table: Table) -> DriverStatement:
        compiled = statement.compile(dialect=dialect)
        assert isinstance(compiled, SQLCompiler)
        positional = tuple(compiled.positiontup or ()) if compiled.positional else None
        json_names = frozenset(c.key for c in table.columns if isinstance(c.type, JSON))
        fixed = {
            name: bind.effective_value
            for bind, name in compiled.bind_names.items()
            if not bind.required
        }
        return cls(str(compiled), positional, json_names, fixed)

    def parameters(self, values: Mapping[str, Any]) -> tuple[Any, ...] | dict[str, Any]:
        json_names = self.json_names
        if self.positional is None:
            bound = {
                name: dumps(value) if name in json_names and value is not None else value
                for name, value in values.items()
            }
            return {**self.fixed, **bound} if self.fixed else bound
        if self.fixed:
            values = {**self.fixed, **values}
        return tuple(
            dumps(value) if name in json_names and value is not None else value
            for name in self.positional
            for value in (values[name],)
        )

    def run(self, cursor: DriverCursor, values: Mapping[str, Any]) -> Any:
        """Execute with `values` (one per bind name); returns the cursor for RETURNING rows."""
        cursor.execute(self.sql, self.parameters(values))
        return cursor

    def run_many(self, cursor: DriverCursor, rows: Sequence[Mapping[str, Any]]) -> int:
        """Execute once per row (the driver's executemany); the rows changed in all."""
        cursor.executemany(self.sql, [self.parameters(values) for values in rows])
        return int(cursor.rowcount)

    def bind_rows(
        self, names: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> Sequence[Sequence[Any]] | list[dict[str, Any]]:
        """The driver's parameters for rows given as values in `names` order: no dict per row.

        For bulk writes (usage rows in batches, thousands of persona states at once), where
        building a mapping for each row and reading it back cost more than the statement.
        Values pass as they are: `names` may not include a JSON column.
        """
        if self.json_names.intersection(names):
            raise ValueError(f"JSON columns need bound mappings: {sorted(self.json_names)}")
        fixed = tuple(self.fixed.values())
        every = (*self.fixed, *names)
        if self.positional is None:
            return [dict(zip(every, (*fixed, *row), strict=True)) for row in rows]
        order = [every.index(name) for name in self.positional]
        if not fixed and order == list(range(len(names))):
            return list(rows)
        if len(order) == 1:
            return [((*fixed, *row)[order[0]],) for row in rows]
        pick = itemgetter(*order)
        return [pick((*fixed, *row)) for row in rows]

    def run_rows(
        self, cursor: DriverCursor, names: Sequence[str], rows: Iterable[Sequence[Any]]
    ) -> int:
        """`run_many` for rows of values in `names` order (see `bind_rows`)."""
        cursor.executemany(self.sql, self.bind_rows(names, rows))
        return int(cursor.rowcount)

    def fetch(self, cursor: DriverCursor, values: Mapping[str, Any]) -> list[tuple[Any, ...]]:
        """Run a SELECT with `values` and every row it gives, as the driver's tuples (in the
        order of the statement's columns). Every row is read: a SQLite statement left open
        would hold its read snapshot."""
        cursor.execute(self.sql, self.parameters(values))
        return list(cursor.fetchall())


_compiled: dict[tuple[str, str, str], DriverStatement] = {}


def prepared(
    name: str, dialect: Dialect, table: Table, build: Callable[[str], ClauseElement]
) -> DriverStatement:
    """The statement `name`, built by `build(dialect name)` and compiled once per dialect and
    parameter style."""
    key = (name, dialect.name, dialect.paramstyle)
    statement = _compiled.get(key)
    if statement is None:
        statement = _compiled[key] = DriverStatement.compile(build(dialect.name), dialect, table)
    return statement
