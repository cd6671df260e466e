"""One engine per store and short transactions on it.

SQLite: WAL (readers never block the writer), foreign keys on, a 30 s busy timeout, and every
write transaction opened with `BEGIN IMMEDIATE` so two writers queue for the lock up front instead
of failing when a reader upgrades (SQLite does not retry that case, whatever the busy timeout).
`synchronous=NORMAL` in WAL mode keeps every committed transaction across a process crash
(SIGKILL); only a power loss or OS crash can lose the last commits. Checkpoints run in a
background thread, never inside a commit (see `checkpoints`).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType
from typing import Any, NoReturn

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.pool import PoolProxiedConnection, StaticPool

from personae.store import json_codec
from personae.store.checkpoints import WalCheckpointer
from personae.store.driver import DriverCursor
from personae.store.errors import StoreError, UnusableDatabaseError
from personae.store.location import Location

BUSY_TIMEOUT_S = 30.0
# What SQLite says about a file that is damaged or not a database at all.
_CORRUPTION_SIGNS = ("file is not a database", "database disk image is malformed")
# The execution option that makes a SQLite transaction start with BEGIN IMMEDIATE.
WRITE_OPTION = "personae_write"


def create_store_engine(location: Location) -> Engine:
    """An engine for `location`; the SQLite pragmas are set on every new connection."""
    codec = {"json_serializer": json_codec.dumps, "json_deserializer": json_codec.loads}
    if not location.is_sqlite:
        return create_engine(location.url, pool_pre_ping=True, **codec)
    if location.is_memory:
        engine = create_engine(
            location.url,
            poolclass=StaticPool,
            connect_args={"check_same_thread": False},
            **codec,
        )
    else:
        engine = create_engine(location.url, connect_args={"timeout": BUSY_TIMEOUT_S}, **codec)
    event.listen(engine, "connect", _configure_sqlite_connection)
    event.listen(engine, "begin", _begin_sqlite_transaction)
    return engine


def _configure_sqlite_connection(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy emit BEGIN itself (see _begin_sqlite_transaction): the sqlite3 module's own
    # transaction handling skips BEGIN before DDL and SELECT, which breaks transactional migrations.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_S * 1000)}")
    cursor.execute("PRAGMA synchronous = NORMAL")
    cursor.execute("PRAGMA wal_autocheckpoint = 0")  # see Database.start_checkpoints
    cursor.close()


def _begin_sqlite_transaction(connection: Connection) -> None:
    write = connection.get_execution_options().get(WRITE_OPTION, False)
    # Straight to the driver: this runs before every transaction, so it skips SQLAlchemy's
    # statement machinery (the documented recipe's exec_driver_sql does the same, slower).
    connection.connection.dbapi_connection.execute(  # type: ignore[union-attr]
        "BEGIN IMMEDIATE" if write else "BEGIN"
    )


class Database:
    """Opens short transactions on one engine. `bound` shares one open transaction instead, so
    several repository calls commit together."""

    def __init__(self, engine: Engine, location: Location) -> None:
        self.engine = engine
        self.location = location
        self.checkpointer: WalCheckpointer | None = None
        is_file = location.is_sqlite and not location.is_memory
        self._pins: PinnedConnections | None = PinnedConnections(engine) if is_file else None

    def start_checkpoints(self) -> None:
        """Checkpoint a SQLite file's WAL in the background from now on (see `checkpoints`);
        until then, and without it, SQLite checkpoints when the last connection closes."""
        if self.location.is_sqlite and not self.location.is_memory and not self.checkpointer:
            self.checkpointer = WalCheckpointer(self.engine)
            self.checkpointer.start()

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def write(self) -> Iterator[Connection]:
        """A transaction that will write; committed on leaving, rolled back on an exception."""
        with self._translated(), self.engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                yield connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only transaction: one consistent snapshot for everything read inside it."""
        with self._translated(), self.engine.connect() as connection, connection.begin():
            yield connection

    def driver_write(self) -> AbstractContextManager[DriverCursor]:
        """`write` on the driver's own connection and cursor, for `driver.DriverStatement`s on
        the per-turn hot path: committed on leaving, rolled back on an exception; driver
        errors come out as SQLAlchemy's (`IntegrityError`) or as `StoreError`s, like `write`.

        On a SQLite file each thread keeps one connection and cursor checked out for this path
        (a pool checkout and check-in cost as much as the insert); elsewhere the connection
        comes from the pool."""
        return _DriverTransaction(self, *self._driver_connection())

    def driver_read(self) -> AbstractContextManager[DriverCursor]:
        """A cursor on the driver's own connection for `DriverStatement.fetch`: the reads on
        the per-line path, without SQLAlchemy's connection and result machinery. Each SELECT
        sees the database as committed when it runs (on SQLite the pinned connection is in
        autocommit mode, so a lone SELECT is its own read transaction); inside
        `Store.transaction` or `driver_transaction` it runs in the open transaction and sees
        its writes. Driver errors come out as `StoreError`s, as from `read`."""
        return _DriverRead(self, *self._driver_connection())

    def _driver_connection(self) -> tuple[_Pin, bool]:
        """This thread's pinned connection on a SQLite file, else one from the pool; and
        whether it is pooled (to go back when used)."""
        try:
            if self._pins is not None:
                return self._pins.connection(), False
            return _Pin(self.engine.raw_connection()), True
        except Exception as error:  # no connection: a server down, a file unreadable
            self.translate(error)
            raise

    def driver_update_every(self, rows: int, update: Callable[[DriverCursor], int]) -> bool:
        """`update(cursor)` (an UPDATE by key, run once for each of `rows` rows, giving the
        rows it changed: `DriverStatement.run_many` or `run_rows`) in one driver transaction
        that is kept only if every row matched a stored row. False, with nothing written, when
        one did not (the caller says which, in its own words). Inside `Store.transaction` or
        `driver_transaction` the open transaction decides; the caller's error undoes it."""
        try:
            with self.driver_write() as cursor:
                # SQLite's and psycopg's executemany report the total rows changed.
                if update(cursor) != rows:
                    raise _Incomplete  # leaving by an exception rolls the transaction back
        except _Incomplete:
            return False
        return True

    @contextmanager
    def _translated(self) -> Iterator[None]:
        try:
            yield
        except Exception as error:
            self.translate(error)
            raise

    def translate(self, error: Exception) -> None:
        """Raise `error` in the store's terms: a SQLAlchemy `IntegrityError` for a broken
        constraint (the repositories word it), a `StoreError` for any other database error;
        return for an error that is not the database's."""
        driver = self.engine.dialect.loaded_dbapi
        if isinstance(error, IntegrityError):
            raise error  # the repositories turn these into messages about the data
        if isinstance(error, DBAPIError):
            self._raise_store_error(error.orig, error)
        if isinstance(error, driver.IntegrityError):  # from `driver_write`
            raise IntegrityError(None, None, error) from error
        if isinstance(error, driver.Error):
            self._raise_store_error(error, error)

    def _raise_store_error(self, reason_from: BaseException | None, cause: Exception) -> NoReturn:
        reason = first_line(reason_from)
        if any(sign in reason for sign in _CORRUPTION_SIGNS):
            raise unreadable(self.location, reason) from None
        raise StoreError(f"database {self.location.describe()}: {reason}") from cause

    def _view_of(self, parent: Database) -> None:
        """Set up a view of `parent` inside one of its transactions: its engine and background
        checkpointer serve the view; it pins no connections of its own."""
        self.engine = parent.engine
        self.location = parent.location
        self.checkpointer = parent.checkpointer
        self._pins = None

    def dispose(self) -> None:
        if self.checkpointer is not None:
            self.checkpointer.stop()
        if self._pins is not None:
            self._pins.release()
        self.engine.dispose()


class _Incomplete(Exception):
    """Undoes a `driver_update_every` whose rows did not all match; never leaves it."""


class BoundDatabase(Database):
    """A `Database` whose reads and writes all join one already open transaction."""

    def __init__(self, parent: Database, connection: Connection) -> None:
        self._view_of(parent)
        self._connection = connection

    @contextmanager
    def write(self) -> Iterator[Connection]:
        yield self._connection

    @contextmanager
    def read(self) -> Iterator[Connection]:
        yield self._connection

    @contextmanager
    def driver_write(self) -> Iterator[DriverCursor]:
        """The open transaction's own driver cursor (committed with the transaction)."""
        with self._translated():
            dbapi = self._connection.connection.dbapi_connection
            cursor = dbapi.cursor()  # type: ignore[union-attr]
            try:
                yield cursor
            finally:
                cursor.close()

    def driver_read(self) -> AbstractContextManager[DriverCursor]:
        """Reads join the open transaction too, and see what it wrote."""
        return self.driver_write()


class DriverBoundDatabase(Database):
    """A `Database` whose driver writes all join one open driver transaction (see
    `Store.driver_transaction`). SQLAlchemy writes are refused; reads go to the parent, outside
    the transaction."""

    def __init__(self, parent: Database, cursor: DriverCursor) -> None:
        self._view_of(parent)
        self._parent = parent
        self._cursor = cursor

    @contextmanager
    def driver_write(self) -> Iterator[DriverCursor]:
        """The open transaction's cursor; driver errors come out translated, as in `write`."""
        with self._translated():
            yield self._cursor

    def driver_read(self) -> AbstractContextManager[DriverCursor]:
        """Driver reads run in the open transaction and see its writes."""
        return self.driver_write()

    @contextmanager
    def write(self) -> Iterator[Connection]:
        raise TypeError(
            "a driver transaction takes only driver-path writes; use Store.transaction()"
        )
        yield  # pragma: no cover - makes this a generator

    @contextmanager
    def read(self) -> Iterator[Connection]:
        with self._parent.read() as connection:
            yield connection


class _Pin:
    """A pooled connection and one cursor on its driver connection, reused write after write."""

    __slots__ = ("cursor", "driver", "pooled")

    def __init__(self, pooled: PoolProxiedConnection) -> None:
        driver: Any = pooled.dbapi_connection
        self.pooled = pooled
        self.driver = driver
        self.cursor: DriverCursor = driver.cursor()


class _DriverUse:
    """One use of a driver connection: classes rather than generators, since they run once or
    more per spoken line. A pooled connection goes back to the pool when the use ends."""

    __slots__ = ("database", "pin", "pooled")

    def __init__(self, database: Database, pin: _Pin, pooled: bool) -> None:
        self.database = database
        self.pin = pin
        self.pooled = pooled

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        try:
            self._end(error)
        finally:
            self._release()

    def _end(self, error: BaseException | None) -> None:
        """End the use: `error` is what the block raised, if anything."""
        raise NotImplementedError

    def _release(self) -> None:
        if self.pooled:
            self.pin.cursor.close()
            self.pin.pooled.close()  # back to the pool


class _DriverTransaction(_DriverUse):
    """The context manager `Database.driver_write` returns."""

    __slots__ = ()

    def __enter__(self) -> DriverCursor:
        try:
            if self.database.location.is_sqlite:
                self.pin.cursor.execute("BEGIN IMMEDIATE")
        except Exception as error:
            self._release()
            self.database.translate(error)
            raise
        return self.pin.cursor

    def _end(self, error: BaseException | None) -> None:
        if error is None:
            try:
                self.pin.driver.commit()
            except Exception as failed:
                self.pin.driver.rollback()
                self.database.translate(failed)
                raise
        else:
            self.pin.driver.rollback()
            if isinstance(error, Exception):
                self.database.translate(error)


class _DriverRead(_DriverUse):
    """The context manager `Database.driver_read` returns: no BEGIN, no COMMIT (SQLite's pinned
    connection reads in autocommit mode); a pooled connection's implicit transaction ends when
    it goes back to the pool."""

    __slots__ = ()

    def __enter__(self) -> DriverCursor:
        return self.pin.cursor

    def _end(self, error: BaseException | None) -> None:
        if self.pooled:
            self.pin.driver.rollback()  # ends the read; nothing was written
        if isinstance(error, Exception):
            self.database.translate(error)


class PinnedConnections:
    """One pooled connection per thread (and process), kept checked out until `release`."""

    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._local = threading.local()
        self._lock = threading.Lock()
        self._all: list[_Pin] = []

    def connection(self) -> _Pin:
        local = self._local
        if getattr(local, "pid", None) != os.getpid():  # this thread's first use, or a fork's
            local.pin = _Pin(self._engine.raw_connection())
            local.pid = os.getpid()
            with self._lock:
                self._all.append(local.pin)
        pin: _Pin = local.pin
        return pin

    def release(self) -> None:
        """Return every pinned connection to the pool (the store is closing)."""
        with self._lock:
            pinned, self._all = self._all, []
            self._local = threading.local()
        for pin in pinned:
            pin.cursor.close()
            pin.pooled.close()


def unreadable(location: Location, reason: str) -> UnusableDatabaseError:
    return UnusableDatabaseError(
        f"{location.describe()} cannot be read as a database ({reason}); it may be corrupt. "
        "personae left it untouched: restore a backup or give another --db path"
    )


def first_line(error: BaseException | None) -> str:
    text = str(error) if error is not None else "unknown error"
    return text.strip().splitlines()[0] if text.strip() else type(error).__name__
