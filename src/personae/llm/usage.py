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
