"""Everything the reports need from one simulation run, as one immutable value.

The world loop (or the store, for a finished run) builds a `RunData`; analytics never reads the
store itself. A run may still be going: conversations whose `ended_at_s` is None count as lasting
until `clock_s`.
"""

from __future__ import annotations

from collections import defaultdict

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, model_validator

from personae.domain import (
    ConversationRecord,
    Memory,
    Migration,
    Persona,
    PersonaSnapshot,
    Relationship,
    Room,
    Turn,
)


class FactLearned(BaseModel):
    """One persona coming to know one fact: the provenance of information propagation.

    `told_by` is None for the fact's original source (the persona it was seeded into).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    fact_id: str
    text: str
    learner_id: str
    told_by: str | None = None
    at_s: float = Field(0.0, ge=0)
    conversation_id: str | None = None

    @classmethod
    def from_memory(cls, memory: Memory, fact_id: str) -> FactLearned:
        """The provenance of one persona's memory of a traced fact (`fact_id` names the fact
        across personas: each persona's memory of it has its own id)."""
        return cls(
            fact_id=fact_id,
            text=memory.text,
            learner_id=memory.owner_id,
            told_by=memory.told_by,
            at_s=memory.created_at_s,
            conversation_id=memory.source_conversation_id,
        )


class RunData(BaseModel):
    """A simulation run: the world, what was said, who moved, how everyone ended up.

    Lists may come in any order: turns are grouped by conversation and ordered by index here,
    snapshots and migrations by time. `start_s` is the world clock when the run began (0 unless
    the world starts later); `clock_s` the world clock now (at the end of a finished run).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    world_name: str
    world_description: str = ""
    seed: int | None = None
    run_id: str | None = None
    tick_s: float = Field(gt=0)
    start_s: float = Field(0.0, ge=0)
    clock_s: float = Field(ge=0)
    rooms: tuple[Room, ...] = ()
    personas: tuple[Persona, ...] = ()
    conversations: tuple[ConversationRecord, ...] = ()
    turns: tuple[Turn, ...] = ()
    relationships: tuple[Relationship, ...] = ()
    migrations: tuple[Migration, ...] = ()
    snapshots: tuple[PersonaSnapshot, ...] = ()
    facts: tuple[FactLearned, ...] = ()

    _turns_by_conversation: dict[str, tuple[Turn, ...]] = PrivateAttr(default_factory=dict)
    _names: dict[str, str] = PrivateAttr(default_factory=dict)
    _rooms: dict[str, Room] = PrivateAttr(default_factory=dict)
    _conversations_by_room: dict[str | None, tuple[ConversationRecord, ...]] = PrivateAttr(
        default_factory=dict
    )
    _snapshots_by_persona: dict[str, tuple[PersonaSnapshot, ...]] = PrivateAttr(
        default_factory=dict
    )
    _migrations_by_persona: dict[str, tuple[Migration, ...]] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _consistent(self) -> RunData:
        if self.clock_s < self.start_s:
            raise ValueError(f"clock_s ({self.clock_s}) is before start_s ({self.start_s})")
        known = {c.id for c in self.conversations}
        if len(known) != len(self.conversations):
            raise ValueError("two conversations share an id")
        grouped: dict[str, list[Turn]] = defaultdict(list)
        for turn in self.turns:
            if turn.conversation_id not in known:
                raise ValueError(
                    f"turn {turn.index} names unknown conversation {turn.conversation_id!r}"
                )
            grouped[turn.conversation_id].append(turn)
        for conversation_id, turns in grouped.items():
            indexes = [t.index for t in turns]
            if len(set(indexes)) != len(indexes):
                raise ValueError(f"conversation {conversation_id!r} has two turns with one index")
        self._turns_by_conversation = {
            cid: tuple(sorted(turns, key=lambda t: t.index)) for cid, turns in grouped.items()
        }
        self._names = {p.id: p.name for p in self.personas}
        self._rooms = {r.room_id: r for r in self.rooms}
        self._group_once()
        return self

    def _group_once(self) -> None:
        """Index the lists once, so reports of runs with thousands of personas stay linear."""
        by_room: dict[str | None, list[ConversationRecord]] = defaultdict(list)
        for conversation in sorted(self.conversations, key=lambda c: (c.started_at_s, c.id)):
            by_room[conversation.room_id].append(conversation)
        self._conversations_by_room = {k: tuple(v) for k, v in by_room.items()}
        snapshots: dict[str, list[PersonaSnapshot]] = defaultdict(list)
        for snapshot in sorted(self.snapshots, key=lambda s: (s.tick, s.at_s)):
            snapshots[snapshot.persona_id].append(snapshot)
        self._snapshots_by_persona = {k: tuple(v) for k, v in snapshots.items()}
        migrations: dict[str, list[Migration]] = defaultdict(list)
        for migration in sorted(self.migrations, key=lambda m: m.at_s):
            migrations[migration.persona_id].append(migration)
        self._migrations_by_persona = {k: tuple(v) for k, v in migrations.items()}

    # Lookups the metrics share -------------------------------------------------------------

    def turns_of(self, conversation_id: str) -> tuple[Turn, ...]:
        """The turns of one conversation, ordered by index (empty if it has none yet)."""
        return self._turns_by_conversation.get(conversation_id, ())

    def conversations_in(self, room_id: str | None) -> tuple[ConversationRecord, ...]:
        """The conversations held in a room, in the order they started."""
        return self._conversations_by_room.get(room_id, ())

    def snapshots_of(self, persona_id: str) -> tuple[PersonaSnapshot, ...]:
        """A persona's snapshots in tick order."""
        return self._snapshots_by_persona.get(persona_id, ())

    def migrations_of(self, persona_id: str) -> tuple[Migration, ...]:
        """A persona's moves in time order."""
        return self._migrations_by_persona.get(persona_id, ())

    @property
    def span_s(self) -> float:
        """World seconds the run has covered so far."""
        return self.clock_s - self.start_s

    @property
    def ticks(self) -> int:
        """Whole ticks the run has covered."""
        return int(self.span_s // self.tick_s)

    def persona_name(self, persona_id: str) -> str:
        """The display name of a persona; its id when the run does not know it."""
        return self._names.get(persona_id, persona_id)

    def room(self, room_id: str | None) -> Room | None:
        return self._rooms.get(room_id) if room_id is not None else None

    def duration_s(self, conversation: ConversationRecord) -> float:
        """How long a conversation lasted in world seconds; a running one, so far."""
        end = conversation.ended_at_s if conversation.ended_at_s is not None else self.clock_s
        return max(0.0, end - conversation.started_at_s)
