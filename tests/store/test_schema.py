"""Opening: the schema is created and migrated on open; foreign, corrupt and newer databases are
refused without a byte of them changing."""

from __future__ import annotations

import random
import sqlite3
from pathlib import Path

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine, text

from personae.store import SchemaTooNewError, StoreError, UnusableDatabaseError, open_store
from personae.store.schema import VERSION_TABLE, SchemaStatus, head_revision
from personae.store.tables import metadata


def snapshot(directory: Path) -> dict[str, bytes]:
    """Every file in `directory` with its bytes."""
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())}


def test_the_migrated_schema_matches_the_tables_the_code_uses(store_url: str) -> None:
    with open_store(store_url) as store, store.database.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"version_table": VERSION_TABLE})
        assert compare_metadata(context, metadata) == []


def test_a_new_database_is_created_at_the_head_revision(new_store_url: str) -> None:
    with open_store(new_store_url) as store:
        assert store.opened_from is not None
        assert store.opened_from.status is SchemaStatus.EMPTY
    with open_store(new_store_url) as store:
        assert store.opened_from is not None
        assert store.opened_from.status is SchemaStatus.CURRENT
        assert store.opened_from.revision == head_revision()


def test_a_sqlite_database_uses_wal_and_foreign_keys(sqlite_url: str) -> None:
    with open_store(sqlite_url) as store, store.database.read() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 30000


def test_an_empty_file_becomes_a_database(tmp_path: Path) -> None:
    path = tmp_path / "empty.db"
    path.touch()
    with open_store(str(path)) as store:
        assert store.usage.query() == []


def test_random_bytes_are_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "personae.db"
    path.write_bytes(random.Random(5).randbytes(8192))
    before = snapshot(tmp_path)
    with pytest.raises(UnusableDatabaseError, match="not a SQLite database"):
        open_store(str(path))
    assert snapshot(tmp_path) == before


def test_a_corrupt_sqlite_file_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "personae.db"
    with open_store(str(path)):
        pass
    data = bytearray(path.read_bytes())
    # Keep SQLite's header, wreck the page holding the schema.
    data[16:4096] = random.Random(9).randbytes(4096 - 16)
    path.write_bytes(bytes(data))
    for sidecar in tmp_path.glob("personae.db-*"):
        sidecar.unlink()
    before = snapshot(tmp_path)
    with pytest.raises(UnusableDatabaseError, match="corrupt"):
        open_store(str(path))
    assert snapshot(tmp_path) == before


def test_another_programs_sqlite_database_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "shop.db"
    with sqlite3.connect(path) as connection:
        connection.execute("CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT)")
        connection.execute("INSERT INTO customers (name) VALUES ('Ada')")
    connection.close()
    before = snapshot(tmp_path)
    with pytest.raises(UnusableDatabaseError, match=r"another program \(customers\)"):
        open_store(str(path))
    assert snapshot(tmp_path) == before


def test_a_newer_schema_revision_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "personae.db"
    with open_store(str(path)):
        pass
    with sqlite3.connect(path) as connection:
        connection.execute(f"UPDATE {VERSION_TABLE} SET version_num = 'f00dfeed'")
    connection.close()
    before = snapshot(tmp_path)
    with pytest.raises(SchemaTooNewError, match=r"'f00dfeed'.*Upgrade personae"):
        open_store(str(path))
    assert snapshot(tmp_path) == before


def test_a_newer_schema_revision_on_postgresql_is_refused_untouched(postgresql_url: str) -> None:
    with open_store(postgresql_url):
        pass
    engine = create_engine(postgresql_url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.begin() as connection:
        connection.execute(text(f"UPDATE {VERSION_TABLE} SET version_num = 'f00dfeed'"))
    with pytest.raises(SchemaTooNewError, match="'f00dfeed'"):
        open_store(postgresql_url)
    with engine.connect() as connection:
        assert connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all() == [
            ("f00dfeed",)
        ]
    engine.dispose()


def test_a_postgresql_schema_of_another_program_is_refused_untouched(postgresql_url: str) -> None:
    dsn, options = postgresql_url.split("?", 1)
    schema = options.rsplit("%3D", 1)[1]
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute(f"CREATE TABLE {schema}.orders (id int PRIMARY KEY)")
        with pytest.raises(UnusableDatabaseError, match=r"another program \(orders\)"):
            open_store(postgresql_url)
        tables = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = %s", (schema,)
        ).fetchall()
    assert tables == [("orders",)]


def test_a_missing_directory_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match=r"directory .*nowhere does not exist"):
        open_store(str(tmp_path / "nowhere" / "personae.db"))


def test_an_unreachable_postgresql_server_is_a_clear_error() -> None:
    # Port 9 (discard) has no PostgreSQL server on it.
    with pytest.raises(StoreError, match=r"database postgresql\+psycopg://nobody@127.0.0.1:9/x"):
        open_store("postgresql://nobody@127.0.0.1:9/x?connect_timeout=2")
