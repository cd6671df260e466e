from __future__ import annotations

import random

import pytest

from personae.domain.persona import Persona
from personae.domain.world import Event, Room
from personae.dynamics.cooldowns import PairCooldowns
from personae.world.catalog import shipped_events, shipped_rooms
from personae.world.migration import migration_target
from personae.world.modifiers import candidate_in_room, felt_energy_and_time, in_room
from personae.world.selection import (
    Candidate,
    choose_participants,
    choose_topic,
    free_to_talk,
    roll_die,
    social_compatibility,
)
from personae.world.settings import WorldSettings
from personae.world.vitals import Resting
from tests.builders import persona

WORLD = WorldSettings()
ROOMS = [Room.model_validate(r) for r in shipped_rooms().values()]
BY_ID = {r.room_id: r for r in ROOMS}


def candidates(*personas: Persona) -> list[Candidate]:
    return [Candidate.of(p) for p in personas]


def test_only_rested_personas_with_time_out_of_cooldown_are_free() -> None:
    assert free_to_talk(31, 61, 50, now_s=50, world=WORLD)
    assert not free_to_talk(30, 600, 0, now_s=50, world=WORLD)  # drained
    assert not free_to_talk(100, 60, 0, now_s=50, world=WORLD)  # hurried
    assert not free_to_talk(100, 600, 51, now_s=50, world=WORLD)  # resting after a talk


def test_the_initiator_talks_to_its_most_compatible_partner() -> None:
    queen = persona("queen", status=10, charisma=18)
    duke, beggar = persona("duke", status=9, charisma=14), persona("beggar", status=0, charisma=14)
    world = WorldSettings(third_participant_chance=0)
    group = choose_participants(
        candidates(beggar, duke, queen), random.Random(1), 0, PairCooldowns(), world
    )
    assert {p.id for p in group} == {"queen", "duke"}
    queen_, duke_, beggar_ = candidates(queen, duke, beggar)
    assert social_compatibility(queen_, duke_) > social_compatibility(queen_, beggar_)


def test_pairs_in_cooldown_are_not_chosen_and_none_may_be_left() -> None:
    a, b = persona("a"), persona("b")
    pairs = PairCooldowns()
    pairs.block("a", "b", until_s=500)
    assert choose_participants(candidates(a, b), random.Random(1), 100, pairs, WORLD) == []
    assert len(choose_participants(candidates(a, b), random.Random(1), 500, pairs, WORLD)) == 2


def test_sometimes_a_third_joins_and_the_draw_repeats_under_a_seed() -> None:
    people = [persona(f"p{i}", charisma=10 + i) for i in range(5)]
    always = WorldSettings(third_participant_chance=1.0)
    group = choose_participants(candidates(*people), random.Random(3), 0, PairCooldowns(), always)
    assert len(group) == 3
    again = choose_participants(candidates(*people), random.Random(3), 0, PairCooldowns(), always)
    assert group == again


def test_topics_lean_to_what_the_participants_care_about() -> None:
    fans = [persona("a", topics={"ale": 100, "tax": 0}), persona("b", topics={"ale": 90, "tax": 5})]
    rng = random.Random(9)
    picks = [choose_topic(["ale", "tax"], candidates(*fans), rng) for _ in range(200)]
    assert picks.count("ale") > 150


def test_nobody_in_cooldown_or_short_of_time_is_chosen() -> None:
    resting = persona("resting", charisma=18).with_state(cooldown_until_s=100)
    hurried = persona("hurried", charisma=18, available_time_s=30)
    a, b = persona("a", charisma=3), persona("b", charisma=3)
    for seed in range(20):
        group = choose_participants(
            candidates(resting, hurried, a, b), random.Random(seed), 50, PairCooldowns(), WORLD
        )
        assert sorted(p.id for p in group) == ["a", "b"]


def test_a_third_never_joins_in_cooldown_with_the_partner() -> None:
    host = persona("host", charisma=18, status=9)
    guest = persona("guest", charisma=18, status=9)
    rival = persona("rival", charisma=3, status=1)
    always = WorldSettings(third_participant_chance=1.0, initiator_die_sides=1)
    trio = candidates(host, guest, rival)
    # Equal rolls: "guest" starts (ids break ties), "host" fits it best, "rival" may join.
    joined = choose_participants(trio, random.Random(1), 0, PairCooldowns(), always)
    assert [p.id for p in joined] == ["guest", "host", "rival"]
    pairs = PairCooldowns()
    pairs.block("host", "rival", until_s=1000)
    group = choose_participants(trio, random.Random(1), 0, pairs, always)
    assert [p.id for p in group] == ["guest", "host"]


@pytest.mark.parametrize("sides", [1, 2, 6, 10, 12, 20, 100])
def test_the_die_draws_what_randint_draws(sides: int) -> None:
    # Runs stay the same across versions only while this holds: a seed's rolls are randint's.
    for seed in range(10):
        ours, theirs = random.Random(seed), random.Random(seed)
        assert [roll_die(ours, sides) for _ in range(200)] == [
            theirs.randint(1, sides) for _ in range(200)
        ]
        assert ours.random() == theirs.random()


@pytest.mark.parametrize("room_id", sorted(BY_ID))
def test_a_candidate_is_what_the_room_makes_of_the_persona(room_id: str) -> None:
    room = BY_ID[room_id]
    events = [Event.model_validate(e) for e in shipped_events().values()]
    p = persona("p", topics={"ale": 80}, interest=70, available_time_s=400).with_state(
        cooldown_until_s=12.5
    )
    for active in ([], events):
        resting = Resting(55.0, 20.0, 321.0)
        _, available = felt_energy_and_time(resting, room, active)
        view = in_room(p, room, active, resting)
        assert candidate_in_room(p, available, room, active) == Candidate.of(view)


def test_lively_personas_seek_livelier_rooms_and_tired_ones_quieter() -> None:
    world = WorldSettings(migration_chance=1.0)
    market = BY_ID["ai_market"]
    rng = random.Random(2)
    lively = migration_target(95, 0, market, ROOMS, 500, rng, world)
    assert lively is not None
    assert lively.energy_regen_rate > market.energy_regen_rate
    quiet = migration_target(20, 0, market, ROOMS, 500, rng, world)
    assert quiet is not None
    assert quiet.energy_regen_rate < market.energy_regen_rate


def test_fatigued_personas_seek_other_topics() -> None:
    world = WorldSettings(migration_chance=1.0)
    fortress = BY_ID["ai_fortress"]
    target = migration_target(60, 70, fortress, ROOMS, 500, random.Random(1), world)
    assert target is not None
    assert not set(target.topic_bias) & set(fortress.topic_bias)


def test_nobody_moves_before_min_stay_or_when_content() -> None:
    world = WorldSettings(migration_chance=1.0)
    tavern = BY_ID["ai_tavern"]
    rng = random.Random(1)
    assert migration_target(20, 0, tavern, ROOMS, 60, rng, world) is None
    assert migration_target(60, 0, tavern, ROOMS, 600, rng, world) is None
