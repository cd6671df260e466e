"""One LLM call, as accounted: who caused it, what it cost, how it went."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Purpose(StrEnum):
    CONVERSATION = "conversation"
    SUMMARIZATION = "summarization"
    FACT_EXTRACTION = "fact_extraction"
    GENERATION = "generation"
    JUDGE = "judge"


class Outcome(StrEnum):
    OK = "ok"
    RETRIED = "retried"
    FALLBACK = "fallback"
    ERROR = "error"


class UsageRecord(BaseModel):
    """`cost_usd` is None when the model has no known price: never a silent $0.

    `created_at` is wall-clock time (POSIX seconds): budgets are per calendar month.
    """

    model_config = ConfigDict(extra="forbid")

    player_id: str = "local"
    conversation_id: str | None = None
    persona_id: str | None = None
    backend: str
    model: str
    purpose: Purpose = Purpose.CONVERSATION
    prompt_tokens: int = Field(0, ge=0)
    completion_tokens: int = Field(0, ge=0)
    cost_usd: float | None = 0.0
    latency_s: float = Field(0, ge=0)
    outcome: Outcome = Outcome.OK
    created_at: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens
