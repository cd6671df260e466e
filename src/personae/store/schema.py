"""Bringing a database to the schema this code knows, or refusing to touch it.

On open: a SQLite file must start with SQLite's magic header; a database that has tables but no
personae version table belongs to someone else; a version this code does not know was written by
a newer personae. All three are refused before anything is written. An empty database gets the
whole schema; an older personae database is upgraded by Alembic in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError

from personae.store.database import WRITE_OPTION, Database, first_line, unreadable
from personae.store.errors import SchemaTooNewError, StoreError, UnusableDatabaseError
from personae.store.location import Location

# Its own name, so a database managed by another program's Alembic is not taken for ours.
VERSION_TABLE = "personae_schema_version"
SCRIPT_LOCATION = "personae.store:migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
# Serialises concurrent migrators on one PostgreSQL database (an arbitrary, fixed 64-bit key).
POSTGRES_MIGRATION_LOCK = 0x7065_7273_6F6E_6165  # "personae"


class SchemaStatus(StrEnum):
    EMPTY = "empty"
    CURRENT = "current"
    OUTDATED = "outdated"


@dataclass(frozen=True)
class SchemaState:
    status: SchemaStatus
    revision: str | None
    head: str


def alembic_config(
    connection: Connection | None = None, script_location: str = SCRIPT_LOCATION
) -> Config:
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = connection
    return config


@cache
def _scripts(script_location: str) -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(script_location=script_location))


def head_revision(script_location: str = SCRIPT_LOCATION) -> str:
    head = _scripts(script_location).get_current_head()
    if head is None:  # pragma: no cover - the package always ships its first migration
        raise RuntimeError("personae ships no migrations")
    return head


def known_revisions(script_location: str = SCRIPT_LOCATION) -> frozenset[str]:
    return frozenset(script.revision for script in _scripts(script_location).walk_revisions())


def check_sqlite_file(location: Location) -> None:
    """Refuse a file that is not a SQLite database, without opening it through SQLite."""
    path = location.sqlite_path
    if path is None or not path.exists():
        if path is not None and not path.parent.is_dir():
            raise StoreError(
                f"cannot create the database {path}: the directory {path.parent} does not exist"
            )
        return
    if not path.is_file():
        raise UnusableDatabaseError(f"{path} is not a regular file; give a database file path")
    with path.open("rb") as file:
        header = file.read(len(SQLITE_MAGIC))
    if header and header != SQLITE_MAGIC:
        raise UnusableDatabaseError(
            f"{path} is not a SQLite database (it does not start with SQLite's header); "
            "personae left it untouched: give another --db path or move the file away"
        )


def read_schema_state(
    connection: Connection, location: Location, script_location: str = SCRIPT_LOCATION
) -> SchemaState:
    """Classify the database behind `connection`; raise if personae must not touch it."""
    head = head_revision(script_location)
    try:
        tables = set(inspect(connection).get_table_names())
        revisions: list[str] = []
        if VERSION_TABLE in tables:
            revisions = list(
                connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).scalars()
            )
    except DBAPIError as error:
        raise unreadable(location, first_line(error.orig)) from None
    if VERSION_TABLE not in tables:
        if tables:
            shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
            raise UnusableDatabaseError(
                f"{location.describe()} holds tables of another program ({shown}) and no personae "
                "schema; personae left it untouched: give a new file or an empty database"
            )
        return SchemaState(SchemaStatus.EMPTY, None, head)
    if len(revisions) != 1:
        raise UnusableDatabaseError(
            f"{location.describe()}: the table {VERSION_TABLE} should hold one revision, it holds "
            f"{len(revisions)}; personae left the database untouched"
        )
    revision = revisions[0]
    if revision not in known_revisions(script_location):
        raise SchemaTooNewError(
            f"{location.describe()} has schema revision {revision!r}, which this personae does not "
            f"know (it knows up to {head!r}): a newer personae wrote it. Upgrade personae; the "
            "database was left untouched"
        )
    status = SchemaStatus.CURRENT if revision == head else SchemaStatus.OUTDATED
    return SchemaState(status, revision, head)


def prepare_schema(database: Database, script_location: str = SCRIPT_LOCATION) -> SchemaState:
    """Check the database and bring it to the head revision. Returns the state found on arrival.

    `script_location` is where the migrations are: personae's own, except in tests of migrating.
    """
    location = database.location
    if location.sqlite_path is not None:
        check_sqlite_file(location)
    with database.read() as connection:
        found = read_schema_state(connection, location, script_location)
    if location.sqlite_path is not None:
        _use_wal(database)
    if found.status is SchemaStatus.CURRENT:
        return found
    _migrate(database, script_location)
    return found


def _migrate(database: Database, script_location: str) -> None:
    """Upgrade to head in one write transaction.

    On SQLite, foreign keys are off while migrating (checked before commit instead): SQLite alters
    a table by copying and dropping it, and dropping a table with foreign keys on would cascade
    the delete to every row that refers to it.
    """
    location = database.location
    with database.engine.connect() as connection:
        sqlite = connection.dialect.name == "sqlite"
        driver = connection.connection.dbapi_connection
        if sqlite:
            driver.execute("PRAGMA foreign_keys = OFF")  # type: ignore[union-attr]
        try:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                if not sqlite:
                    connection.execute(
                        text("SELECT pg_advisory_xact_lock(:key)"),
                        {"key": POSTGRES_MIGRATION_LOCK},
                    )
                # Checked again under the write lock: another process may have migrated meanwhile.
                state = read_schema_state(connection, location, script_location)
                if state.status is SchemaStatus.CURRENT:
                    return
                command.upgrade(alembic_config(connection, script_location), "head")
                if sqlite and connection.exec_driver_sql("PRAGMA foreign_key_check").first():
                    raise StoreError(
                        f"migrating {location.describe()} would break references between rows; "
                        "nothing was changed. Please report this with `personae db info`"
                    )
        finally:
            if sqlite:
                driver.execute("PRAGMA foreign_keys = ON")  # type: ignore[union-attr]


def _use_wal(database: Database) -> None:
    # journal_mode cannot change inside a transaction, so this bypasses the BEGIN hook.
    raw = database.engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("PRAGMA journal_mode = WAL")
        cursor.close()
    finally:
        raw.close()
