"""Fixtures: every store test runs on a SQLite file and on the local PostgreSQL server.

PostgreSQL gets one throwaway database per test session. Repository tests share one migrated
schema, emptied before each test; tests of opening and migrating get a new schema of their own.
If the server is unreachable the tests fail loudly: storage is only proven on both backends.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from personae.store import Store, open_store
from personae.store.tables import metadata

POSTGRES_SERVER = os.environ.get(
    "PERSONAE_TEST_POSTGRES", "postgresql://postgres@127.0.0.1:5432/postgres"
)
START_HINT = (
    "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"
)


def _server_dsn() -> str:
    return POSTGRES_SERVER.replace("postgresql+psycopg://", "postgresql://")


@pytest.fixture(scope="session")
def postgresql_database() -> Iterator[str]:
    """A fresh database on the local server for this session, dropped at the end."""
    try:
        admin = psycopg.connect(_server_dsn(), autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL at {POSTGRES_SERVER} is unreachable ({error}); {START_HINT}")
    name = f"personae_test_{os.getpid()}_{secrets.token_hex(3)}"
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield _server_dsn().rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def _new_schema(database: str) -> Iterator[str]:
    """A URL whose search_path is a new empty schema, dropped on leaving."""
    schema = f"t_{secrets.token_hex(4)}"
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield f"{database}?options=-csearch_path%3D{schema}"
    with psycopg.connect(database, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def postgresql_url(postgresql_database: str) -> Iterator[str]:
    """A new empty schema: for tests of creating, migrating and refusing databases."""
    with _new_schema(postgresql_database) as url:
        yield url


@pytest.fixture(scope="session")
def _postgresql_shared_schema(postgresql_database: str) -> Iterator[str]:
    with _new_schema(postgresql_database) as url:
        open_store(url).close()
        yield url


@pytest.fixture
def postgresql_emptied_url(_postgresql_shared_schema: str) -> str:
    """The session's migrated schema with every table emptied: for repository tests."""
    dsn = _postgresql_shared_schema.split("?", 1)[0]
    schema = _postgresql_shared_schema.rsplit("%3D", 1)[1]
    # DELETE, children first: on tables this small it is far quicker than TRUNCATE.
    with psycopg.connect(dsn) as connection:
        for table in reversed(metadata.sorted_tables):
            connection.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(schema, table.name)))
    return _postgresql_shared_schema


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "personae.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """The same test on a SQLite file and on PostgreSQL (an existing, emptied database)."""
    fixture = "sqlite_url" if request.param == "sqlite" else "postgresql_emptied_url"
    url: str = request.getfixturevalue(fixture)
    return url


@pytest.fixture(params=["sqlite", "postgresql"])
def new_store_url(request: pytest.FixtureRequest) -> str:
    """A database that has never been opened, on SQLite and on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened
