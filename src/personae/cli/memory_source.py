"""Where `personae memory` reads memories from: the store's memory repository, which implements
`personae.memory.repository.MemoryRepository` as it is."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from personae.errors import InputError
from personae.memory.repository import MemoryRepository
from personae.store import open_store, resolve_location


@contextmanager
def open_memories(db: str | None, run_id: str | None = None) -> Iterator[MemoryRepository]:
    """The memories in the store at `db` (default: $PERSONAE_DB, else ./personae.db), outside
    any run or inside run `run_id`. A SQLite file that does not exist is an error: reading must
    not create an empty database."""
    location = resolve_location(db)
    if location.sqlite_path is not None and not location.sqlite_path.exists():
        raise InputError(
            f"no database at {location.sqlite_path}: give --db PATH or set PERSONAE_DB to the "
            "database your conversations write to"
        )
    with open_store(db) as store:
        memories: MemoryRepository = store.for_run(run_id).memories
        yield memories
