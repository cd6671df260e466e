from __future__ import annotations

import itertools
import random

from personae.domain import Priority
from personae.dynamics.initiative import (
    TurnManager,
    can_interrupt,
    roll_initiative,
    speaking_order,
)
from personae.dynamics.settings import DynamicsSettings, InitiativeSettings
from tests.builders import persona


def test_initiative_is_charisma_twice_plus_status_plus_energy_plus_d20() -> None:
    p = persona("a", charisma=15, status=8, energy=73)
    roll = roll_initiative(p, random.Random(3))
    assert 1 <= roll.die <= 20
    assert roll.total == 15 * 2 + 8 * 0.5 + 7 + roll.die


def test_speaking_order_repeats_under_a_seed() -> None:
    people = [persona(f"p{i}", charisma=8 + i) for i in range(6)]
    first = [r.persona_id for r in speaking_order(people, random.Random(42))]
    again = [r.persona_id for r in speaking_order(people, random.Random(42))]
    assert first == again
    orders = {
        tuple(r.persona_id for r in speaking_order(people, random.Random(s))) for s in range(20)
    }
    assert len(orders) > 1  # the die matters


def test_speaking_order_is_highest_initiative_first() -> None:
    rolls = speaking_order(
        [persona("low", charisma=3), persona("high", charisma=18)], random.Random(0)
    )
    assert rolls[0].total >= rolls[1].total


def test_interruption_needs_much_more_charisma_or_urgency() -> None:
    speaker = persona("s", charisma=10)
    assert can_interrupt(persona("i", charisma=14), speaker)
    assert not can_interrupt(persona("i", charisma=13), speaker)
    assert can_interrupt(persona("i", charisma=5, priority=Priority.URGENT), speaker)


def test_turns_go_round_and_nobody_follows_themselves() -> None:
    people = {p.id: p for p in [persona("a"), persona("b"), persona("c")]}
    rng = random.Random(5)
    manager = TurnManager(list(people.values()), rng)
    speakers = [manager.next_speaker(people, rng).speaker_id for _ in range(9)]
    assert all(x != y for x, y in itertools.pairwise(speakers))
    assert set(speakers) == {"a", "b", "c"}


def test_a_charismatic_listener_sometimes_cuts_in() -> None:
    people = {p.id: p for p in [persona("bard", charisma=18), persona("a"), persona("b")]}
    always = DynamicsSettings(initiative=InitiativeSettings(interrupt_chance=1.0))
    rng = random.Random(1)
    manager = TurnManager(list(people.values()), rng, always)
    picks = [manager.next_speaker(people, rng) for _ in range(6)]
    assert any(p.interrupted_id is not None and p.speaker_id == "bard" for p in picks)


def test_a_persona_who_leaves_no_longer_speaks() -> None:
    people = {p.id: p for p in [persona("a"), persona("b"), persona("c")]}
    rng = random.Random(2)
    manager = TurnManager(list(people.values()), rng)
    manager.remove("b")
    assert "b" not in {manager.next_speaker(people, rng).speaker_id for _ in range(6)}
