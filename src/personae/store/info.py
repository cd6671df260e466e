"""What is in a database, read without creating, migrating or changing anything."""

from __future__ import annotations

from sqlalchemy import func, inspect, select

from personae.store.database import Database, create_store_engine
from personae.store.errors import StoreError
from personae.store.location import resolve_location
from personae.store.records import DatabaseInfo
from personae.store.schema import check_sqlite_file, read_schema_state
from personae.store.tables import metadata


def database_info(url: str | None = None) -> DatabaseInfo:
    """The schema revision of the database `url` names and the number of rows per table."""
    location = resolve_location(url)
    path = location.sqlite_path
    if path is not None:
        if not path.exists():
            raise StoreError(
                f"there is no database at {path}; `personae db upgrade --db {path}` creates one"
            )
        check_sqlite_file(location)
    database = Database(create_store_engine(location), location)
    try:
        with database.read() as connection:
            state = read_schema_state(connection, location)
            present = set(inspect(connection).get_table_names())
            counts = {
                table.name: int(
                    connection.execute(select(func.count()).select_from(table)).scalar_one()
                )
                for table in sorted(metadata.sorted_tables, key=lambda t: t.name)
                if table.name in present
            }
    finally:
        database.dispose()
    return DatabaseInfo(
        location=location.describe(),
        backend=location.url.get_backend_name(),
        revision=state.revision,
        head=state.head,
        counts=counts,
    )
