"""The first schema: personas, states, topics, relationships, cooldowns, runs, conversations,
turns, interaction history, memories with fact provenance, and API usage.

Revision ID: 0001
Revises:
Create Date: 2025-11-22
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | None = None
depends_on: str | None = None


def upgrade() -> None:
    op.create_table(
        "api_usage",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("player_id", sa.String(length=128), nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("persona_id", sa.String(length=128), nullable=True),
        sa.Column("backend", sa.String(length=64), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("total_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=True),
        sa.Column("latency_s", sa.Double(), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_api_usage")),
    )
    op.create_index(
        op.f("ix_api_usage_conversation_id"), "api_usage", ["conversation_id"], unique=False
    )
    op.create_index(op.f("ix_api_usage_created_at"), "api_usage", ["created_at"], unique=False)
    op.create_index(
        op.f("ix_api_usage_player_id_created_at"),
        "api_usage",
        ["player_id", "created_at"],
        unique=False,
    )
    op.create_table(
        "memories",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("owner_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("importance", sa.Integer(), nullable=False),
        sa.Column("about_id", sa.String(length=128), nullable=True),
        sa.Column("told_by", sa.String(length=128), nullable=True),
        sa.Column("source_conversation_id", sa.String(length=128), nullable=True),
        sa.Column("source_turn", sa.Integer(), nullable=True),
        sa.Column("created_at_s", sa.Double(), nullable=False),
        sa.Column("last_accessed_s", sa.Double(), nullable=False),
        sa.Column("tier", sa.String(length=8), nullable=False),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("superseded_by", sa.String(length=128), nullable=True),
        sa.Column("embedding", sa.LargeBinary(), nullable=True),
        sa.Column("embedding_model", sa.String(length=200), nullable=True),
        sa.Column("embedding_dim", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["superseded_by"],
            ["memories.id"],
            name=op.f("fk_memories_superseded_by_memories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_memories")),
    )
    op.create_index(
        op.f("ix_memories_owner_id_about_id"), "memories", ["owner_id", "about_id"], unique=False
    )
    op.create_index(
        op.f("ix_memories_run_id_owner_id"), "memories", ["run_id", "owner_id"], unique=False
    )
    op.create_table(
        "pair_cooldowns",
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("a", sa.String(length=128), nullable=False),
        sa.Column("b", sa.String(length=128), nullable=False),
        sa.Column("until_s", sa.Double(), nullable=False),
        sa.CheckConstraint("a < b", name=op.f("ck_pair_cooldowns_ordered_pair")),
        sa.PrimaryKeyConstraint("run_id", "a", "b", name=op.f("pk_pair_cooldowns")),
    )
    op.create_table(
        "personas",
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("charisma", sa.Integer(), nullable=False),
        sa.Column("intelligence", sa.Integer(), nullable=False),
        sa.Column("openness", sa.Integer(), nullable=False),
        sa.Column("conscientiousness", sa.Integer(), nullable=False),
        sa.Column("extraversion", sa.Integer(), nullable=False),
        sa.Column("agreeableness", sa.Integer(), nullable=False),
        sa.Column("neuroticism", sa.Integer(), nullable=False),
        sa.Column("attracted_to", sa.JSON(), nullable=False),
        sa.Column("exit_lines", sa.JSON(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("run_id", "id", name=op.f("pk_personas")),
    )
    op.create_table(
        "relationships",
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("a", sa.String(length=128), nullable=False),
        sa.Column("b", sa.String(length=128), nullable=False),
        sa.Column("affinity", sa.Double(), nullable=False),
        sa.Column("interactions", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.CheckConstraint("a < b", name=op.f("ck_relationships_ordered_pair")),
        sa.PrimaryKeyConstraint("run_id", "a", "b", name=op.f("pk_relationships")),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("world", sa.Text(), nullable=False),
        sa.Column("seed", sa.BigInteger(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("clock_s", sa.Double(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "conversations",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("run_id", sa.String(length=128), nullable=True),
        sa.Column("room_id", sa.String(length=128), nullable=True),
        sa.Column("topic", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("started_at_s", sa.Double(), nullable=False),
        sa.Column("ended_at_s", sa.Double(), nullable=True),
        sa.Column("exit_reason", sa.Text(), nullable=True),
        sa.Column("departures", sa.JSON(), nullable=False),
        sa.Column("token_budget", sa.Integer(), nullable=False),
        sa.Column("tokens_used", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=True),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_conversations_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_conversations")),
    )
    op.create_index(
        op.f("ix_conversations_run_id_room_id"),
        "conversations",
        ["run_id", "room_id"],
        unique=False,
    )
    op.create_index(op.f("ix_conversations_status"), "conversations", ["status"], unique=False)
    op.create_table(
        "fact_tellings",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("memory_id", sa.String(length=128), nullable=False),
        sa.Column("teller_id", sa.String(length=128), nullable=False),
        sa.Column("listener_id", sa.String(length=128), nullable=False),
        sa.Column("source_memory_id", sa.String(length=128), nullable=True),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("turn_index", sa.Integer(), nullable=True),
        sa.Column("world_time_s", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["memory_id"],
            ["memories.id"],
            name=op.f("fk_fact_tellings_memory_id_memories"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["source_memory_id"],
            ["memories.id"],
            name=op.f("fk_fact_tellings_source_memory_id_memories"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_fact_tellings")),
    )
    op.create_index(
        op.f("ix_fact_tellings_memory_id"), "fact_tellings", ["memory_id"], unique=False
    )
    op.create_index(
        op.f("ix_fact_tellings_source_memory_id"),
        "fact_tellings",
        ["source_memory_id"],
        unique=False,
    )
    op.create_table(
        "persona_states",
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("persona_id", sa.String(length=64), nullable=False),
        sa.Column("interest_level", sa.Double(), nullable=False),
        sa.Column("interaction_fatigue", sa.Double(), nullable=False),
        sa.Column("current_priority", sa.String(length=16), nullable=False),
        sa.Column("available_time_s", sa.Double(), nullable=False),
        sa.Column("social_energy", sa.Double(), nullable=False),
        sa.Column("cooldown_until_s", sa.Double(), nullable=False),
        sa.Column("updated_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id", "persona_id"],
            ["personas.run_id", "personas.id"],
            name=op.f("fk_persona_states_run_id_personas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "persona_id", name=op.f("pk_persona_states")),
    )
    op.create_table(
        "topic_preferences",
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("persona_id", sa.String(length=64), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("preference_score", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id", "persona_id"],
            ["personas.run_id", "personas.id"],
            name=op.f("fk_topic_preferences_run_id_personas"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("run_id", "persona_id", "topic", name=op.f("pk_topic_preferences")),
    )
    op.create_table(
        "conversation_participants",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("persona_id", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_conversation_participants_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "conversation_id", "position", name=op.f("pk_conversation_participants")
        ),
        sa.UniqueConstraint(
            "conversation_id",
            "persona_id",
            name=op.f("uq_conversation_participants_conversation_id_persona_id"),
        ),
    )
    op.create_index(
        op.f("ix_conversation_participants_persona_id"),
        "conversation_participants",
        ["persona_id"],
        unique=False,
    )
    op.create_table(
        "interaction_history",
        sa.Column("id", sa.String(length=128), nullable=False),
        sa.Column("run_id", sa.String(length=128), server_default="", nullable=False),
        sa.Column("conversation_id", sa.String(length=128), nullable=True),
        sa.Column("persona1_id", sa.String(length=128), nullable=False),
        sa.Column("persona2_id", sa.String(length=128), nullable=False),
        sa.Column("duration_s", sa.Double(), nullable=False),
        sa.Column("topics", sa.JSON(), nullable=False),
        sa.Column("satisfaction_score", sa.Double(), nullable=True),
        sa.Column("turn_order", sa.JSON(), nullable=False),
        sa.Column("response_quality_scores", sa.JSON(), nullable=False),
        sa.Column("continue_score_history", sa.JSON(), nullable=False),
        sa.Column("token_usage", sa.Integer(), nullable=False),
        sa.Column("exit_reason", sa.Text(), nullable=True),
        sa.Column("world_time_s", sa.Double(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_interaction_history_conversation_id_conversations"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_interaction_history")),
    )
    op.create_index(
        op.f("ix_interaction_history_run_id_persona1_id_persona2_id"),
        "interaction_history",
        ["run_id", "persona1_id", "persona2_id"],
        unique=False,
    )
    op.create_table(
        "turns",
        sa.Column("conversation_id", sa.String(length=128), nullable=False),
        sa.Column("turn_index", sa.Integer(), nullable=False),
        sa.Column("speaker_id", sa.String(length=128), nullable=False),
        sa.Column("listener_ids", sa.JSON(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("raw_text", sa.Text(), nullable=False),
        sa.Column("tier", sa.String(length=32), nullable=False),
        sa.Column("score", sa.Double(), nullable=False),
        sa.Column("scores", sa.JSON(), nullable=False),
        sa.Column("initiative_roll", sa.Integer(), nullable=True),
        sa.Column("interrupted_id", sa.String(length=128), nullable=True),
        sa.Column("quality", sa.JSON(), nullable=False),
        sa.Column("is_fallback", sa.Boolean(), nullable=False),
        sa.Column("is_exit", sa.Boolean(), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Double(), nullable=True),
        sa.Column("world_time_s", sa.Double(), nullable=False),
        sa.Column("created_at", sa.Double(), nullable=False),
        sa.CheckConstraint("turn_index >= 0", name=op.f("ck_turns_index_not_negative")),
        sa.ForeignKeyConstraint(
            ["conversation_id"],
            ["conversations.id"],
            name=op.f("fk_turns_conversation_id_conversations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("conversation_id", "turn_index", name=op.f("pk_turns")),
    )


def downgrade() -> None:
    op.drop_table("turns")
    op.drop_index(
        op.f("ix_interaction_history_run_id_persona1_id_persona2_id"),
        table_name="interaction_history",
    )
    op.drop_table("interaction_history")
    op.drop_index(
        op.f("ix_conversation_participants_persona_id"), table_name="conversation_participants"
    )
    op.drop_table("conversation_participants")
    op.drop_table("topic_preferences")
    op.drop_table("persona_states")
    op.drop_index(op.f("ix_fact_tellings_source_memory_id"), table_name="fact_tellings")
    op.drop_index(op.f("ix_fact_tellings_memory_id"), table_name="fact_tellings")
    op.drop_table("fact_tellings")
    op.drop_index(op.f("ix_conversations_status"), table_name="conversations")
    op.drop_index(op.f("ix_conversations_run_id_room_id"), table_name="conversations")
    op.drop_table("conversations")
    op.drop_table("runs")
    op.drop_table("relationships")
    op.drop_table("personas")
    op.drop_table("pair_cooldowns")
    op.drop_index(op.f("ix_memories_run_id_owner_id"), table_name="memories")
    op.drop_index(op.f("ix_memories_owner_id_about_id"), table_name="memories")
    op.drop_table("memories")
    op.drop_index(op.f("ix_api_usage_player_id_created_at"), table_name="api_usage")
    op.drop_index(op.f("ix_api_usage_created_at"), table_name="api_usage")
    op.drop_index(op.f("ix_api_usage_conversation_id"), table_name="api_usage")
    op.drop_table("api_usage")
