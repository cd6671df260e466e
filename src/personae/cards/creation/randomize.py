"""Seeded random personas (seed 003's generateRandomPersonality): same seed, same persona."""

from __future__ import annotations

import random

from personae.cards.creation.traits import starting_charisma, starting_state
from personae.cards.frameworks.registry import BUILTIN_FRAMEWORKS
from personae.cards.persona_ids import persona_id_for
from personae.domain.persona import BigFive, Persona, Priority
from personae.domain.profile import AITraits, Profile

TRAIT_SPREAD = 18.0  # standard deviation around the average of 50
SYLLABLES = (
    "al",
    "bar",
    "cor",
    "dan",
    "el",
    "fen",
    "gar",
    "hal",
    "is",
    "jor",
    "kel",
    "lin",
    "mar",
    "nor",
    "or",
    "pel",
    "quin",
    "ros",
    "sel",
    "tor",
    "ul",
    "vin",
    "wen",
)
TOPIC_POOL = ("local_news", "gossip", "trade", "politics", "history", "music", "stories",
              "weather", "food", "travel", "magic", "weapons", "religion", "farming", "crafts",
              "animals", "sailing", "astronomy", "games", "romance")  # fmt: skip


def random_trait(rng: random.Random) -> int:
    return max(0, min(100, round(rng.gauss(50, TRAIT_SPREAD))))


def random_traits(rng: random.Random) -> tuple[BigFive, AITraits]:
    big_five = BigFive(**{name: random_trait(rng) for name in BigFive.model_fields})
    ai_traits = AITraits(**{name: random_trait(rng) for name in AITraits.model_fields})
    return big_five, ai_traits


def random_name(rng: random.Random) -> str:
    first = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3)))
    return first.capitalize()


def random_persona(rng: random.Random, name: str | None = None) -> Persona:
    """A complete persona drawn from `rng`: traits, topics, status, framework, priority."""
    big_five, ai_traits = random_traits(rng)
    display = name or random_name(rng)
    topics = {topic: rng.randint(40, 95) for topic in rng.sample(TOPIC_POOL, 4)}
    state = starting_state(big_five, ai_traits).model_copy(
        update={"current_priority": rng.choice(list(Priority))}
    )
    return Persona(
        id=persona_id_for(display),
        name=display,
        description=f"{display}, a randomly generated persona.",
        status=rng.randint(1, 9),
        charisma=starting_charisma(big_five, ai_traits),
        intelligence=random_trait(rng),
        big_five=big_five,
        ai_traits=ai_traits,
        topics=topics,
        state=state,
        framework=rng.choice(BUILTIN_FRAMEWORKS),
        profile=Profile(tags=["random"]),
    )
