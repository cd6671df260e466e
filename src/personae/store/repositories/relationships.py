"""Relationships of one run (or outside any run), stored once per unordered pair."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.engine import RowMapping

from personae.domain.relationship import Relationship, Relationships, pair_key
from personae.store.repositories.base import Scope
from personae.store.sql import upsert
from personae.store.tables import relationships


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
