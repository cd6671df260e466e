"""What a persona remembers: facts it heard and episodes it lived through."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class MemoryKind(StrEnum):
    FACT = "fact"
    EPISODE = "episode"


class MemoryTier(StrEnum):
    HOT = "hot"
    WARM = "warm"
    COLD = "cold"


class Memory(BaseModel):
    """One memory of one persona (`owner_id`). Knowledge is isolated: a persona only holds what it
    heard or was told; `told_by` records who passed it on.

    A newer contradicting fact supersedes an older one, which keeps `superseded_by` and stays in
    history; nothing is silently deleted. Times are world seconds.
    """

    model_config = ConfigDict(extra="forbid")

    id: str
    owner_id: str
    kind: MemoryKind
    text: str = Field(min_length=1)
    importance: int = Field(5, ge=1, le=10)
    about_id: str | None = Field(None, description="the persona or person the memory is about")
    told_by: str | None = None
    source_conversation_id: str | None = None
    source_turn: int | None = None
    created_at_s: float = Field(0, ge=0)
    last_accessed_s: float = Field(0, ge=0)
    tier: MemoryTier = MemoryTier.HOT
    pinned: bool = False
    superseded_by: str | None = None
