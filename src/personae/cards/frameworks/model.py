"""Behavioural frameworks (seed 001): how a persona behaves, independent of who it is.

A framework is JSON in the seed's shape. Every field changes the compiled persona: the sections
are rendered into the system prompt, `tool_requirements` become the compiled tool lists and a
prompt section, `context_requirements` decide how much history, memory and lore the prompt
builder gives the persona. Unknown fields are refused, and so is a template that leaves out the
placeholder of a section the framework fills, so nothing is loaded and silently ignored.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from personae.domain.persona import PERSONA_ID_PATTERN

SectionValue = str | bool | int | float | list[str]
Section = dict[str, SectionValue]
BLENDED_SECTIONS = ("behavioral_patterns", "decision_making", "interaction_style",
                    "anti_hallucination")  # fmt: skip

# Placeholders a prompt template may use, and what fills them.
PLACEHOLDERS = {
    "character_name": "the character's name (nickname when set)",
    "framework_name": "the framework's name",
    "purpose": "the framework's purpose",
    "identity": "who the character is: name and description",
    "personality": "personality text, traits, custom traits and quirks",
    "behavior": "behavioral_patterns and decision_making",
    "knowledge": "scenario, knowledge domains, interests and avoidances",
    "interaction": "interaction_style, voice and example messages",
    "anti_hallucination": "the anti_hallucination rules",
    "tools": "tool_requirements",
}
ALWAYS_REQUIRED = ("purpose", "identity", "personality", "behavior", "knowledge", "interaction")
PLACEHOLDER_PATTERN = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}(?!\})")


class ToolRequirements(BaseModel):
    """Tools the persona needs (`required`) or may use (`optional`)."""

    model_config = ConfigDict(extra="forbid")

    required: list[str] = Field(default_factory=list)
    optional: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        return not self.required and not self.optional


class ContextRequirements(BaseModel):
    """What the prompt builder gives a persona with this framework on each turn."""

    model_config = ConfigDict(extra="forbid")

    history_messages: int = Field(10, ge=0, le=1000, description="recent messages in the prompt")
    memories: int = Field(5, ge=0, le=100, description="memories retrieved per turn")
    lorebook: bool = Field(True, description="scan the lorebook over the recent messages")
    relationships: bool = Field(True, description="include how the persona sees the others")
    room: bool = Field(True, description="include where the conversation happens")


class Framework(BaseModel):
    """One behavioural framework, validated."""

    model_config = ConfigDict(extra="forbid")

    framework_id: str = Field(pattern=PERSONA_ID_PATTERN)
    name: str = Field(min_length=1, max_length=80)
    purpose: str = Field(min_length=1)
    behavioral_patterns: Section = Field(default_factory=dict)
    tool_requirements: ToolRequirements = Field(default_factory=ToolRequirements)
    decision_making: Section = Field(default_factory=dict)
    context_requirements: ContextRequirements = Field(default_factory=ContextRequirements)
    interaction_style: Section = Field(default_factory=dict)
    anti_hallucination: Section = Field(default_factory=dict)
    prompt_template: str = Field(min_length=1)

    @field_validator(
        "behavioral_patterns", "decision_making", "interaction_style", "anti_hallucination"
    )
    @classmethod
    def _named_keys(cls, section: Section) -> Section:
        for key, value in section.items():
            if not key.strip():
                raise ValueError("section keys must not be empty")
            if isinstance(value, str) and not value.strip():
                raise ValueError(f"{key!r} is empty; remove it or give it a value")
        return section

    @model_validator(mode="after")
    def _template_uses_every_field(self) -> Framework:
        used = set(PLACEHOLDER_PATTERN.findall(self.prompt_template))
        unknown = sorted(used - PLACEHOLDERS.keys())
        if unknown:
            raise ValueError(
                f"prompt_template uses unknown placeholder(s) {', '.join(unknown)}; "
                f"known: {', '.join(PLACEHOLDERS)}"
            )
        required = set(ALWAYS_REQUIRED)
        if self.anti_hallucination:
            required.add("anti_hallucination")
        if not self.tool_requirements.is_empty():
            required.add("tools")
        missing = sorted(required - used)
        if missing:
            raise ValueError(
                "prompt_template must place "
                + ", ".join("{" + name + "}" for name in missing)
                + " or the matching framework fields would be ignored"
            )
        return self
