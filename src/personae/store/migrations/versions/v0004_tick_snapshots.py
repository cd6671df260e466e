"""A tick's snapshots are stored as one row of columns, not one row per persona.

Existing snapshots are carried over: each run's tick becomes one packed row.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

from __future__ import annotations

from itertools import groupby

import sqlalchemy as sa
from alembic import op

from personae.domain.world import PersonaSnapshot
from personae.store.tick_columns import TickColumns, pack, unpack

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | None = None
depends_on: str | None = None

_ROW_COLUMNS = (
    "persona_id",
    "room_id",
    "social_energy",
    "interaction_fatigue",
    "available_time_s",
    "talking",
)


def upgrade() -> None:
    packed = op.create_table(
        "tick_snapshots",
        sa.Column("run_id", sa.String(length=128), nullable=False, server_default=""),
        sa.Column("tick", sa.Integer(), nullable=False),
        sa.Column("at_s", sa.Double(), nullable=False),
        sa.Column("persona_ids", sa.Text(), nullable=False),
        sa.Column("room_ids", sa.Text(), nullable=False),
        sa.Column("social_energy", sa.LargeBinary(), nullable=False),
        sa.Column("interaction_fatigue", sa.LargeBinary(), nullable=False),
        sa.Column("available_time_s", sa.LargeBinary(), nullable=False),
        sa.Column("talking", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "tick", name=op.f("pk_tick_snapshots")),
    )
    rows = sa.table(
        "snapshots",
        *(sa.column(name) for name in ("run_id", "tick", "at_s", *_ROW_COLUMNS)),
    )
    connection = op.get_bind()
    found = connection.execute(
        sa.select(rows).order_by(rows.c.run_id, rows.c.tick, rows.c.persona_id)
    ).mappings()
    for (run_id, tick), tick_rows in groupby(found, key=lambda r: (r["run_id"], r["tick"])):
        taken = [
            PersonaSnapshot(**{k: v for k, v in row.items() if k != "run_id"}) for row in tick_rows
        ]
        connection.execute(
            packed.insert(),
            {"run_id": run_id, "tick": tick, "at_s": taken[0].at_s, **pack(TickColumns.of(taken))},
        )
    op.drop_table("snapshots")


def downgrade() -> None:
    rows = op.create_table(
        "snapshots",
        sa.Column("run_id", sa.String(length=128), nullable=False, server_default=""),
        sa.Column("tick", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.String(length=128), nullable=False),
        sa.Column("at_s", sa.Double(), nullable=False),
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("social_energy", sa.Double(), nullable=False),
        sa.Column("interaction_fatigue", sa.Double(), nullable=False),
        sa.Column("available_time_s", sa.Double(), nullable=False),
        sa.Column("talking", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "tick", "persona_id", name=op.f("pk_snapshots")),
    )
    packed = sa.table(
        "tick_snapshots",
        *(
            sa.column(name)
            for name in ("run_id", "tick", "at_s", "persona_ids", "room_ids", "talking")
        ),
        *(sa.column(name, sa.LargeBinary()) for name in _ROW_COLUMNS[2:5]),
    )
    connection = op.get_bind()
    for stored in connection.execute(sa.select(packed)).mappings().all():
        for s in unpack(stored).snapshots(stored["tick"], stored["at_s"]):
            connection.execute(rows.insert(), {"run_id": stored["run_id"], **s.model_dump()})
    op.drop_table("tick_snapshots")
