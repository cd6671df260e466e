"""Fixtures: every store test runs on a SQLite file and on the local PostgreSQL server.

PostgreSQL gets one throwaway database per test session and one schema per test (dropped after).
If the server is unreachable the tests fail loudly: storage is only proven on both backends.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from personae.store import Store, open_store

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


@pytest.fixture
def postgresql_url(postgresql_database: str) -> Iterator[str]:
    """A URL whose search_path is a new empty schema, so each test starts from nothing."""
    schema = f"t_{secrets.token_hex(4)}"
    with psycopg.connect(postgresql_database, autocommit=True) as connection:
        connection.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    yield f"{postgresql_database}?options=-csearch_path%3D{schema}"
    with psycopg.connect(postgresql_database, autocommit=True) as connection:
        connection.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return str(tmp_path / "personae.db")


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """The same test on a SQLite file and on PostgreSQL."""
    url: str = request.getfixturevalue(f"{request.param}_url")
    return url


@pytest.fixture
def store(store_url: str) -> Iterator[Store]:
    with open_store(store_url) as opened:
        yield opened
