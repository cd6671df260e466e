"""Relationships of one run (or outside any run), stored once per unordered pair."""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from sqlalchemy import ColumnElement, Double, bindparam, case, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.dml import Insert

from personae.domain.relationship import Relationship, Relationships, pair_key
from personae.store.driver import prepared
from personae.store.repositories.base import Scope
from personae.store.sql import dialect_insert, upsert
from personae.store.tables import relationships


def _clamp(affinity: float) -> float:
    return max(-100.0, min(100.0, affinity))


@cache
def _interaction_statement(dialect_name: str) -> Insert:
    """Insert a pair met for the first time, or add one interaction and the change (clamped)
    to a known pair's (built once per dialect)."""
    c = relationships.c
    statement = dialect_insert(dialect_name, relationships).values(
        run_id=bindparam("run_id"),
        a=bindparam("a"),
        b=bindparam("b"),
        affinity=bindparam("affinity"),
        interactions=bindparam("interactions"),
        updated_at=bindparam("updated_at"),
    )
    moved = c.affinity + bindparam("change", type_=Double())
    upsert: Insert = statement.on_conflict_do_update(
        index_elements=["run_id", "a", "b"],
        set_={
            "affinity": case((moved > 100.0, 100.0), (moved < -100.0, -100.0), else_=moved),
            "interactions": c.interactions + 1,
            "updated_at": statement.excluded.updated_at,
        },
    )
    return upsert


class RelationshipRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def save(self, relationship: Relationship) -> None:
        self.save_many([relationship])

    def save_many(self, many: Iterable[Relationship]) -> None:
        now = self._scope.clock()
        with self._scope.database.write() as connection:
            for relationship in many:
                a, b = relationship.key
                upsert(
                    connection,
                    relationships,
                    {
                        "run_id": self._scope.key,
                        "a": a,
                        "b": b,
                        "affinity": relationship.affinity,
                        "interactions": relationship.interactions,
                        "updated_at": now,
                    },
                    ["run_id", "a", "b"],
                )

    def record_interaction(self, a: str, b: str, affinity_change: float) -> None:
        """One more interaction of the pair, moving its affinity by `affinity_change` (kept
        within -100..100); a pair of strangers starts at 0. One statement, no read first."""
        first, second = pair_key(a, b)
        database = self._scope.database
        statement = prepared(
            "record interaction", database.engine.dialect, relationships, _interaction_statement
        )
        with database.driver_write() as cursor:
            statement.run(
                cursor,
                {
                    "run_id": self._scope.key,
                    "a": first,
                    "b": second,
                    "affinity": _clamp(affinity_change),
                    "change": affinity_change,
                    "interactions": 1,
                    "updated_at": self._scope.clock(),
                },
            )

    def get(self, a: str, b: str) -> Relationship | None:
        """The stored relationship of the pair, in either order; None for strangers."""
        first, second = pair_key(a, b)
        statement = select(relationships).where(
            relationships.c.run_id == self._scope.key,
            relationships.c.a == first,
            relationships.c.b == second,
        )
        with self._scope.database.read() as connection:
            row = connection.execute(statement).mappings().first()
        return None if row is None else _relationship(row)

    def of(self, persona_id: str) -> list[Relationship]:
        """Every stored relationship `persona_id` is part of."""
        return self._select(or_(relationships.c.a == persona_id, relationships.c.b == persona_id))

    def among(self, persona_ids: Iterable[str]) -> list[Relationship]:
        """The stored relationships between any two of `persona_ids`."""
        ids = sorted(set(persona_ids))
        return self._select(relationships.c.a.in_(ids) & relationships.c.b.in_(ids))

    def book(self, persona_ids: Iterable[str] | None = None) -> Relationships:
        """A `Relationships` lookup of this scope (all of it, or among `persona_ids`)."""
        found = self._select(None) if persona_ids is None else self.among(persona_ids)
        return Relationships(found)

    def _select(self, condition: ColumnElement[bool] | None) -> list[Relationship]:
        statement = (
            select(relationships)
            .where(relationships.c.run_id == self._scope.key)
            .order_by(relationships.c.a, relationships.c.b)
        )
        if condition is not None:
            statement = statement.where(condition)
        with self._scope.database.read() as connection:
            return [_relationship(row) for row in connection.execute(statement).mappings()]


def _relationship(row: RowMapping) -> Relationship:
    return Relationship(
        a=row["a"], b=row["b"], affinity=row["affinity"], interactions=row["interactions"]
    )
