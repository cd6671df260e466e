"""Interaction history of one run: one row per pair per finished conversation (seed 000)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, or_, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from personae.domain.relationship import pair_key
from personae.store.driver import prepared
from personae.store.errors import StoreError
from personae.store.records import InteractionRecord
from personae.store.repositories.base import Scope
from personae.store.tables import interaction_history


class HistoryRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def add(self, record: InteractionRecord) -> InteractionRecord:
        """Store `record` (its `created_at` set now when 0) and return it as stored."""
        if not record.created_at:
            record = record.model_copy(update={"created_at": self._scope.clock()})
        database = self._scope.database
        insert = prepared(
            "add interaction",
            database.engine.dialect,
            interaction_history,
            lambda dialect: interaction_history.insert(),
        )
        try:
            with database.driver_write() as cursor:
                insert.run(cursor, {"run_id": self._scope.key, **record.model_dump(mode="json")})
        except IntegrityError:
            raise StoreError(
                f"interaction {record.id!r} is already stored, or its conversation "
                f"{record.conversation_id!r} is not"
            ) from None
        return record

    def between(self, a: str, b: str, limit: int | None = None) -> list[InteractionRecord]:
        """The pair's past interactions, most recent first."""
        first, second = pair_key(a, b)
        c = interaction_history.c
        pair = or_(
            and_(c.persona1_id == first, c.persona2_id == second),
            and_(c.persona1_id == second, c.persona2_id == first),
        )
        return self._select(pair, limit)

    def of(self, persona_id: str, limit: int | None = None) -> list[InteractionRecord]:
        """Every past interaction `persona_id` took part in, most recent first."""
        c = interaction_history.c
        return self._select(or_(c.persona1_id == persona_id, c.persona2_id == persona_id), limit)

    def _select(self, condition: ColumnElement[bool], limit: int | None) -> list[InteractionRecord]:
        c = interaction_history.c
        statement = (
            select(interaction_history)
            .where(c.run_id == self._scope.key, condition)
            .order_by(c.world_time_s.desc(), c.created_at.desc(), c.id)
            .limit(limit)
        )
        with self._scope.database.read() as connection:
            return [_record(row) for row in connection.execute(statement).mappings()]


def _record(row: RowMapping) -> InteractionRecord:
    fields = {name: row[name] for name in InteractionRecord.model_fields}
    return InteractionRecord.model_validate(fields)
