"""The commands are also run against the local PostgreSQL server: its fixtures, shared."""

from tests.store.conftest import postgresql_database, postgresql_url

__all__ = ["postgresql_database", "postgresql_url"]
