"""The schema, as SQLAlchemy Core tables: what the code reads and writes.

Core rather than ORM classes: the repositories return `personae.domain` models, so mapped classes
would model the same data twice, and an ORM session's identity map and deferred flushes are the
opposite of one explicit short transaction per call (see docs/storage.md).

The migrations in `migrations/versions/` build the same schema step by step; a test compares the
two. Conventions:

- `run_id` on persona-scoped tables (personas, states, topics, relationships, cooldowns, history,
  memories) is the simulation run the row belongs to, or `''` for rows outside any run (a chat, a
  one-off conversation). It is part of the key, so two runs of one world never share state.
- `*_s` columns are world seconds; `created_at` / `updated_at` are wall-clock POSIX seconds.
- Enumerations are stored as their string values; lists and mappings as JSON (not JSONB: JSON
  keeps the order of keys, e.g. who left a conversation first).
- References from memories and usage rows to conversations are plain columns, not foreign keys:
  the memory and LLM layers may record them before, or without, a stored conversation.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Double,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    UniqueConstraint,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

metadata = MetaData(naming_convention=NAMING_CONVENTION)

PERSONA_ID = 64  # personae.domain.persona.PERSONA_ID_PATTERN allows 64 characters
RECORD_ID = 128  # conversation, memory, run and history ids are chosen by the callers
NO_RUN = ""

# A 64-bit auto-increment key; SQLite only auto-increments an INTEGER PRIMARY KEY.
AutoId = BigInteger().with_variant(Integer(), "sqlite")


def _run_scope() -> Column[str]:
    return Column("run_id", String(RECORD_ID), nullable=False, server_default=NO_RUN)


runs = Table(
    "runs",
    metadata,
    Column("id", String(RECORD_ID), primary_key=True),
    Column("world", Text, nullable=False),
    Column("seed", BigInteger, nullable=False),
    Column("settings", JSON, nullable=False),
    Column("clock_s", Double, nullable=False),
    Column("status", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
)

personas = Table(
    "personas",
    metadata,
    _run_scope(),
    Column("id", String(PERSONA_ID), nullable=False),
    Column("name", String(120), nullable=False),
    Column("description", Text, nullable=False),
    Column("status", Integer, nullable=False),
    Column("charisma", Integer, nullable=False),
    Column("intelligence", Integer, nullable=False),
    Column("openness", Integer, nullable=False),
    Column("conscientiousness", Integer, nullable=False),
    Column("extraversion", Integer, nullable=False),
    Column("agreeableness", Integer, nullable=False),
    Column("neuroticism", Integer, nullable=False),
    Column("attracted_to", JSON, nullable=False),
    Column("exit_lines", JSON, nullable=False),
    Column("updated_at", Double, nullable=False),
    PrimaryKeyConstraint("run_id", "id"),
)

persona_states = Table(
    "persona_states",
    metadata,
    _run_scope(),
    Column("persona_id", String(PERSONA_ID), nullable=False),
    Column("interest_level", Double, nullable=False),
    Column("interaction_fatigue", Double, nullable=False),
    Column("current_priority", String(16), nullable=False),
    Column("available_time_s", Double, nullable=False),
    Column("social_energy", Double, nullable=False),
    Column("cooldown_until_s", Double, nullable=False),
    Column("updated_at", Double, nullable=False),
    PrimaryKeyConstraint("run_id", "persona_id"),
    ForeignKeyConstraint(
        ["run_id", "persona_id"], ["personas.run_id", "personas.id"], ondelete="CASCADE"
    ),
)

topic_preferences = Table(
    "topic_preferences",
    metadata,
    _run_scope(),
    Column("persona_id", String(PERSONA_ID), nullable=False),
    Column("topic", String(200), nullable=False),
    Column("preference_score", Integer, nullable=False),
    Column("position", Integer, nullable=False),
    PrimaryKeyConstraint("run_id", "persona_id", "topic"),
    ForeignKeyConstraint(
        ["run_id", "persona_id"], ["personas.run_id", "personas.id"], ondelete="CASCADE"
    ),
)

relationships = Table(
    "relationships",
    metadata,
    _run_scope(),
    Column("a", String(RECORD_ID), nullable=False),
    Column("b", String(RECORD_ID), nullable=False),
    Column("affinity", Double, nullable=False),
    Column("interactions", Integer, nullable=False),
    Column("updated_at", Double, nullable=False),
    PrimaryKeyConstraint("run_id", "a", "b"),
    CheckConstraint("a < b", name="ordered_pair"),
)

pair_cooldowns = Table(
    "pair_cooldowns",
    metadata,
    _run_scope(),
    Column("a", String(RECORD_ID), nullable=False),
    Column("b", String(RECORD_ID), nullable=False),
    Column("until_s", Double, nullable=False),
    PrimaryKeyConstraint("run_id", "a", "b"),
    CheckConstraint("a < b", name="ordered_pair"),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(RECORD_ID), primary_key=True),
    Column("run_id", String(RECORD_ID), ForeignKey("runs.id", ondelete="CASCADE")),
    Column("room_id", String(RECORD_ID)),
    Column("topic", Text, nullable=False),
    Column("status", String(16), nullable=False),
    Column("started_at_s", Double, nullable=False),
    Column("ended_at_s", Double),
    Column("exit_reason", Text),
    Column("departures", JSON, nullable=False),
    Column("token_budget", Integer, nullable=False),
    Column("tokens_used", Integer, nullable=False),
    Column("cost_usd", Double),
    Column("created_at", Double, nullable=False),
    Column("seed", BigInteger, nullable=False, server_default="0"),
    Column("people", JSON, nullable=False, server_default="[]"),
    Column("summary", Text, nullable=False, server_default=""),
    Column("summarized_turns", Integer, nullable=False, server_default="0"),
    Column("digested_turns", Integer, nullable=False, server_default="0"),
    Index(None, "run_id", "room_id"),
    Index(None, "status"),
)

conversation_participants = Table(
    "conversation_participants",
    metadata,
    Column(
        "conversation_id",
        String(RECORD_ID),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("position", Integer, nullable=False),
    Column("persona_id", String(RECORD_ID), nullable=False),
    PrimaryKeyConstraint("conversation_id", "position"),
    UniqueConstraint("conversation_id", "persona_id"),
    Index(None, "persona_id"),
)

turns = Table(
    "turns",
    metadata,
    Column(
        "conversation_id",
        String(RECORD_ID),
        ForeignKey("conversations.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("turn_index", Integer, nullable=False),
    Column("speaker_id", String(RECORD_ID), nullable=False),
    Column("listener_ids", JSON, nullable=False),
    Column("text", Text, nullable=False),
    Column("raw_text", Text, nullable=False),
    Column("tier", String(32), nullable=False),
    Column("score", Double, nullable=False),
    Column("scores", JSON, nullable=False),
    Column("initiative_roll", Integer),
    Column("interrupted_id", String(RECORD_ID)),
    Column("quality", JSON, nullable=False),
    Column("is_fallback", Boolean, nullable=False),
    Column("is_exit", Boolean, nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("cost_usd", Double),
    Column("world_time_s", Double, nullable=False),
    Column("created_at", Double, nullable=False),
    # The key is the idempotency guarantee: one line per (conversation, index), ever.
    PrimaryKeyConstraint("conversation_id", "turn_index"),
    CheckConstraint("turn_index >= 0", name="index_not_negative"),
)

interaction_history = Table(
    "interaction_history",
    metadata,
    Column("id", String(RECORD_ID), primary_key=True),
    _run_scope(),
    Column(
        "conversation_id",
        String(RECORD_ID),
        ForeignKey("conversations.id", ondelete="SET NULL"),
    ),
    Column("persona1_id", String(RECORD_ID), nullable=False),
    Column("persona2_id", String(RECORD_ID), nullable=False),
    Column("duration_s", Double, nullable=False),
    Column("topics", JSON, nullable=False),
    Column("satisfaction_score", Double),
    Column("turn_order", JSON, nullable=False),
    Column("response_quality_scores", JSON, nullable=False),
    Column("continue_score_history", JSON, nullable=False),
    Column("token_usage", Integer, nullable=False),
    Column("exit_reason", Text),
    Column("world_time_s", Double, nullable=False),
    Column("created_at", Double, nullable=False),
    Index(None, "run_id", "persona1_id", "persona2_id"),
)

memories = Table(
    "memories",
    metadata,
    Column("id", String(RECORD_ID), primary_key=True),
    _run_scope(),
    Column("owner_id", String(RECORD_ID), nullable=False),
    Column("kind", String(16), nullable=False),
    Column("text", Text, nullable=False),
    Column("importance", Integer, nullable=False),
    Column("about_id", String(RECORD_ID)),
    Column("told_by", String(RECORD_ID)),
    Column("source_conversation_id", String(RECORD_ID)),
    Column("source_turn", Integer),
    Column("created_at_s", Double, nullable=False),
    Column("last_accessed_s", Double, nullable=False),
    Column("tier", String(8), nullable=False),
    Column("pinned", Boolean, nullable=False),
    Column("superseded_by", String(RECORD_ID), ForeignKey("memories.id", ondelete="SET NULL")),
    Column("embedding", LargeBinary),
    Column("embedding_model", String(200)),
    Column("embedding_dim", Integer),
    Index(None, "run_id", "owner_id"),
    Index(None, "owner_id", "about_id"),
)

fact_tellings = Table(
    "fact_tellings",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column(
        "memory_id",
        String(RECORD_ID),
        ForeignKey("memories.id", ondelete="CASCADE"),
        nullable=False,
    ),
    Column("teller_id", String(RECORD_ID), nullable=False),
    Column("listener_id", String(RECORD_ID), nullable=False),
    Column(
        "source_memory_id",
        String(RECORD_ID),
        ForeignKey("memories.id", ondelete="SET NULL"),
    ),
    Column("conversation_id", String(RECORD_ID)),
    Column("turn_index", Integer),
    Column("world_time_s", Double, nullable=False),
    Index(None, "memory_id"),
    Index(None, "source_memory_id"),
)

api_usage = Table(
    "api_usage",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    Column("player_id", String(RECORD_ID), nullable=False),
    Column("conversation_id", String(RECORD_ID)),
    Column("persona_id", String(RECORD_ID)),
    Column("backend", String(64), nullable=False),
    Column("model", String(200), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("prompt_tokens", Integer, nullable=False),
    Column("completion_tokens", Integer, nullable=False),
    Column("total_tokens", Integer, nullable=False),
    Column("cost_usd", Double),
    Column("latency_s", Double, nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("created_at", Double, nullable=False),
    Index(None, "player_id", "created_at"),
    Index(None, "created_at"),
    Index(None, "conversation_id"),
)

DATA_TABLES: tuple[Table, ...] = tuple(metadata.sorted_tables)

# World runs: where each persona is, who moved when, and how everyone was at each tick's end.
placements = Table(
    "placements",
    metadata,
    _run_scope(),
    Column("persona_id", String(RECORD_ID), nullable=False),
    Column("room_id", String(RECORD_ID), nullable=False),
    Column("arrived_at_s", Double, nullable=False),
    PrimaryKeyConstraint("run_id", "persona_id"),
)

migrations = Table(
    "migrations",
    metadata,
    Column("id", AutoId, primary_key=True, autoincrement=True),
    _run_scope(),
    Column("persona_id", String(RECORD_ID), nullable=False),
    Column("from_room", String(RECORD_ID), nullable=False),
    Column("to_room", String(RECORD_ID), nullable=False),
    Column("at_s", Double, nullable=False),
    Column("reason", Text, nullable=False),
    Index(None, "run_id", "at_s"),
)

tick_snapshots = Table(
    "tick_snapshots",
    metadata,
    _run_scope(),
    Column("tick", Integer, nullable=False),
    Column("at_s", Double, nullable=False),
    # Every persona at the tick's end, as columns (see `personae.store.tick_columns`).
    Column("persona_ids", Text, nullable=False),
    Column("room_ids", Text, nullable=False),
    Column("social_energy", LargeBinary, nullable=False),
    Column("interaction_fatigue", LargeBinary, nullable=False),
    Column("available_time_s", LargeBinary, nullable=False),
    Column("talking", LargeBinary, nullable=False),
    PrimaryKeyConstraint("run_id", "tick"),
)
