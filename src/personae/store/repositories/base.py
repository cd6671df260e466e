"""What every repository holds: the database, the run it is scoped to, and a wall clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from personae.store.database import Database
from personae.store.sql import scope_key


@dataclass(frozen=True)
class Scope:
    """`run_id` None means rows outside any run (a chat, a one-off conversation). `clock` gives
    wall-clock POSIX seconds for `created_at`/`updated_at`."""

    database: Database
    run_id: str | None
    clock: Callable[[], float]

    @property
    def key(self) -> str:
        return scope_key(self.run_id)
