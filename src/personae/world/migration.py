"""Personas moving between rooms (seed 000's cross-room migration)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from personae.domain.world import Room
from personae.world.settings import WorldSettings


class Destinations:
    """For each room, the rooms each migration rule may lead to, in room-id order.

    A world's rooms do not change during a run, so each list is worked out once, not once per
    persona who moves: at 1,000 rooms that saves a walk over every room for each migrant.
    """

    def __init__(self, rooms: Sequence[Room]) -> None:
        self.rooms = tuple(sorted(rooms, key=lambda r: r.room_id))
        self._livelier: dict[float, tuple[Room, ...]] = {}
        self._quieter: dict[float, tuple[Room, ...]] = {}
        self._other_topics: dict[frozenset[str], tuple[Room, ...]] = {}

    # A room never qualifies under its own rules (its rate is not above or below itself, it
    # shares its own topics), so each list depends only on a rate or a set of topics: a world of
    # 1,000 rooms built from five archetypes works out five of each.
    def livelier(self, regen_rate: float) -> tuple[Room, ...]:
        found = self._livelier.get(regen_rate)
        if found is None:
            found = tuple(r for r in self.rooms if r.energy_regen_rate > regen_rate)
            self._livelier[regen_rate] = found
        return found

    def quieter(self, regen_rate: float) -> tuple[Room, ...]:
        found = self._quieter.get(regen_rate)
        if found is None:
            found = tuple(r for r in self.rooms if r.energy_regen_rate < regen_rate)
            self._quieter[regen_rate] = found
        return found

    def other_topics(self, topics: frozenset[str]) -> tuple[Room, ...]:
        found = self._other_topics.get(topics)
        if found is None:
            found = tuple(r for r in self.rooms if not topics.intersection(r.topic_bias))
            self._other_topics[topics] = found
        return found


def migration_target(
    social_energy: float,
    interaction_fatigue: float,
    current: Room,
    rooms: Sequence[Room] | Destinations,
    stayed_s: float,
    rng: random.Random,
    world: WorldSettings,
) -> Room | None:
    """Where an idle persona with this energy and fatigue moves, or None to stay.

    High energy seeks livelier rooms (higher energy regeneration), low energy quieter ones, and a
    fatigued persona rooms that share none of this room's topics. A persona considers moving only
    after `min_stay_s` in a room, and then with `migration_chance` per tick.
    """
    if stayed_s < world.min_stay_s or rng.random() >= world.migration_chance:
        return None
    where = rooms if isinstance(rooms, Destinations) else Destinations(rooms)
    rate = current.energy_regen_rate
    if social_energy > world.lively_energy_above:
        targets = where.livelier(rate)
    elif social_energy < world.quiet_energy_below:
        targets = where.quieter(rate)
    elif interaction_fatigue > world.bored_fatigue_above:
        targets = where.other_topics(frozenset(current.topic_bias))
        if not current.topic_bias:  # a room without topics shares none, even with itself
            targets = tuple(r for r in targets if r.room_id != current.room_id)
    else:
        return None
    return rng.choice(targets) if targets else None


def migration_reason(social_energy: float, world: WorldSettings) -> str:
    """Why a persona with this energy moved, in words, by the rule that moved it."""
    if social_energy > world.lively_energy_above:
        return "seeks livelier company"
    if social_energy < world.quiet_energy_below:
        return "seeks quiet"
    return "tired of the topics here"
