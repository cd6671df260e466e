"""Compiling a persona with its framework into what the conversation engine uses (seed 001).

The compiled persona holds the system prompt (the framework's template filled with the identity,
personality, behaviour, knowledge and interaction sections, macros resolved), the card's
post-history instructions and greetings, LLM settings from the persona's voice, the tools and
context the framework asks for. `PersonaCompiler` caches results and recompiles only when an
input (persona, framework, context type, user name) changes.
"""

from __future__ import annotations

import hashlib
import json
import random
import re
from collections.abc import Mapping, Sequence

from pydantic import BaseModel, ConfigDict, Field

from personae.cards.creation.traits import describe_custom_trait, describe_traits
from personae.cards.frameworks.blend import blend, context_weights
from personae.cards.frameworks.model import (
    PLACEHOLDER_PATTERN,
    ContextRequirements,
    Framework,
    Section,
    SectionValue,
)
from personae.cards.frameworks.registry import DEFAULT_FRAMEWORK
from personae.cards.lore_scan import LoreActivation, LoreSettings, activate
from personae.cards.macros import has_original, render_macros
from personae.domain.lorebook import Lorebook
from personae.domain.persona import Persona
from personae.errors import InputError

COMPILER_VERSION = "1"  # bump when the compiled output changes for the same inputs
DEFAULT_USER = "User"
TOP_INTERESTS = 8
STRONG_INTEREST = 60  # topics at or above this are named as interests


class LlmSettings(BaseModel):
    """Sampling settings for the persona's turns, from its voice."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    temperature: float
    max_tokens: int
    top_p: float
    frequency_penalty: float


class CompiledPersona(BaseModel):
    """A persona ready to speak: prompt text, settings and what context it needs."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    persona_id: str = Field(description="'<persona id>@<framework id>'")
    framework_id: str
    context_type: str | None = None
    char_name: str = Field(description="what {{char}} resolves to: the nickname, else the name")
    user_name: str = DEFAULT_USER
    system_prompt: str
    post_history_instructions: str = ""
    greeting: str = ""
    alternate_greetings: list[str] = Field(default_factory=list)
    example_messages: str = ""
    llm: LlmSettings
    tools_required: list[str] = Field(default_factory=list)
    tools_optional: list[str] = Field(default_factory=list)
    context: ContextRequirements
    lorebook: Lorebook | None = None
    fingerprint: str

    def scan_lore(
        self, messages: Sequence[str], rng: random.Random, settings: LoreSettings | None = None
    ) -> LoreActivation:
        """Lorebook entries activated by the recent messages, within the window the framework
        asks for (`context.history_messages`); nothing when it asks for no lore."""
        if self.lorebook is None or not self.context.lorebook:
            return LoreActivation()
        window = list(messages)[-self.context.history_messages :] if messages else []
        if self.context.history_messages == 0:
            window = []
        return activate(self.lorebook, window, rng, settings)

    def system_prompt_with_lore(self, lore: LoreActivation) -> str:
        """The system prompt with activated lore placed before and after the character."""
        parts = [
            render_macros(lore.before_char, self.char_name, self.user_name),
            self.system_prompt,
            render_macros(lore.after_char, self.char_name, self.user_name),
        ]
        return "\n\n".join(part for part in parts if part.strip())


def compile_persona(
    persona: Persona,
    frameworks: Mapping[str, Framework],
    context_type: str | None = None,
    user_name: str = DEFAULT_USER,
) -> CompiledPersona:
    """Compile `persona` with its framework (blended for `context_type` when it enables
    blending). An unknown framework id is an `InputError` naming the known ones."""
    framework = effective_framework(persona, frameworks, context_type)
    return _compile(
        persona,
        framework,
        context_type,
        user_name,
        fingerprint(persona, frameworks, context_type, user_name),
    )


def effective_framework(
    persona: Persona, frameworks: Mapping[str, Framework], context_type: str | None
) -> Framework:
    base_id = persona.framework or DEFAULT_FRAMEWORK
    if base_id not in frameworks:
        raise InputError(
            f"persona {persona.id!r} names framework {base_id!r}, which is not loaded; "
            f"known: {', '.join(sorted(frameworks))}"
        )
    base = frameworks[base_id]
    if context_type is None or not persona.framework_blending.enabled:
        if context_type is not None:
            context_weights(context_type)  # still refuse an unknown context type
        return base
    weights = context_weights(context_type, persona.framework_blending.context_weights)
    return blend(base, frameworks, weights)


def fingerprint(
    persona: Persona,
    frameworks: Mapping[str, Framework],
    context_type: str | None,
    user_name: str,
) -> str:
    """A digest of every input that shapes the compiled persona."""
    relevant = (
        sorted(frameworks)
        if persona.framework_blending.enabled
        else [persona.framework or DEFAULT_FRAMEWORK]
    )
    payload = {
        "version": COMPILER_VERSION,
        "persona": persona.model_dump(mode="json"),
        "frameworks": {
            key: frameworks[key].model_dump(mode="json") for key in relevant if key in frameworks
        },
        "context_type": context_type,
        "user": user_name,
    }
    text = json.dumps(payload, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class PersonaCompiler:
    """Compiles personas and keeps the results; an unchanged input is served from the cache."""

    def __init__(self, frameworks: Mapping[str, Framework]) -> None:
        self.frameworks = dict(frameworks)
        self.compilations = 0  # how many times a persona was actually compiled
        self._cache: dict[tuple[str, str | None, str], CompiledPersona] = {}

    def compile(
        self, persona: Persona, context_type: str | None = None, user_name: str = DEFAULT_USER
    ) -> CompiledPersona:
        key = (persona.id, context_type, user_name)
        digest = fingerprint(persona, self.frameworks, context_type, user_name)
        cached = self._cache.get(key)
        if cached is not None and cached.fingerprint == digest:
            return cached
        framework = effective_framework(persona, self.frameworks, context_type)
        compiled = _compile(persona, framework, context_type, user_name, digest)
        self.compilations += 1
        self._cache[key] = compiled
        return compiled

    def remember(self, compiled: CompiledPersona) -> None:
        """Put an already compiled persona (e.g. read from disk) into the cache."""
        persona_id = compiled.persona_id.split("@", 1)[0]
        self._cache[(persona_id, compiled.context_type, compiled.user_name)] = compiled


# --- building the prompt --------------------------------------------------------------------------


def _compile(
    persona: Persona,
    framework: Framework,
    context_type: str | None,
    user_name: str,
    digest: str,
) -> CompiledPersona:
    char = persona.profile.nickname or persona.name
    sections = {
        "character_name": char,
        "framework_name": framework.name,
        "purpose": framework.purpose,
        "identity": identity_section(persona),
        "personality": personality_section(persona),
        "behavior": behavior_section(framework),
        "knowledge": knowledge_section(persona),
        "interaction": interaction_section(persona, framework),
        "anti_hallucination": render_section(framework.anti_hallucination),
        "tools": tools_section(framework),
    }
    framework_prompt = fill_template(framework.prompt_template, sections)
    card_prompt = persona.profile.system_prompt.strip()
    if card_prompt and has_original(card_prompt):
        prompt = render_macros(card_prompt, char, user_name, original=framework_prompt)
    elif card_prompt:
        prompt = card_prompt + "\n\n" + framework_prompt  # seed 001: the override comes first
    else:
        prompt = framework_prompt
    voice = persona.profile.voice
    return CompiledPersona(
        persona_id=f"{persona.id}@{framework.framework_id}",
        framework_id=framework.framework_id,
        context_type=context_type,
        char_name=char,
        user_name=user_name,
        system_prompt=render_macros(prompt, char, user_name, original=""),
        post_history_instructions=render_macros(
            persona.profile.post_history_instructions, char, user_name, original=""
        ),
        greeting=render_macros(persona.profile.greeting, char, user_name),
        alternate_greetings=[
            render_macros(text, char, user_name) for text in persona.profile.alternate_greetings
        ],
        example_messages=render_macros(persona.profile.example_messages, char, user_name),
        llm=LlmSettings(
            temperature=voice.temperature,
            max_tokens=voice.max_tokens,
            top_p=voice.top_p,
            frequency_penalty=voice.frequency_penalty,
        ),
        tools_required=list(framework.tool_requirements.required),
        tools_optional=list(framework.tool_requirements.optional),
        context=framework.context_requirements,
        lorebook=persona.lorebook,
        fingerprint=digest,
    )


def fill_template(template: str, sections: Mapping[str, str]) -> str:
    """Replace `{placeholder}`s (not `{{macros}}`), then drop headings left without content."""
    filled = PLACEHOLDER_PATTERN.sub(lambda found: sections.get(found.group(1), ""), template)
    return _drop_empty_headings(filled)


def _drop_empty_headings(text: str) -> str:
    lines = text.split("\n")
    kept: list[str] = []
    for i, line in enumerate(lines):
        if line.startswith("#"):
            rest = next((other for other in lines[i + 1 :] if other.strip()), None)
            if rest is None or rest.startswith("#"):
                continue
        kept.append(line)
    return re.sub(r"\n{3,}", "\n\n", "\n".join(kept)).strip()


def identity_section(persona: Persona) -> str:
    lines = [f"Name: {persona.name}"]
    if persona.profile.nickname:
        lines.append(f"Also called: {persona.profile.nickname}")
    if persona.description.strip():
        lines.append(persona.description.strip())
    return "\n".join(lines)


def personality_section(persona: Persona) -> str:
    parts: list[str] = []
    if persona.profile.personality.strip():
        parts.append(persona.profile.personality.strip())
    traits = describe_traits(persona)
    if traits:
        parts.append("Traits: " + "; ".join(traits) + ".")
    if persona.custom_traits:
        parts.append("\n".join(f"- {describe_custom_trait(t)}" for t in persona.custom_traits))
    if persona.profile.quirks:
        parts.append("Quirks:\n" + "\n".join(f"- {quirk}" for quirk in persona.profile.quirks))
    return "\n".join(parts)


def behavior_section(framework: Framework) -> str:
    parts = [f"Behaviour ({framework.name}):"]
    if framework.behavioral_patterns:
        parts.append(render_section(framework.behavioral_patterns))
    if framework.decision_making:
        parts.append("Decisions:\n" + render_section(framework.decision_making))
    return "\n".join(parts)


def knowledge_section(persona: Persona) -> str:
    parts: list[str] = []
    profile = persona.profile
    if profile.scenario.strip():
        parts.append(f"Scenario: {profile.scenario.strip()}")
    if profile.knowledge_domains:
        parts.append("Knows about: " + ", ".join(profile.knowledge_domains) + ".")
    interests = sorted(
        ((topic, value) for topic, value in persona.topics.items() if value >= STRONG_INTEREST),
        key=lambda item: (-item[1], item[0]),
    )[:TOP_INTERESTS]
    if interests:
        parts.append(
            "Interested in: "
            + ", ".join(f"{topic.replace('_', ' ')} ({value})" for topic, value in interests)
            + "."
        )
    if profile.topic_avoidances:
        parts.append("Avoids talking about: " + ", ".join(profile.topic_avoidances) + ".")
    return "\n".join(parts)


def interaction_section(persona: Persona, framework: Framework) -> str:
    parts: list[str] = []
    if framework.interaction_style:
        parts.append(render_section(framework.interaction_style))
    if persona.profile.voice.style.strip():
        parts.append(f"Voice: {persona.profile.voice.style.strip()}")
    if persona.profile.example_messages.strip():
        parts.append(
            "Examples of how {{char}} speaks:\n" + persona.profile.example_messages.strip()
        )
    return "\n".join(parts)


def tools_section(framework: Framework) -> str:
    tools = framework.tool_requirements
    parts = []
    if tools.required:
        parts.append("Tools you rely on: " + ", ".join(tools.required) + ".")
    if tools.optional:
        parts.append("Tools you may use: " + ", ".join(tools.optional) + ".")
    return "\n".join(parts)


def render_section(section: Section) -> str:
    """A framework section as one '- key: value' line per key; lists of sentences as
    sub-items."""
    lines = []
    for key, value in section.items():
        label = key.replace("_", " ")
        if isinstance(value, list) and any(len(item.split()) > 3 for item in value):
            lines.append(f"- {label}:" + "".join(f"\n  - {item}" for item in value))
        else:
            lines.append(f"- {label}: {_value(value)}")
    return "\n".join(lines)


def _value(value: SectionValue) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        scale = " (on a 0-1 scale)" if isinstance(value, float) and 0 <= value <= 1 else ""
        return f"{value:g}{scale}"
    if isinstance(value, list):
        return ", ".join(value) if value else "none"
    return value
