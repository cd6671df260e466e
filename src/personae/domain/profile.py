"""What a persona is beyond the dynamics: its character definition, voice, traits and preferences.

These parts come from character cards (seed 001's character, the Character Card V2/V3 fields) and
from persona creation (seed 003's AI traits, custom traits, memory and privacy settings). Every
field has a default, so persona files written before they existed still load.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

Number = int | float


class VoiceSettings(BaseModel):
    """How the persona sounds, and the LLM settings that follow (seed 001's voice_and_tone)."""

    model_config = ConfigDict(extra="forbid")

    temperature: float = Field(0.7, ge=0, le=2)
    max_tokens: int = Field(500, ge=1, le=32768)
    top_p: float = Field(1.0, ge=0, le=1)
    frequency_penalty: float = Field(0.0, ge=-2, le=2)
    style: str = Field(
        "", description="how the persona speaks, in words, e.g. 'short, dry answers'"
    )


class AITraits(BaseModel):
    """Seed 003's AI-specific and domain traits, 0-100 each (50 is average)."""

    model_config = ConfigDict(extra="forbid")

    creativity: int = Field(50, ge=0, le=100)
    curiosity: int = Field(50, ge=0, le=100)
    empathy: int = Field(50, ge=0, le=100)
    humor: int = Field(50, ge=0, le=100)
    assertiveness: int = Field(50, ge=0, le=100)
    adaptability: int = Field(50, ge=0, le=100)
    technical_focus: int = Field(50, ge=0, le=100)
    social_orientation: int = Field(50, ge=0, le=100)
    task_orientation: int = Field(50, ge=0, le=100)


class TraitInfluence(BaseModel):
    """A behaviour a custom trait pushes towards (impact > 0) or away from (impact < 0)."""

    model_config = ConfigDict(extra="forbid")

    behavior: str = Field(min_length=1)
    impact: int = Field(ge=-100, le=100)
    context: str | None = Field(None, description="when it applies, e.g. 'in combat'")


class CustomTrait(BaseModel):
    """A user-defined trait (seed 003), e.g. 'superstitious' 80 with its influences."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=60)
    value: int = Field(50, ge=0, le=100)
    description: str = ""
    category: str = ""
    influences: list[TraitInfluence] = Field(default_factory=list)


class Profile(BaseModel):
    """The character definition, as character cards carry it (names follow the card fields)."""

    model_config = ConfigDict(extra="forbid")

    personality: str = ""
    scenario: str = ""
    greeting: str = Field("", description="the first message (card: first_mes)")
    alternate_greetings: list[str] = Field(default_factory=list)
    group_only_greetings: list[str] = Field(default_factory=list)
    example_messages: str = Field("", description="example dialogue (card: mes_example)")
    creator_notes: str = Field("", description="for people, never put in a prompt")
    creator_notes_multilingual: dict[str, str] = Field(default_factory=dict)
    system_prompt: str = Field("", description="card system prompt; {{original}} = personae's")
    post_history_instructions: str = ""
    nickname: str = Field("", description="replaces the name in {{char}} when set")
    tags: list[str] = Field(default_factory=list)
    creator: str = ""
    version: str = Field("", description="the character's version (card: character_version)")
    source: list[str] = Field(default_factory=list)
    assets: list[dict[str, Any]] = Field(default_factory=list, description="V3 card assets")
    creation_date: Number | None = Field(None, description="Unix seconds")
    modification_date: Number | None = Field(None, description="Unix seconds")
    quirks: list[str] = Field(default_factory=list)
    knowledge_domains: list[str] = Field(default_factory=list)
    topic_avoidances: list[str] = Field(default_factory=list)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)


class RoutingPreferences(BaseModel):
    """What the message router (seed 001) weighs for this persona besides its topics."""

    model_config = ConfigDict(extra="forbid")

    channels: list[str] = Field(default_factory=list, description="channels it prefers")
    weight: float = Field(1.0, ge=0, le=100, description="multiplies its routing score")


class FrameworkBlending(BaseModel):
    """Blend several behavioural frameworks by context type (seed 001's framework blender)."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = False
    context_weights: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="context type -> framework id -> weight; overrides"
    )


class MemoryPreferences(BaseModel):
    """Seed 003's memory step: whether and how long the persona remembers."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    decay: Literal["none", "slow", "normal", "fast"] = "normal"
    max_memories: int = Field(1000, ge=0)


class PrivacySettings(BaseModel):
    """Seed 003's privacy step."""

    model_config = ConfigDict(extra="forbid")

    public: bool = False
    share_memories: bool = False
    exportable: bool = Field(True, description="false: `persona export` refuses")


CardSpec = Literal["chara_card_v1", "chara_card_v2", "chara_card_v3"]


class CardRecord(BaseModel):
    """Where an imported persona came from, and the card fields personae does not model, kept so
    an export gives them back."""

    model_config = ConfigDict(extra="forbid")

    spec: CardSpec = "chara_card_v2"
    spec_version: str = "2.0"
    data_extra: dict[str, Any] = Field(default_factory=dict)
    top_level_extra: dict[str, Any] = Field(default_factory=dict)
