"""Conversations keep their seed, which participants are people, their running summary, and
how far the summary and the fact digest have read, so a resumed conversation neither loses its
context nor reads a line twice.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.add_column(sa.Column("seed", sa.BigInteger(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("people", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("summary", sa.Text(), nullable=False, server_default=""))
        batch.add_column(
            sa.Column("summarized_turns", sa.Integer(), nullable=False, server_default="0")
        )
        batch.add_column(
            sa.Column("digested_turns", sa.Integer(), nullable=False, server_default="0")
        )


def downgrade() -> None:
    with op.batch_alter_table("conversations") as batch:
        batch.drop_column("digested_turns")
        batch.drop_column("summarized_turns")
        batch.drop_column("summary")
        batch.drop_column("people")
        batch.drop_column("seed")
