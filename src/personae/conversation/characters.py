"""What character cards bring to a conversation: compiled prompts, voice and lore.

A persona imported from a card, or given a framework, speaks with its compiled system prompt
(`personae.cards`) and the sampling settings of its voice; its lorebook adds what the recent
lines call up. A persona with neither keeps the engine's compact character sheet, which small
local models follow better.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from personae.cards.frameworks.compile import CompiledPersona, PersonaCompiler
from personae.cards.frameworks.registry import load_frameworks
from personae.cards.lore_scan import activate
from personae.domain.persona import Persona


def has_character(persona: Persona) -> bool:
    """True when the persona carries a card profile or names a framework."""
    return persona.framework is not None or bool(persona.profile.model_dump(exclude_defaults=True))


class Characters:
    """Compiles (and caches) the card personas of a conversation, and scans their lorebooks."""

    def __init__(self, compiler: PersonaCompiler | None = None) -> None:
        self.compiler = compiler or PersonaCompiler(load_frameworks())

    def of(self, persona: Persona, listeners: Sequence[str]) -> CompiledPersona | None:
        if not has_character(persona):
            return None
        return self.compiler.compile(persona, user_name=" and ".join(listeners) or "User")

    def lore(self, persona: Persona, recent: Sequence[str], rng: random.Random) -> list[str]:
        """The persona's lorebook entries the recent lines call up, in prompt order."""
        if persona.lorebook is None:
            return []
        found = activate(persona.lorebook, list(recent), rng)
        return [entry.content for entry in found.entries if entry.content]
