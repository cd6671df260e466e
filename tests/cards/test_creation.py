from __future__ import annotations

import random

import pytest

from personae.cards.creation.quiz import QUESTIONS, score_quiz
from personae.cards.creation.randomize import random_persona, random_traits
from personae.cards.creation.templates import persona_from_template, templates
from personae.cards.creation.traits import (
    describe_custom_trait,
    describe_traits,
    starting_charisma,
    starting_state,
    trait_phrase,
)
from personae.domain.persona import BigFive, Persona
from personae.domain.profile import AITraits, CustomTrait, TraitInfluence
from personae.errors import InputError

TEMPLATE_IDS = [
    "friendly-assistant",
    "analytical-expert",
    "creative-collaborator",
    "innkeeper",
    "noble",
    "soldier",
    "scholar",
    "merchant",
    "bard",
]


def test_every_template_of_the_issue_exists() -> None:
    assert list(templates()) == TEMPLATE_IDS


@pytest.mark.parametrize("template_id", TEMPLATE_IDS)
def test_each_template_makes_a_valid_persona_with_a_framework(template_id: str) -> None:
    persona = persona_from_template(template_id)
    assert persona.framework in {"neuro", "assistant", "caring", "chaotic"}
    assert persona.topics


def test_seed_003_template_values_are_kept() -> None:
    persona = persona_from_template("friendly-assistant", name="Helper")
    assert persona.big_five == BigFive(
        openness=75, conscientiousness=85, extraversion=70, agreeableness=90, neuroticism=20
    )
    assert (persona.ai_traits.empathy, persona.ai_traits.humor) == (85, 60)


def test_unknown_template_lists_the_known_ones() -> None:
    with pytest.raises(InputError, match="known: friendly-assistant"):
        persona_from_template("pirate")


def test_quiz_answers_move_traits_from_average() -> None:
    big_five, ai_traits = score_quiz(["a", "a", "a", "a", "a", "a", "a", "a"])
    assert big_five.extraversion == 75
    assert big_five.neuroticism == 25
    assert ai_traits.social_orientation == 70


def test_quiz_needs_one_valid_answer_per_question() -> None:
    with pytest.raises(InputError, match="8 questions"):
        score_quiz(["a"])
    with pytest.raises(InputError, match="choose one of a, b, c"):
        score_quiz(["z"] * len(QUESTIONS))


def test_random_generation_is_seeded() -> None:
    assert random_persona(random.Random(7)) == random_persona(random.Random(7))
    assert random_persona(random.Random(7)) != random_persona(random.Random(8))
    big_five, ai_traits = random_traits(random.Random(1))
    values = [*big_five.model_dump().values(), *ai_traits.model_dump().values()]
    assert all(0 <= value <= 100 for value in values)
    assert len(set(values)) > 3


def test_trait_phrases_ignore_average_and_stress_extremes() -> None:
    assert trait_phrase("openness", 50) is None
    assert trait_phrase("openness", 70) == "open to new ideas and experiences"
    assert trait_phrase("openness", 90) == "open to new ideas and experiences (strongly)"
    assert trait_phrase("openness", 10) == "prefers the familiar and the proven (strongly)"


def test_traits_are_described_strongest_first() -> None:
    persona = Persona(
        id="p",
        name="P",
        big_five=BigFive(extraversion=70, neuroticism=5),
        ai_traits=AITraits(humor=85),
    )
    assert describe_traits(persona) == [
        "calm and hard to rattle (strongly)",
        "funny; jokes and sees the comic side (strongly)",
        "outgoing; draws energy from company",
    ]


def test_custom_trait_influences_are_described() -> None:
    trait = CustomTrait(
        name="superstitious",
        value=80,
        description="fears omens",
        influences=[TraitInfluence(behavior="cross a graveyard", impact=-80, context="at night")],
    )
    assert describe_custom_trait(trait) == (
        "superstitious (80/100): fears omens; much less likely to cross a graveyard (at night)"
    )


def test_traits_shape_the_starting_state() -> None:
    shy = starting_state(BigFive(extraversion=10), AITraits(social_orientation=20))
    outgoing = starting_state(BigFive(extraversion=95), AITraits(social_orientation=90))
    assert outgoing.social_energy > shy.social_energy
    curious = starting_state(BigFive(), AITraits(curiosity=95))
    assert curious.interest_level > starting_state(BigFive(), AITraits(curiosity=5)).interest_level
    busy = starting_state(BigFive(conscientiousness=95), AITraits(task_orientation=95))
    assert busy.available_time_s < starting_state(BigFive(), AITraits()).available_time_s
    assert (
        starting_charisma(BigFive(extraversion=100, agreeableness=100), AITraits(humor=100)) == 18
    )
    assert starting_charisma(BigFive(extraversion=0, agreeableness=0), AITraits(humor=0)) == 3
