"""Traits in words (for the prompt) and in numbers (for the dynamics' starting state).

Big Five and seed 003's AI traits are 0-100 with 50 as average. A trait from 40 to 60 says
nothing worth a prompt line; beyond that it reads as a tendency, beyond 20/80 as a strong one.
"""

from __future__ import annotations

from personae.domain.persona import BigFive, InteractionState, Persona
from personae.domain.profile import AITraits, CustomTrait

# trait -> (words when low, words when high)
TRAIT_WORDS: dict[str, tuple[str, str]] = {
    "openness": ("prefers the familiar and the proven", "open to new ideas and experiences"),
    "conscientiousness": (
        "easy-going and spontaneous about plans",
        "organised, careful and dependable",
    ),
    "extraversion": (
        "reserved; enjoys quiet and small company",
        "outgoing; draws energy from company",
    ),
    "agreeableness": ("blunt, sceptical and competitive", "kind, trusting and cooperative"),
    "neuroticism": ("calm and hard to rattle", "anxious and quick to worry"),
    "creativity": ("practical rather than inventive", "inventive; comes up with original ideas"),
    "curiosity": (
        "incurious about what does not concern it",
        "curious; asks questions and explores",
    ),
    "empathy": ("pays little attention to others' feelings", "feels with others and notices moods"),
    "humor": ("serious; rarely jokes", "funny; jokes and sees the comic side"),
    "assertiveness": ("yielding; avoids confrontation", "assertive; states views firmly"),
    "adaptability": ("set in its ways", "adapts quickly to new situations"),
    "technical_focus": ("uninterested in technical detail", "drawn to technical detail"),
    "social_orientation": ("keeps to itself", "seeks out people and conversation"),
    "task_orientation": ("drifts from tasks easily", "focused on getting things done"),
}
QUIET_BAND = (40, 60)  # values inside say nothing
STRONG_BAND = (20, 80)  # values outside are strong


def trait_phrase(trait: str, value: int) -> str | None:
    """Words for one trait value, or None when it is about average."""
    low, high = TRAIT_WORDS[trait]
    if QUIET_BAND[0] <= value <= QUIET_BAND[1]:
        return None
    strong = value < STRONG_BAND[0] or value > STRONG_BAND[1]
    words = high if value > QUIET_BAND[1] else low
    return f"{words} (strongly)" if strong else words


def trait_values(big_five: BigFive, ai_traits: AITraits) -> dict[str, int]:
    return {**big_five.model_dump(), **ai_traits.model_dump()}


def describe_traits(persona: Persona) -> list[str]:
    """One phrase per trait that is clearly above or below average, strongest first."""
    values = trait_values(persona.big_five, persona.ai_traits)
    ranked = sorted(values.items(), key=lambda item: -abs(item[1] - 50))
    phrases = [trait_phrase(trait, value) for trait, value in ranked]
    return [phrase for phrase in phrases if phrase]


def describe_custom_trait(trait: CustomTrait) -> str:
    """A custom trait as one line, with the behaviours it pushes towards or away from."""
    line = f"{trait.name} ({trait.value}/100)"
    if trait.description:
        line += f": {trait.description}"
    if trait.influences:
        effects = []
        for influence in trait.influences:
            direction = "more likely to" if influence.impact > 0 else "less likely to"
            strength = "much " if abs(influence.impact) >= 60 else ""
            when = f" ({influence.context})" if influence.context else ""
            effects.append(f"{strength}{direction} {influence.behavior}{when}")
        line += "; " + "; ".join(effects)
    return line


def starting_state(big_five: BigFive, ai_traits: AITraits) -> InteractionState:
    """The interaction state a new persona starts with, shaped by its traits: extraverts and
    socially oriented personas have more social energy, curious ones more interest, conscientious
    and task-oriented ones less time to spare for talk."""
    social_energy = 40 + big_five.extraversion * 0.8 + (ai_traits.social_orientation - 50) * 0.4
    interest = 30 + ai_traits.curiosity * 0.3 + big_five.openness * 0.2
    available = 600 - (big_five.conscientiousness - 50) * 4 - (ai_traits.task_orientation - 50) * 4
    return InteractionState(
        social_energy=round(min(200.0, max(0.0, social_energy)), 1),
        interest_level=round(min(100.0, max(0.0, interest)), 1),
        available_time_s=round(max(60.0, available), 1),
    )


def starting_charisma(big_five: BigFive, ai_traits: AITraits) -> int:
    """A D&D charisma score (3-18) from extraversion, agreeableness and humour."""
    blend = big_five.extraversion * 0.5 + big_five.agreeableness * 0.2 + ai_traits.humor * 0.3
    return round(3 + blend / 100 * 15)
