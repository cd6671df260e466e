"""A conversation as the dynamics core sees it: who talks, about what, and how much is left."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ConversationContext(BaseModel):
    """The running state of one conversation between two or more personas.

    Budgets shrink as the conversation goes on; `score_history` keeps every participant's
    continue scores in the order they were computed, so a user can see why someone left.
    """

    model_config = ConfigDict(extra="forbid")

    participants: list[str] = Field(min_length=2)
    topic: str = "general"
    topic_drift_count: int = Field(0, ge=0)
    lines_on_topic: int = Field(0, ge=0, description="lines spoken since the topic last changed")
    duration_s: float = Field(0, ge=0)
    token_budget: int = Field(1000, description="LLM tokens still available; may go negative")
    time_budget_s: float = Field(600, ge=0, description="longest the conversation may last")
    response_count: int = Field(0, ge=0)
    invited: frozenset[str] = Field(
        default_factory=frozenset,
        description="ids of higher-status participants who invited the others to go on talking",
    )
    score_history: dict[str, list[float]] = Field(default_factory=dict)

    def record_score(self, persona_id: str, score: float) -> None:
        self.score_history.setdefault(persona_id, []).append(score)

    def last_score(self, persona_id: str) -> float | None:
        history = self.score_history.get(persona_id)
        return history[-1] if history else None
