"""World runs: persona placements, migrations between rooms, and per-tick snapshots.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | None = None
depends_on: str | None = None

AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _run_id() -> sa.Column[str]:
    return sa.Column("run_id", sa.String(length=128), nullable=False, server_default="")


def upgrade() -> None:
    op.create_table(
        "placements",
        _run_id(),
        sa.Column("persona_id", sa.String(length=128), nullable=False),
        sa.Column("room_id", sa.String(length=128), nullable=False),
        sa.Column("arrived_at_s", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "persona_id", name=op.f("pk_placements")),
    )
    op.create_table(
        "migrations",
        sa.Column("id", AUTO_ID, autoincrement=True, nullable=False),
        _run_id(),
        sa.Column("persona_id", sa.String(length=128), nullable=False),
        sa.Column("from_room", sa.String(length=128), nullable=False),
        sa.Column("to_room", sa.String(length=128), nullable=False),
        sa.Column("at_s", sa.Double(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_migrations")),
    )
    op.create_index(op.f("ix_migrations_run_id_at_s"), "migrations", ["run_id", "at_s"])
    op.create_table(
        "snapshots",
        _run_id(),
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


def downgrade() -> None:
    op.drop_table("snapshots")
    op.drop_index(op.f("ix_migrations_run_id_at_s"), table_name="migrations")
    op.drop_table("migrations")
    op.drop_table("placements")
