"""Upgrading an older personae database: a newer schema revision (written here, as a future
personae would ship it) is applied in place and no row is lost, including on SQLite, where the
migration rebuilds a table that other tables refer to."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

import personae.store.migrations
from personae.domain.world import PersonaSnapshot
from personae.store import SchemaTooNewError, open_store
from personae.store.database import Database, create_store_engine
from personae.store.location import resolve_location
from personae.store.schema import (
    VERSION_TABLE,
    SchemaStatus,
    alembic_config,
    head_revision,
    prepare_schema,
)
from tests.store.builders import conversation, turn

NEXT_REVISION = '''"""A test-only revision: conversations get a mood."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "9001"
down_revision = "{head}"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # On SQLite: copy the table, drop the old one, rename. Turns refer to it.
    rebuild = "always" if op.get_bind().dialect.name == "sqlite" else "auto"
    with op.batch_alter_table("conversations", recreate=rebuild) as batch:
        batch.add_column(sa.Column("mood", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("mood")
'''


@pytest.fixture
def next_migrations(tmp_path: Path) -> str:
    """personae's migrations plus a revision 9001 after the current head."""
    source = Path(personae.store.migrations.__file__).parent
    target = tmp_path / "next_migrations"
    shutil.copytree(source, target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "versions" / "v9001_conversation_mood.py").write_text(
        NEXT_REVISION.replace("{head}", head_revision())
    )
    return str(target)


def test_an_older_database_is_upgraded_keeping_every_row(
    new_store_url: str, next_migrations: str
) -> None:
    with open_store(new_store_url) as store:
        store.conversations.create(conversation())
        for index in range(3):
            store.turns.append(turn(index))

    location = resolve_location(new_store_url)
    database = Database(create_store_engine(location), location)
    try:
        found = prepare_schema(database, next_migrations)
        with database.read() as connection:
            revision = connection.execute(text(f"SELECT version_num FROM {VERSION_TABLE}")).all()
            columns = {c["name"] for c in inspect(connection).get_columns("conversations")}
            turns = connection.execute(text("SELECT count(*) FROM turns")).scalar()
            foreign_keys = (
                connection.exec_driver_sql("PRAGMA foreign_keys").scalar()
                if location.is_sqlite
                else 1
            )
    finally:
        database.dispose()

    assert (found.status, found.revision) == (SchemaStatus.OUTDATED, head_revision())
    assert revision == [("9001",)]
    assert "mood" in columns
    assert turns == 3
    assert foreign_keys == 1  # back on after migrating
    # This personae does not know 9001: the upgraded database is now too new for it.
    with pytest.raises(SchemaTooNewError, match="'9001'"):
        open_store(new_store_url)


def test_snapshots_stored_a_row_per_persona_are_carried_into_packed_ticks(
    new_store_url: str,
) -> None:
    # A database written before revision 0004 kept one snapshot row per persona and tick.
    location = resolve_location(new_store_url)
    database = Database(create_store_engine(location), location)
    rows = [
        {
            "run_id": run,
            "tick": tick,
            "persona_id": pid,
            "at_s": 30.0 * (tick + 1),
            "room_id": room,
            "social_energy": energy,
            "interaction_fatigue": tick * 1.5,
            "available_time_s": 600.0 - tick,
            "talking": pid == "mara",
        }
        for run, room in (("r1", "tavern"), ("r2", "market"))
        for tick in range(2)
        for pid, energy in (("mara", 1 / 3), ("gorin", 55.5 + tick))
    ]
    try:
        with database.engine.begin() as connection:
            command.upgrade(alembic_config(connection), "0003")
            connection.execute(
                text(
                    "INSERT INTO snapshots (run_id, tick, persona_id, at_s, room_id, "
                    "social_energy, interaction_fatigue, available_time_s, talking) VALUES "
                    "(:run_id, :tick, :persona_id, :at_s, :room_id, :social_energy, "
                    ":interaction_fatigue, :available_time_s, :talking)"
                ),
                rows,
            )
    finally:
        database.dispose()

    with open_store(new_store_url) as store:
        for run in ("r1", "r2"):
            expected = sorted(
                (
                    PersonaSnapshot(**{k: v for k, v in row.items() if k != "run_id"})
                    for row in rows
                    if row["run_id"] == run
                ),
                key=lambda s: (s.tick, s.persona_id),
            )
            assert store.for_run(run).world.snapshots() == expected
