"""The `Store`: every repository on one database, opened (and migrated) by `open_store`."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType

from personae.store.database import BoundDatabase, Database, create_store_engine
from personae.store.location import Location, resolve_location
from personae.store.repositories.usage import UsageRepository
from personae.store.schema import SchemaState, prepare_schema


class Store:
    """Repositories over one database. Each repository call is its own short transaction;
    `transaction()` groups several into one.

    Thread-safe: one engine with a connection pool; use one `Store` per process.
    """

    def __init__(self, database: Database, opened_from: SchemaState | None = None) -> None:
        self.database = database
        self.opened_from = opened_from
        self.usage = UsageRepository(database)

    @property
    def location(self) -> Location:
        return self.database.location

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """A `Store` whose calls all join one write transaction, committed on leaving."""
        with self.database.write() as connection:
            yield Store(BoundDatabase(self.database, connection), self.opened_from)

    def close(self) -> None:
        self.database.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()


def open_store(url: str | None = None) -> Store:
    """Open the database `url` names (a SQLite path, `sqlite:///path` or `postgresql://...`),
    else `$PERSONAE_DB`, else `./personae.db`; create or upgrade its schema.

    Raises `StoreError` (never touching the data) for a corrupt or foreign database or one
    written by a newer personae.
    """
    location = resolve_location(url)
    database = Database(create_store_engine(location), location)
    try:
        found = prepare_schema(database)
    except BaseException:
        database.dispose()
        raise
    return Store(database, found)
