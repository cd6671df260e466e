"""Alembic's entry point. personae runs it only programmatically (`personae.store.schema`), with
an open connection inside a transaction that the caller commits: the whole upgrade is one
transaction, so a failed migration leaves the database as it was."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

from personae.store.schema import VERSION_TABLE
from personae.store.tables import metadata

connection = context.config.attributes.get("connection")
if not isinstance(connection, Connection):
    raise RuntimeError(
        "personae's migrations run through personae.store (open_store or `personae db upgrade`),"
        " which passes an open connection"
    )
context.configure(
    connection=connection,
    target_metadata=metadata,
    version_table=VERSION_TABLE,
    # SQLite alters tables by copying them; batch mode lets later migrations do that portably.
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
