"""The persona creation wizard (seed 003): basic info, personality, memory, behaviour, privacy,
review. It talks through an `Asker`, so the terminal, a test or a script can drive it."""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from typing import Protocol

from pydantic import ValidationError

from personae.cards.creation.quiz import QUESTIONS, score_quiz
from personae.cards.creation.randomize import random_traits
from personae.cards.creation.templates import templates
from personae.cards.creation.traits import describe_traits, starting_charisma, starting_state
from personae.cards.persona_ids import persona_id_for
from personae.domain.persona import PERSONA_ID_PATTERN, BigFive, Persona
from personae.domain.profile import (
    AITraits,
    CustomTrait,
    MemoryPreferences,
    PrivacySettings,
    Profile,
    TraitInfluence,
    VoiceSettings,
)
from personae.errors import InputError

STEPS = ("basic info", "personality", "memory", "behaviour", "privacy", "review")
PERSONALITY_METHODS = ("template", "quiz", "random", "manual")
DEFAULT_TOPIC_INTEREST = 75


class Asker(Protocol):
    """How the wizard asks; each method returns a valid answer (it re-asks on bad input)."""

    def say(self, text: str) -> None: ...

    def text(self, prompt: str, default: str | None = None) -> str: ...

    def choice(self, prompt: str, choices: Sequence[str], default: str) -> str: ...

    def integer(self, prompt: str, default: int, low: int, high: int) -> int: ...

    def number(self, prompt: str, default: float, low: float, high: float) -> float: ...

    def confirm(self, prompt: str, default: bool) -> bool: ...


def run_wizard(
    ask: Asker,
    rng: random.Random,
    frameworks: Sequence[str],
    show: Callable[[Persona], str],
) -> Persona | None:
    """Ask for everything a persona needs; the persona, or None when the user declines at the
    review. `show` renders the persona for the review (e.g. as YAML)."""
    ask.say(f"Step 1/{len(STEPS)}: basic info")
    name = _name(ask)
    persona_id = _persona_id(ask, name)
    description = ask.text("One-line description", default="")
    status = ask.integer("Social status (0 outcast .. 10 monarch)", 5, 0, 10)

    ask.say(f"Step 2/{len(STEPS)}: personality")
    big_five, ai_traits, template_id = _personality(ask, rng)
    custom = _custom_traits(ask)

    ask.say(f"Step 3/{len(STEPS)}: memory")
    memory = MemoryPreferences(
        enabled=ask.confirm("Remember conversations?", True),
        decay=ask.choice(
            "How fast do memories fade?", ("none", "slow", "normal", "fast"), "normal"
        ),
    )

    ask.say(f"Step 4/{len(STEPS)}: behaviour")
    chosen = templates()[template_id] if template_id else None
    default_framework = chosen.framework if chosen else "neuro"
    framework = ask.choice(
        "Behavioural framework",
        frameworks,
        default_framework if default_framework in frameworks else frameworks[0],
    )
    topics = _topics(ask, chosen.topics if chosen else {})
    avoided = _list(ask.text("Topics to avoid (comma-separated)", default=""))
    style = ask.text("How does the persona speak?", default=chosen.voice.style if chosen else "")
    temperature = ask.number(
        "LLM temperature (0 focused .. 2 wild)",
        chosen.voice.temperature if chosen else 0.7,
        0.0,
        2.0,
    )

    ask.say(f"Step 5/{len(STEPS)}: privacy")
    privacy = PrivacySettings(
        public=ask.confirm("Public profile?", False),
        share_memories=ask.confirm("Share memories with other personas?", False),
        exportable=ask.confirm("Allow exporting as a character card?", True),
    )

    profile = Profile(
        topic_avoidances=avoided,
        voice=VoiceSettings(style=style, temperature=temperature),
        knowledge_domains=list(chosen.knowledge_domains) if chosen else [],
        quirks=list(chosen.quirks) if chosen else [],
        tags=[template_id] if template_id else [],
    )
    try:
        persona = Persona(
            id=persona_id,
            name=name,
            description=description,
            status=status,
            charisma=starting_charisma(big_five, ai_traits),
            big_five=big_five,
            ai_traits=ai_traits,
            custom_traits=custom,
            topics=topics,
            state=starting_state(big_five, ai_traits),
            framework=framework,
            memory=memory,
            privacy=privacy,
            profile=profile,
        )
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        where = ".".join(str(part) for part in first["loc"])
        raise InputError(
            f"the wizard's answers do not make a valid persona: {where}: {first['msg']}"
        ) from None

    ask.say(f"Step 6/{len(STEPS)}: review")
    ask.say(show(persona))
    traits = describe_traits(persona)
    if traits:
        ask.say("In words: " + "; ".join(traits) + ".")
    return persona if ask.confirm("Create this persona?", True) else None


def _name(ask: Asker) -> str:
    while True:
        name = ask.text("Name").strip()
        if name and len(name) <= 120 and "/" not in name and "\\" not in name:
            return name
        ask.say("A name is 1-120 characters, without '/' or '\\'.")


def _persona_id(ask: Asker, name: str) -> str:
    while True:
        persona_id = ask.text("Id (used as the file name)", default=persona_id_for(name)).strip()
        if re.fullmatch(PERSONA_ID_PATTERN, persona_id):
            return persona_id
        ask.say("An id starts with a letter or digit and has only letters, digits, '_', '-', '.'.")


def _personality(ask: Asker, rng: random.Random) -> tuple[BigFive, AITraits, str | None]:
    method = ask.choice("Start from", PERSONALITY_METHODS, "template")
    if method == "template":
        for template_id, item in templates().items():
            ask.say(f"  {template_id}: {item.description}")
        template_id = ask.choice("Template", list(templates()), "friendly-assistant")
        chosen = templates()[template_id]
        return chosen.big_five, chosen.ai_traits, template_id
    if method == "quiz":
        answers = []
        for number, question in enumerate(QUESTIONS, start=1):
            ask.say(f"Q{number}. {question.text}")
            for answer in question.answers:
                ask.say(f"  {answer.key}) {answer.text}")
            answers.append(ask.choice("Answer", [a.key for a in question.answers], "a"))
        big_five, ai_traits = score_quiz(answers)
        return big_five, ai_traits, None
    if method == "random":
        big_five, ai_traits = random_traits(rng)
        return big_five, ai_traits, None
    values = {
        trait: ask.integer(f"{trait.capitalize()} (0-100)", 50, 0, 100)
        for trait in BigFive.model_fields
    }
    return BigFive(**values), AITraits(), None


def _custom_traits(ask: Asker) -> list[CustomTrait]:
    traits: list[CustomTrait] = []
    while ask.confirm("Add a custom trait?", False):
        name = ask.text("Trait name (e.g. superstitious)").strip()[:60] or "custom"
        value = ask.integer("How strong (0-100)", 70, 0, 100)
        description = ask.text("What it means", default="")
        influences = []
        behavior = ask.text("A behaviour it influences (empty: none)", default="").strip()
        if behavior:
            impact = ask.integer("Impact on that behaviour (-100 .. 100)", 50, -100, 100)
            influences.append(TraitInfluence(behavior=behavior, impact=impact))
        traits.append(
            CustomTrait(name=name, value=value, description=description, influences=influences)
        )
    return traits


def _topics(ask: Asker, defaults: dict[str, int]) -> dict[str, int]:
    shown = ", ".join(f"{topic}={value}" for topic, value in defaults.items())
    answer = ask.text("Topics of interest (topic=0-100, comma-separated)", default=shown)
    topics: dict[str, int] = {}
    for item in _list(answer):
        topic, _, value = item.partition("=")
        key = topic.strip().lower().replace(" ", "_")
        if not key:
            continue
        try:
            interest = int(value) if value.strip() else DEFAULT_TOPIC_INTEREST
        except ValueError:
            interest = DEFAULT_TOPIC_INTEREST
        topics[key] = max(0, min(100, interest))
    return topics


def _list(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]
