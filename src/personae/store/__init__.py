"""Persistence for personae: SQLite (default, WAL) or PostgreSQL, migrated by Alembic.

from personae.store import open_store
with open_store("campaign.db") as store:
    store.usage.record(record)
"""

from personae.store.errors import (
    NotFoundError,
    SchemaTooNewError,
    StoreError,
    TurnConflictError,
    UnusableDatabaseError,
)
from personae.store.location import DEFAULT_PATH, ENV_VAR, Location, resolve_location
from personae.store.store import Store, open_store

__all__ = [
    "DEFAULT_PATH",
    "ENV_VAR",
    "Location",
    "NotFoundError",
    "SchemaTooNewError",
    "Store",
    "StoreError",
    "TurnConflictError",
    "UnusableDatabaseError",
    "open_store",
    "resolve_location",
]
