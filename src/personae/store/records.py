"""Records only the store knows: runs, interaction history, fact provenance, resume points and
database facts. Everything else the store takes and returns is a `personae.domain` type."""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from personae.domain.persona import Persona
from personae.domain.relationship import Relationship
from personae.domain.turn import ConversationRecord, Turn


class RunStatus(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"
    FAILED = "failed"


class Run(BaseModel):
    """One simulation of a world: its seed and settings make it replayable; `clock_s` is the
    world time it has reached. Times `created_at`/`updated_at` are wall-clock POSIX seconds."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    world: str = Field(min_length=1)
    seed: int
    settings: dict[str, Any] = Field(default_factory=dict)
    clock_s: float = Field(0, ge=0)
    status: RunStatus = RunStatus.RUNNING
    created_at: float = 0.0
    updated_at: float = 0.0


class InteractionRecord(BaseModel):
    """Seed 000's interaction_history row: how one pair's conversation went, for later scoring
    (the history component of the continue score) and analytics."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1, max_length=128)
    conversation_id: str | None = None
    persona1_id: str
    persona2_id: str
    duration_s: float = Field(0, ge=0)
    topics: list[str] = Field(default_factory=list)
    satisfaction_score: float | None = None
    turn_order: list[str] = Field(default_factory=list, description="speaker ids in order")
    response_quality_scores: list[dict[str, float]] = Field(default_factory=list)
    continue_score_history: dict[str, list[float]] = Field(default_factory=dict)
    token_usage: int = Field(0, ge=0)
    exit_reason: str | None = None
    world_time_s: float = Field(0, ge=0)
    created_at: float = 0.0


class FactTelling(BaseModel):
    """`teller_id` told `listener_id` a fact, which became the listener's memory `memory_id`;
    `source_memory_id` is the teller's own memory it came from, when known."""

    model_config = ConfigDict(extra="forbid")

    memory_id: str
    teller_id: str
    listener_id: str
    source_memory_id: str | None = None
    conversation_id: str | None = None
    turn_index: int | None = Field(None, ge=0)
    world_time_s: float = Field(0, ge=0)


class ResumePoint(BaseModel):
    """Everything needed to continue a conversation after a crash: the record, every committed
    turn in order, and the stored state of its participants (personas the store does not hold,
    such as a person in a chat, are absent from `personas`)."""

    model_config = ConfigDict(extra="forbid")

    conversation: ConversationRecord
    turns: list[Turn]
    personas: dict[str, Persona]
    relationships: list[Relationship]

    @property
    def next_index(self) -> int:
        return self.turns[-1].index + 1 if self.turns else 0

    @property
    def remaining(self) -> list[str]:
        """Participants who have not left, in their original order."""
        return [p for p in self.conversation.participants if p not in self.conversation.departures]


class DatabaseInfo(BaseModel):
    """What `personae db info` reports."""

    model_config = ConfigDict(extra="forbid")

    location: str
    backend: str
    revision: str | None
    head: str
    counts: dict[str, int]

    @property
    def up_to_date(self) -> bool:
        return self.revision == self.head
