"""Persona templates (seed 003's PersonalityTemplates plus NPC archetypes), from package data."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from personae.cards.creation.traits import starting_charisma, starting_state
from personae.cards.persona_ids import persona_id_for
from personae.domain.persona import BigFive, Persona
from personae.domain.profile import AITraits, Profile, VoiceSettings
from personae.errors import InputError


class PersonaTemplate(BaseModel):
    """A starting point for a persona: traits, framework, topics and voice."""

    model_config = ConfigDict(extra="forbid")

    id: str
    name: str
    description: str
    big_five: BigFive = Field(default_factory=BigFive)
    ai_traits: AITraits = Field(default_factory=AITraits)
    framework: str
    status: int = Field(5, ge=0, le=10)
    topics: dict[str, int] = Field(default_factory=dict)
    knowledge_domains: list[str] = Field(default_factory=list)
    topic_avoidances: list[str] = Field(default_factory=list)
    quirks: list[str] = Field(default_factory=list)
    voice: VoiceSettings = Field(default_factory=VoiceSettings)


@lru_cache(maxsize=1)
def templates() -> dict[str, PersonaTemplate]:
    """Every template by id, in the order of the data file."""
    text = (resources.files("personae") / "data" / "templates.yaml").read_text(encoding="utf-8")
    raw: dict[str, Any] = yaml.safe_load(text)
    try:
        return {
            key: PersonaTemplate.model_validate({"id": key, **value}) for key, value in raw.items()
        }
    except ValidationError as error:  # a packaging mistake, not a user error
        raise RuntimeError(f"personae's templates.yaml is invalid: {error}") from error


def template(template_id: str) -> PersonaTemplate:
    found = templates().get(template_id)
    if found is None:
        raise InputError(f"unknown template {template_id!r}; known: {', '.join(templates())}")
    return found


def persona_from_template(
    template_id: str, name: str | None = None, persona_id: str | None = None
) -> Persona:
    """A new persona from a template; its state and charisma follow from the traits."""
    chosen = template(template_id)
    display = name or chosen.name
    return Persona(
        id=persona_id or persona_id_for(display),
        name=display,
        description=chosen.description,
        status=chosen.status,
        charisma=starting_charisma(chosen.big_five, chosen.ai_traits),
        big_five=chosen.big_five,
        ai_traits=chosen.ai_traits,
        topics=dict(chosen.topics),
        state=starting_state(chosen.big_five, chosen.ai_traits),
        framework=chosen.framework,
        profile=Profile(
            knowledge_domains=list(chosen.knowledge_domains),
            topic_avoidances=list(chosen.topic_avoidances),
            quirks=list(chosen.quirks),
            voice=chosen.voice,
            tags=[template_id],
        ),
    )
