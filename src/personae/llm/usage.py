"""Where usage rows go: the `UsageSink` protocol and an in-memory sink.

Every call through the LLM stack produces one `personae.domain.UsageRecord`; a sink keeps them.
`personae.store` implements the same protocol on SQLite/PostgreSQL (`store.usage`), so the stack
never knows where its rows end up.
"""

from __future__ import annotations

import threading
from typing import Protocol, runtime_checkable

from personae.domain import UsageRecord


@runtime_checkable
class UsageSink(Protocol):
    """Records usage rows and answers which rows a player caused since a moment.

    `since` is wall-clock POSIX seconds (compared with `UsageRecord.created_at`, inclusive);
    `None` for either filter means "all". Rows come back in the order they were recorded.
    """

    def record(self, record: UsageRecord) -> None: ...

    def query(
        self, player_id: str | None = None, since: float | None = None
    ) -> list[UsageRecord]: ...


class InMemoryUsageSink:
    """A `UsageSink` in a list: for tests, benchmarks and runs that need no history."""

    def __init__(self, records: list[UsageRecord] | None = None) -> None:
        self._records: list[UsageRecord] = list(records or [])
        # Calls may come from worker threads (the CLI, a thread pool); appends must not interleave.
        self._lock = threading.Lock()

    def record(self, record: UsageRecord) -> None:
        with self._lock:
            self._records.append(record)

    def query(self, player_id: str | None = None, since: float | None = None) -> list[UsageRecord]:
        with self._lock:
            return [
                r
                for r in self._records
                if (player_id is None or r.player_id == player_id)
                and (since is None or r.created_at >= since)
            ]

    def __len__(self) -> int:
        return len(self._records)


class BatchSink(Protocol):
    def record_many(self, records: list[UsageRecord]) -> None: ...

    def query(
        self, player_id: str | None = None, since: float | None = None
    ) -> list[UsageRecord]: ...


class BufferedUsageSink:
    """Writes usage rows in batches: one transaction per `batch` calls, or on `flush`.

    A simulation makes thousands of calls a minute; one commit each would cost more than the
    calls. Rows still buffered are in `query` results; a crash loses at most one batch of usage
    rows (never a turn: turns are committed on their own). Budgets are kept in memory by the
    LLM stack and do not wait for a flush.
    """

    def __init__(self, sink: BatchSink, batch: int = 200) -> None:
        self._sink = sink
        self._batch = batch
        self._pending: list[UsageRecord] = []
        self._lock = threading.Lock()

    def record(self, record: UsageRecord) -> None:
        with self._lock:
            self._pending.append(record)
            due = len(self._pending) >= self._batch
        if due:
            self.flush()

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        if pending:
            self._sink.record_many(pending)

    def query(self, player_id: str | None = None, since: float | None = None) -> list[UsageRecord]:
        self.flush()
        return self._sink.query(player_id, since)
