"""Shared fixtures: the real embedded model (loaded once per session) and memory repositories:
the in-memory one, the store on a SQLite file and the store on the local PostgreSQL server."""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.repository import InMemoryMemoryRepository, MemoryRepository
from personae.store import open_store

POSTGRES_TEST_DATABASE = os.environ.get(
    "PERSONAE_TEST_POSTGRES_MEMORY", "postgresql://postgres@127.0.0.1:5432/test"
)


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()


@pytest.fixture
def postgresql_schema_url() -> Iterator[str]:
    """The `test` database with a fresh schema as search_path, dropped afterwards."""
    schema = f"memory_{secrets.token_hex(4)}"
    try:
        admin = psycopg.connect(POSTGRES_TEST_DATABASE, autocommit=True, connect_timeout=5)
    except psycopg.OperationalError as error:
        pytest.fail(f"PostgreSQL at {POSTGRES_TEST_DATABASE} is unreachable: {error}")
    with admin:
        admin.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        try:
            yield f"{POSTGRES_TEST_DATABASE}?options=-csearch_path%3D{schema}"
        finally:
            admin.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture(params=["in-memory", "sqlite", "postgresql"])
def repository(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[MemoryRepository]:
    """The same test on every `MemoryRepository`: in memory, and the store on both databases."""
    if request.param == "in-memory":
        yield InMemoryMemoryRepository()
        return
    url = (
        str(tmp_path / "memories.db")
        if request.param == "sqlite"
        else request.getfixturevalue("postgresql_schema_url")
    )
    with open_store(url) as store:
        yield store.memories
