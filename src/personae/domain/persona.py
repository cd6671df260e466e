"""The persona: who someone is (fixed traits) and how they are right now (interaction state).

Scales follow seed 000: charisma is a D&D ability score (3-18), everything else is 0-100 unless
its name says otherwise. Time is always in world seconds (`_s`).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator

from personae.domain.copies import with_changes
from personae.domain.lorebook import Lorebook
from personae.domain.profile import (
    AITraits,
    CardRecord,
    CustomTrait,
    FrameworkBlending,
    MemoryPreferences,
    PrivacySettings,
    Profile,
    RoutingPreferences,
)

PERSONA_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"


class Priority(StrEnum):
    """What a persona is busy with; it sets how fast patience runs out (time pressure)."""

    URGENT = "urgent"
    IMPORTANT = "important"
    BUSINESS = "business"
    ACADEMIC = "academic"
    CASUAL = "casual"
    SOCIAL = "social"
    NONE = "none"


class BigFive(BaseModel):
    """Big Five personality traits, 0-100 each (50 is average)."""

    model_config = ConfigDict(extra="forbid")

    openness: int = Field(50, ge=0, le=100)
    conscientiousness: int = Field(50, ge=0, le=100)
    extraversion: int = Field(50, ge=0, le=100)
    agreeableness: int = Field(50, ge=0, le=100)
    neuroticism: int = Field(50, ge=0, le=100)


class InteractionState(BaseModel):
    """How a persona feels about talking right now; see `personae.dynamics.state`.

    `available_time_s` is what the persona is willing to spend talking; during a conversation the
    scorer subtracts the conversation's duration from it, and the engine charges it at the end.

    `social_energy` may exceed 100 (seed 000's college party starts at 150).
    """

    model_config = ConfigDict(extra="forbid")

    interest_level: float = Field(50, ge=0, le=100)
    interaction_fatigue: float = Field(0, ge=0, le=100)
    current_priority: Priority = Priority.NONE
    available_time_s: float = Field(300, ge=0)
    social_energy: float = Field(100, ge=0, le=200)
    cooldown_until_s: float = Field(0, ge=0)


class Persona(BaseModel):
    """A character: identity, stats, topic interests and current interaction state.

    The parts after `exit_lines` come from character cards and persona creation (issue 4); all
    have defaults. `extensions` holds a card's `data.extensions` verbatim (minus personae's own
    key), so unknown keys survive an import/export round trip.
    """

    model_config = ConfigDict(extra="forbid")

    id: str = Field(pattern=PERSONA_ID_PATTERN)
    name: str = Field(min_length=1, max_length=120)
    description: str = ""
    status: int = Field(5, ge=0, le=10, description="social rank: 0 outcast ... 10 monarch")
    charisma: int = Field(10, ge=3, le=18)
    intelligence: int = Field(50, ge=0, le=100)
    big_five: BigFive = Field(default_factory=BigFive)
    topics: dict[str, int] = Field(default_factory=dict, description="topic -> interest 0-100")
    state: InteractionState = Field(default_factory=InteractionState)
    attracted_to: frozenset[str] = Field(
        default_factory=frozenset, description="ids this persona finds attractive (party rules)"
    )
    exit_lines: dict[str, list[str]] = Field(
        default_factory=dict, description="exit reason -> lines that replace the default templates"
    )
    profile: Profile = Field(default_factory=Profile)
    ai_traits: AITraits = Field(default_factory=AITraits)
    custom_traits: list[CustomTrait] = Field(default_factory=list)
    framework: str | None = Field(None, description="behavioural framework id, e.g. 'caring'")
    framework_blending: FrameworkBlending = Field(default_factory=FrameworkBlending)
    routing: RoutingPreferences = Field(default_factory=RoutingPreferences)
    memory: MemoryPreferences = Field(default_factory=MemoryPreferences)
    privacy: PrivacySettings = Field(default_factory=PrivacySettings)
    lorebook: Lorebook | None = None
    extensions: dict[str, Any] = Field(default_factory=dict)
    card: CardRecord | None = Field(None, description="set when imported from a character card")

    @field_validator("topics")
    @classmethod
    def _topic_interest_in_range(cls, topics: dict[str, int]) -> dict[str, int]:
        for topic, value in topics.items():
            if not topic.strip():
                raise ValueError("topic names must not be empty")
            if not 0 <= value <= 100:
                raise ValueError(f"interest in topic {topic!r} must be 0-100, got {value}")
        return topics

    def topic_interest(self, topic: str, default: int = 50) -> int:
        """Interest in `topic`; a topic the persona has no opinion on counts as `default`."""
        return self.topics.get(topic, default)

    def with_state(self, **changes: object) -> Persona:
        """A copy of this persona whose interaction state has `changes` applied."""
        return with_changes(self, {"state": with_changes(self.state, changes)})
