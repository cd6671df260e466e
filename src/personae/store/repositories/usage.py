"""API usage: one row per LLM call, for `personae usage`, budgets and cost reports.

Implements the LLM layer's usage-sink protocol: `record(record)` and `query(player_id, since)`.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.sql.dml import Insert

from personae.domain.usage import Outcome, Purpose, UsageRecord
from personae.store.database import Database
from personae.store.driver import prepared
from personae.store.tables import api_usage

# Every column but the id, which the database numbers (rows come back in that order).
USAGE_COLUMNS = (
    "player_id",
    "conversation_id",
    "persona_id",
    "backend",
    "model",
    "purpose",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost_usd",
    "latency_s",
    "outcome",
    "created_at",
)


def _insert(dialect: str) -> Insert:
    return api_usage.insert().values({name: bindparam(name) for name in USAGE_COLUMNS})


class UsageRepository:
    def __init__(self, database: Database) -> None:
        self._db = database

    def record(self, record: UsageRecord) -> None:
        """Store one LLM call; committed before this returns."""
        self.record_many([record])

    def record_many(self, records: list[UsageRecord]) -> None:
        """Store several calls in one transaction. A simulation records every one of its
        thousands of calls a tick, so the rows go to the driver's executemany as tuples."""
        if not records:
            return
        insert = prepared("record usage", self._db.engine.dialect, api_usage, _insert)
        with self._db.driver_write() as cursor:
            insert.run_rows(cursor, USAGE_COLUMNS, [_values(record) for record in records])

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


def _values(record: UsageRecord) -> tuple[Any, ...]:
    """`record` as the values of `USAGE_COLUMNS`, in order."""
    return (
        record.player_id,
        record.conversation_id,
        record.persona_id,
        record.backend,
        record.model,
        record.purpose.value,
        record.prompt_tokens,
        record.completion_tokens,
        record.total_tokens,
        record.cost_usd,
        record.latency_s,
        record.outcome.value,
        record.created_at,
    )


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
