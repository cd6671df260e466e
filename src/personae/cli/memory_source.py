"""Where `personae memory` reads memories from.

The commands only need a `MemoryRepository`; the store provides one over its database. Until the
store is wired in here, the commands explain that they need it.
"""

from __future__ import annotations

from personae.errors import InputError
from personae.memory.repository import MemoryRepository


def open_memories(db: str | None) -> MemoryRepository:
    """The memories of the store at `db` (a path or database URL; None: the default store)."""
    raise InputError(
        "`personae memory` reads memories from the store, which this build does not include "
        f"yet (--db {db or '<default>'}); run conversations with storage enabled first"
    )
