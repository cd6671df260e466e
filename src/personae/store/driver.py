"""Statements compiled once and run straight on the DB-API connection: the per-turn hot path.

A conversation commits every line the moment it is spoken. Through SQLAlchemy Core that costs
~0.1 ms a line (pool checkout, events, cache-key generation, result processing) against ~0.025 ms
for the same INSERT and COMMIT on the driver, and the engine's whole budget is 0.3 ms a line. So
the statements run once or more per line (append a turn, save a conversation's progress) or at
every conversation's opening and end (its record, states, relationships, cooldowns, history)
are built with SQLAlchemy as usual, compiled once per dialect into the driver's SQL, and executed
on the driver's cursor. Everything else (and every read) stays on SQLAlchemy.

The driver gets exactly what SQLAlchemy would have sent: JSON columns are serialised with the
engine's own serialiser (`json_codec.dumps`), other values pass unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
