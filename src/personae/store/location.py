"""Where the database lives: a SQLite file path, a `sqlite:///` URL or a `postgresql://` URL.

Resolution order: the explicit argument (`--db`), then the `PERSONAE_DB` environment variable,
then `./personae.db` in the working directory.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from personae.store.errors import StoreError

ENV_VAR = "PERSONAE_DB"
DEFAULT_PATH = Path("personae.db")
# SQLAlchemy's bare `postgresql://` means psycopg2; personae ships psycopg 3.
POSTGRES_DRIVER = "postgresql+psycopg"


@dataclass(frozen=True)
class Location:
    """A resolved database address. `sqlite_path` is set for a SQLite file, None otherwise."""

    url: URL
    sqlite_path: Path | None

    @property
    def is_sqlite(self) -> bool:
        return self.url.get_backend_name() == "sqlite"

    @property
    def is_memory(self) -> bool:
        return self.is_sqlite and self.sqlite_path is None

    def describe(self) -> str:
        """The address for messages, with any password hidden."""
        if self.sqlite_path is not None:
            return str(self.sqlite_path)
        return self.url.render_as_string(hide_password=True)


def resolve_location(db: str | None = None, environ: Mapping[str, str] | None = None) -> Location:
    """The database `db` names, or `PERSONAE_DB`, or `./personae.db`."""
    env = os.environ if environ is None else environ
    text = db if db else env.get(ENV_VAR) or str(DEFAULT_PATH)
    text = text.strip()
    if "://" not in text:
        return _sqlite_file(Path(text))
    try:
        url = make_url(text)
    except ArgumentError as error:
        raise StoreError(f"{text!r} is not a database URL: {error}") from None
    backend = url.get_backend_name()
    if backend == "sqlite":
        if url.database in (None, "", ":memory:"):
            return Location(url.set(database=":memory:"), None)
        return _sqlite_file(Path(url.database))
    if backend in ("postgresql", "postgres"):
        if url.drivername in ("postgresql", "postgres"):
            url = url.set(drivername=POSTGRES_DRIVER)
        return Location(url, None)
    raise StoreError(
        f"unsupported database {url.drivername!r} in {url.render_as_string(hide_password=True)}: "
        "give a SQLite file path (or sqlite:///path) or a postgresql://user@host/dbname URL"
    )


def _sqlite_file(path: Path) -> Location:
    path = path.expanduser()
    if path.is_dir():
        raise StoreError(f"{path} is a directory: give the path of a database file inside it")
    return Location(URL.create("sqlite+pysqlite", database=str(path)), path)
