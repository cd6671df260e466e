"""From a continue score to how a line is produced (tier), and from a score to why someone leaves.

| score   | tier         | what it means                                                    |
|---------|--------------|------------------------------------------------------------------|
| >= 80   | full         | full LLM, temperature 0.8                                        |
| >= 60   | full         | full LLM, temperature 0.6                                        |
| >= 40   | constrained  | LLM, <= 50 words, concise, prepares to leave, avoids dull topics  |
| <  40   | template     | no LLM: a canned exit line chosen by exit reason                 |
"""

from __future__ import annotations

import random
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from personae.domain.persona import Persona, Priority
from personae.dynamics.score import ScoreBreakdown
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


class TierName(StrEnum):
    FULL = "full"
    CONSTRAINED = "constrained"
    TEMPLATE = "template"


class ExitReason(StrEnum):
    URGENT = "urgent"
    BORED = "bored"
    TIRED = "tired"
    BUDGET = "budget"
    TIME = "time"
    PERSON = "person"  # the person in a chat ended it


@dataclass(frozen=True, slots=True)
class Tier:
    """How the next line of a speaker is produced."""

    name: TierName
    temperature: float
    max_words: int | None = None
    prepare_exit: bool = False
    avoid_topics: tuple[str, ...] = ()

    @property
    def uses_llm(self) -> bool:
        return self.name is not TierName.TEMPLATE


def route_tier(
    score: float, speaker: Persona, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> Tier:
    t = settings.tiers
    if score >= t.full_creative_min_score:
        return Tier(TierName.FULL, t.full_creative_temperature)
    if score >= t.full_min_score:
        return Tier(TierName.FULL, t.full_temperature)
    if score >= t.constrained_min_score:
        return Tier(
            TierName.CONSTRAINED,
            t.constrained_temperature,
            max_words=t.constrained_max_words,
            prepare_exit=True,
            avoid_topics=low_interest_topics(speaker, t.low_interest_topic_below),
        )
    return Tier(TierName.TEMPLATE, 0.0, prepare_exit=True)


def low_interest_topics(persona: Persona, below: int) -> tuple[str, ...]:
    """The persona's dullest topics, dullest first, for the constrained tier to steer away from."""
    dull = [(value, topic) for topic, value in persona.topics.items() if value < below]
    return tuple(topic for _, topic in sorted(dull))


def exit_reason(
    breakdown: ScoreBreakdown,
    persona: Persona,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> ExitReason:
    """Why a persona whose score fell below the threshold leaves, read off its breakdown.

    Urgent personas always leave on urgent business. Anyone else leaves for what cost the most
    points: lost patience, tiredness, or boredom (topic, partner and history under par).
    """
    if persona.state.current_priority is Priority.URGENT:
        return ExitReason.URGENT
    b = breakdown
    energy_floor = settings.tiers.tired_social_energy_below
    costs = {
        ExitReason.URGENT: b.time_pressure.high - b.time_pressure.points,
        ExitReason.TIRED: -b.fatigue_penalty.points
        + max(0.0, energy_floor - persona.state.social_energy),
        ExitReason.BORED: max(0.0, b.topic_alignment.high / 2 - b.topic_alignment.points)
        + max(0.0, b.social_fit.high / 2 - b.social_fit.points)
        + max(0.0, -b.history.points),
    }
    return max(costs, key=lambda reason: costs[reason])


DEFAULT_EXIT_LINES: Mapping[ExitReason, tuple[str, ...]] = {
    ExitReason.URGENT: (
        "I really must go.",
        "I have urgent matters to attend to.",
        "Perhaps we can continue this later.",
    ),
    ExitReason.BORED: (
        "Interesting... I should get going though.",
        "I'll let you get back to what you were doing.",
        "Nice chatting with you.",
    ),
    ExitReason.TIRED: (
        "I'm feeling a bit drained.",
        "I think I need a break from talking.",
        "It's been a long day for me.",
    ),
    ExitReason.BUDGET: (
        "Let us leave it there for now.",
        "We have said enough for one day.",
    ),
    ExitReason.TIME: (
        "I'm out of time, I'm afraid.",
        "Time has run away from me. Farewell.",
    ),
    ExitReason.PERSON: ("Farewell, then.", "Until next time."),
}


def exit_line(
    reason: ExitReason,
    persona: Persona,
    rng: random.Random,
    room_lines: Sequence[str] = (),
    said: Collection[str] = (),
) -> str:
    """A template exit line: the persona's own for this reason, else its `any` lines, else the
    room's, else the defaults; one not among `said` (the conversation's lines so far) while
    another is left, so two who leave together do not say the same goodbye."""
    candidates = list(
        persona.exit_lines.get(reason.value)
        or persona.exit_lines.get("any")
        or room_lines
        or DEFAULT_EXIT_LINES[reason]
    )
    chosen = rng.choice(candidates)
    fresh = [line for line in candidates if line not in said]
    return rng.choice(fresh) if chosen in said and fresh else chosen
