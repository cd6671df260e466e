from __future__ import annotations

from pathlib import Path

import pytest

from personae.store import DEFAULT_PATH, ENV_VAR, StoreError, resolve_location


def test_the_default_is_personae_db_in_the_working_directory() -> None:
    location = resolve_location(None, environ={})
    assert location.sqlite_path == DEFAULT_PATH


def test_the_environment_variable_overrides_the_default() -> None:
    location = resolve_location(None, environ={ENV_VAR: "/srv/world.db"})
    assert location.sqlite_path == Path("/srv/world.db")


def test_an_explicit_database_overrides_the_environment() -> None:
    location = resolve_location("mine.db", environ={ENV_VAR: "/srv/world.db"})
    assert location.sqlite_path == Path("mine.db")


def test_a_sqlite_url_names_a_file() -> None:
    assert resolve_location("sqlite:///data/run.db", environ={}).sqlite_path == Path("data/run.db")


def test_sqlite_memory_has_no_file() -> None:
    location = resolve_location("sqlite://", environ={})
    assert location.is_memory
    assert location.sqlite_path is None


@pytest.mark.parametrize("scheme", ["postgresql", "postgres"])
def test_postgresql_urls_use_psycopg_3(scheme: str) -> None:
    location = resolve_location(f"{scheme}://ana:secret@db.example/personae", environ={})
    assert location.url.drivername == "postgresql+psycopg"
    assert location.describe() == "postgresql+psycopg://ana:***@db.example/personae"


def test_an_unsupported_database_is_refused() -> None:
    with pytest.raises(StoreError, match="unsupported database 'mysql'"):
        resolve_location("mysql://root@localhost/x", environ={})


def test_a_directory_is_not_a_database(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="is a directory"):
        resolve_location(str(tmp_path), environ={})
