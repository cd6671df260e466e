"""A spoken line and the conversation it belongs to, as they are stored and reported."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class ConversationStatus(StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Turn(BaseModel):
    """One line of a conversation. `index` counts from 0 within its conversation.

    `raw_text` is what the backend produced, `text` what the quality pipeline kept; `quality` holds
    the pipeline's scores. `scores` is every participant's continue score at this turn.
    """

    model_config = ConfigDict(extra="forbid")

    conversation_id: str
    index: int = Field(ge=0)
    speaker_id: str
    listener_ids: list[str] = Field(default_factory=list)
    text: str
    raw_text: str = ""
    tier: str
    score: float = Field(ge=0, le=100)
    scores: dict[str, float] = Field(default_factory=dict)
    initiative_roll: int | None = None
    interrupted_id: str | None = None
    quality: dict[str, float] = Field(default_factory=dict)
    is_fallback: bool = False
    is_exit: bool = False
    prompt_tokens: int = Field(0, ge=0)
    completion_tokens: int = Field(0, ge=0)
    cost_usd: float | None = Field(0.0, description="None when the model has no known price")
    world_time_s: float = Field(0, ge=0)


class ConversationRecord(BaseModel):
    """A conversation as a whole: who, where, about what, and how it ended."""

    model_config = ConfigDict(extra="forbid")

    id: str
    participants: list[str] = Field(min_length=2)
    topic: str
    room_id: str | None = None
    run_id: str | None = None
    status: ConversationStatus = ConversationStatus.ACTIVE
    started_at_s: float = Field(0, ge=0)
    ended_at_s: float | None = None
    exit_reason: str | None = None
    departures: dict[str, str] = Field(
        default_factory=dict, description="persona id -> why it left, in order of leaving"
    )
    token_budget: int = 1000
    tokens_used: int = Field(0, ge=0)
    cost_usd: float | None = 0.0
    seed: int = Field(0, description="the seed its decisions and wording were drawn from")
    people: list[str] = Field(
        default_factory=list, description="participants who are people (a chat), not personas"
    )
    summary: str = Field("", description="running summary of the lines older than the window")
    summarized_turns: int = Field(0, ge=0, description="lines folded into the summary")
    digested_turns: int = Field(0, ge=0, description="lines already read for facts")
