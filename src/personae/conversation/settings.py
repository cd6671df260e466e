"""Tunables of the conversation engine, with units in their names; a persona or world file
overrides any of them under `conversation:`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from personae.conversation.quality import QualitySettings


class ConversationSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    player_id: str = "local"
    # Recall, fact extraction, episodes and gossip (personae.memory). Off: a summary only.
    memory: bool = True
    # Context window: this many latest lines in full; older ones are folded into a running
    # summary, `digest_every_lines` at a time (so between 10 and 14 lines are sent in full).
    window_lines: int = Field(10, ge=2)
    digest_every_lines: int = Field(5, ge=1)
    regenerations: int = Field(1, ge=0, le=3)
    memories_per_prompt: int = Field(3, ge=0, le=20)
    # Words -> max_tokens for a line: generous, since the quality pipeline trims.
    tokens_per_word: float = Field(1.6, gt=0)
    full_max_words: int = Field(40, ge=1)
    max_turns: int = Field(200, ge=1, description="a safety net; budgets end talks long before")
    # A talk has run dry when this many lines in a row were rejected by the quality gates (the
    # model only said again what was said): their last speaker leaves, bored. 0: never.
    dry_after_rejected_lines: int = Field(3, ge=0)
    quality: QualitySettings = Field(default_factory=QualitySettings)
