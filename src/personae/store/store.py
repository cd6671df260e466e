"""The `Store`: every repository on one database, opened (and migrated) by `open_store`."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType

from sqlalchemy.engine import Connection

from personae.store.database import (
    BoundDatabase,
    Database,
    DriverBoundDatabase,
    create_store_engine,
)
from personae.store.location import Location, resolve_location
from personae.store.records import ResumePoint
from personae.store.repositories.base import Scope
from personae.store.repositories.conversations import ConversationRepository
from personae.store.repositories.cooldowns import CooldownRepository
from personae.store.repositories.history import HistoryRepository
from personae.store.repositories.memories import MemoryRepository
from personae.store.repositories.personas import PersonaRepository
from personae.store.repositories.relationships import RelationshipRepository
from personae.store.repositories.runs import RunRepository
from personae.store.repositories.turns import TurnRepository
from personae.store.repositories.usage import UsageRepository
from personae.store.repositories.world import WorldRepository
from personae.store.schema import SchemaState, prepare_schema


class Store:
    """Repositories over one database. Each repository call is its own short transaction;
    `transaction()` groups several into one.

    Persona-scoped repositories (personas, relationships, cooldowns, history, memories) work on
    the rows outside any run; `for_run(run_id)` gives the same repositories scoped to a run.
    Conversations, turns, runs and usage are not scoped: conversations carry their `run_id`.

    Thread-safe: one engine with a connection pool; use one `Store` per process.
    """

    def __init__(
        self,
        database: Database,
        run_id: str | None = None,
        clock: Callable[[], float] = time.time,
        opened_from: SchemaState | None = None,
    ) -> None:
        self.database = database
        self.run_id = run_id
        self.opened_from = opened_from
        self._clock = clock
        scope = Scope(database, run_id, clock)
        self.personas = PersonaRepository(scope)
        self.relationships = RelationshipRepository(scope)
        self.cooldowns = CooldownRepository(scope)
        self.history = HistoryRepository(scope)
        self.memories = MemoryRepository(scope)
        self.runs = RunRepository(scope)
        self.conversations = ConversationRepository(scope)
        self.turns = TurnRepository(scope)
        self.usage = UsageRepository(database)
        self.world = WorldRepository(scope)

    @property
    def location(self) -> Location:
        return self.database.location

    def for_run(self, run_id: str | None) -> Store:
        """The same database with persona-scoped repositories working inside run `run_id`
        (None: outside any run)."""
        return Store(self.database, run_id, self._clock, self.opened_from)

    @contextmanager
    def transaction(self) -> Iterator[Store]:
        """A `Store` whose calls all join one write transaction, committed on leaving (rolled
        back if the block raises). Keep it short: on SQLite it holds the write lock. After a
        `StoreError` inside it, let the block fail: PostgreSQL refuses further statements in a
        transaction that had an error."""
        with self.database.write() as connection:
            yield self._bound(connection)

    @contextmanager
    def driver_transaction(self) -> Iterator[Store]:
        """`transaction` on the driver's own connection, for calls that all take the driver path
        (`store/driver.py`): what a conversation writes as it opens and ends, without
        SQLAlchemy's transaction machinery. A call inside that would write through SQLAlchemy
        raises `TypeError`; reads see the database as committed, not this transaction."""
        with self.database.driver_write() as cursor:
            yield Store(
                DriverBoundDatabase(self.database, cursor),
                self.run_id,
                self._clock,
                self.opened_from,
            )

    @contextmanager
    def _snapshot(self) -> Iterator[Store]:
        """A `Store` whose reads all see one consistent state of the database."""
        with self.database.read() as connection:
            yield self._bound(connection)

    def _bound(self, connection: Connection) -> Store:
        return Store(
            BoundDatabase(self.database, connection), self.run_id, self._clock, self.opened_from
        )

    def resume(self, conversation_id: str) -> ResumePoint:
        """What a crashed conversation needs to go on: its record, its committed turns, and its
        participants' stored state and relationships (read in the conversation's run)."""
        with self._snapshot() as snapshot:
            record = snapshot.conversations.require(conversation_id)
            scoped = snapshot.for_run(record.run_id)
            return ResumePoint(
                conversation=record,
                turns=snapshot.turns.list(conversation_id),
                personas=scoped.personas.get_many(record.participants),
                relationships=scoped.relationships.among(record.participants),
            )

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


def open_store(url: str | None = None, clock: Callable[[], float] = time.time) -> Store:
    """Open the database `url` names (a SQLite path, `sqlite:///path` or `postgresql://...`),
    else `$PERSONAE_DB`, else `./personae.db`; create or upgrade its schema.

    Raises `StoreError` (never touching the data) for a corrupt or foreign database or one
    written by a newer personae. `clock` gives the wall-clock times stored in `created_at`.
    """
    location = resolve_location(url)
    database = Database(create_store_engine(location), location)
    try:
        found = prepare_schema(database)
    except BaseException:
        database.dispose()
        raise
    database.start_checkpoints()
    return Store(database, clock=clock, opened_from=found)
