"""API usage: one row per LLM call, for `personae usage`, budgets and cost reports.

Implements the LLM layer's usage-sink protocol: `record(record)` and `query(player_id, since)`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.engine import RowMapping

from personae.domain.usage import Outcome, Purpose, UsageRecord
from personae.store.database import Database
from personae.store.tables import api_usage


class UsageRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, record: UsageRecord) -> None:
        """Store one LLM call; committed before this returns."""
        with self._db.write() as connection:
            connection.execute(api_usage.insert(), _row(record))

    def record_many(self, records: list[UsageRecord]) -> None:
        """Store several calls in one transaction."""
        if not records:
            return
        with self._db.write() as connection:
            connection.execute(api_usage.insert(), [_row(record) for record in records])

    def query(self, player_id: str | None = None, since: float | None = None) -> list[UsageRecord]:
        """Calls by `player_id` (everyone's when None) made at or after `since` (POSIX seconds,
        inclusive), in the order they were recorded."""
        statement = select(api_usage).order_by(api_usage.c.id)
        if player_id is not None:
            statement = statement.where(api_usage.c.player_id == player_id)
        if since is not None:
            statement = statement.where(api_usage.c.created_at >= since)
        with self._db.read() as connection:
            rows = connection.execute(statement).mappings().all()
        return [_record(row) for row in rows]


def _row(record: UsageRecord) -> dict[str, Any]:
    return {
        "player_id": record.player_id,
        "conversation_id": record.conversation_id,
        "persona_id": record.persona_id,
        "backend": record.backend,
        "model": record.model,
        "purpose": record.purpose.value,
        "prompt_tokens": record.prompt_tokens,
        "completion_tokens": record.completion_tokens,
        "total_tokens": record.total_tokens,
        "cost_usd": record.cost_usd,
        "latency_s": record.latency_s,
        "outcome": record.outcome.value,
        "created_at": record.created_at,
    }


def _record(row: RowMapping) -> UsageRecord:
    return UsageRecord(
        player_id=row["player_id"],
        conversation_id=row["conversation_id"],
        persona_id=row["persona_id"],
        backend=row["backend"],
        model=row["model"],
        purpose=Purpose(row["purpose"]),
        prompt_tokens=row["prompt_tokens"],
        completion_tokens=row["completion_tokens"],
        cost_usd=row["cost_usd"],
        latency_s=row["latency_s"],
        outcome=Outcome(row["outcome"]),
        created_at=row["created_at"],
    )
