from __future__ import annotations

import random

from personae.domain.world import Room
from personae.dynamics.cooldowns import PairCooldowns
from personae.world.catalog import shipped_rooms
from personae.world.migration import migration_target
from personae.world.selection import (
    available_personas,
    choose_participants,
    choose_topic,
    social_compatibility,
)
from personae.world.settings import WorldSettings
from tests.builders import persona

WORLD = WorldSettings()
ROOMS = [Room.model_validate(r) for r in shipped_rooms().values()]
BY_ID = {r.room_id: r for r in ROOMS}


def test_only_rested_free_personas_with_time_are_available() -> None:
    people = [
        persona("ok"),
        persona("drained", energy=30),
        persona("hurried", available_time_s=60),
        persona("busy"),
    ]
    resting = persona("resting").with_state(cooldown_until_s=100)
    free = available_personas([*people, resting], now_s=50, busy={"busy"}, world=WORLD)
    assert [p.id for p in free] == ["ok"]
    assert [p.id for p in available_personas([resting], 100, set(), WORLD)] == ["resting"]


def test_the_initiator_talks_to_its_most_compatible_partner() -> None:
    queen = persona("queen", status=10, charisma=18)
    duke, beggar = persona("duke", status=9, charisma=14), persona("beggar", status=0, charisma=14)
    world = WorldSettings(third_participant_chance=0)
    group = choose_participants([beggar, duke, queen], random.Random(1), 0, PairCooldowns(), world)
    assert {p.id for p in group} == {"queen", "duke"}
    assert social_compatibility(queen, duke) > social_compatibility(queen, beggar)


def test_pairs_in_cooldown_are_not_chosen_and_none_may_be_left() -> None:
    a, b = persona("a"), persona("b")
    pairs = PairCooldowns()
    pairs.block("a", "b", until_s=500)
    assert choose_participants([a, b], random.Random(1), 100, pairs, WORLD) == []
    assert len(choose_participants([a, b], random.Random(1), 500, pairs, WORLD)) == 2


def test_sometimes_a_third_joins_and_the_draw_repeats_under_a_seed() -> None:
    people = [persona(f"p{i}", charisma=10 + i) for i in range(5)]
    always = WorldSettings(third_participant_chance=1.0)
    group = choose_participants(people, random.Random(3), 0, PairCooldowns(), always)
    assert len(group) == 3
    again = choose_participants(people, random.Random(3), 0, PairCooldowns(), always)
    assert group == again


def test_topics_lean_to_what_the_participants_care_about() -> None:
    fans = [persona("a", topics={"ale": 100, "tax": 0}), persona("b", topics={"ale": 90, "tax": 5})]
    rng = random.Random(9)
    picks = [choose_topic(["ale", "tax"], fans, rng) for _ in range(200)]
    assert picks.count("ale") > 150


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
