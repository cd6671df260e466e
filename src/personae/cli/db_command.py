"""`personae db`: create or upgrade the database, and show what it holds."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from personae.store import open_store
from personae.store.info import database_info
from personae.store.schema import SchemaStatus

app = typer.Typer(
    help="The database: create or upgrade its schema, show its revision and contents.",
    no_args_is_help=True,
)

DbOption = Annotated[
    str | None,
    typer.Option(
        "--db",
        help="SQLite file path or postgresql://user@host/dbname URL "
        "(default: $PERSONAE_DB, else ./personae.db)",
    ),
]


@app.command("upgrade")
def upgrade(db: DbOption = None) -> None:
    """Create the database, or bring its schema to this personae's latest revision."""
    with open_store(db) as store:
        found = store.opened_from
        where = store.location.describe()
    assert found is not None  # open_store always records what it found
    if found.status is SchemaStatus.EMPTY:
        typer.echo(f"{where}: created at schema revision {found.head}")
    elif found.status is SchemaStatus.OUTDATED:
        typer.echo(f"{where}: upgraded from schema revision {found.revision} to {found.head}")
    else:
        typer.echo(f"{where}: already at the latest schema revision {found.head}")


@app.command("info")
def info(
    db: DbOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Show the database's schema revision and how many rows each table holds (read only)."""
    facts = database_info(db)
    if as_json:
        typer.echo(json.dumps({**facts.model_dump(), "up_to_date": facts.up_to_date}, indent=2))
        return
    console = Console(highlight=False)
    if facts.revision is None:
        revision = "none (empty database)"
    elif facts.up_to_date:
        revision = f"{facts.revision} (latest)"
    else:
        revision = f"{facts.revision} (latest is {facts.head}: run `personae db upgrade`)"
    console.print(f"database: {facts.location} ({facts.backend})")
    console.print(f"schema revision: {revision}")
    if facts.counts:
        table = Table("table", "rows")
        for name, count in facts.counts.items():
            table.add_row(name, str(count))
        console.print(table)
