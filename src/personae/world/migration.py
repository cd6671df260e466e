"""Personas moving between rooms (seed 000's cross-room migration)."""

from __future__ import annotations

import random
from collections.abc import Sequence

from personae.domain.persona import Persona
from personae.domain.world import Room
from personae.world.settings import WorldSettings


def migration_target(
    persona: Persona,
    current: Room,
    rooms: Sequence[Room],
    stayed_s: float,
    rng: random.Random,
    world: WorldSettings,
) -> Room | None:
    """Where an idle persona moves, or None to stay.

    High energy seeks livelier rooms (higher energy regeneration), low energy quieter ones, and a
    fatigued persona rooms that share none of this room's topics. A persona considers moving only
    after `min_stay_s` in a room, and then with `migration_chance` per tick.
    """
    if stayed_s < world.min_stay_s or rng.random() >= world.migration_chance:
        return None
    state = persona.state
    others = [r for r in rooms if r.room_id != current.room_id]
    if state.social_energy > world.lively_energy_above:
        targets = [r for r in others if r.energy_regen_rate > current.energy_regen_rate]
    elif state.social_energy < world.quiet_energy_below:
        targets = [r for r in others if r.energy_regen_rate < current.energy_regen_rate]
    elif state.interaction_fatigue > world.bored_fatigue_above:
        here = set(current.topic_bias)
        targets = [r for r in others if not here.intersection(r.topic_bias)]
    else:
        return None
    return rng.choice(sorted(targets, key=lambda r: r.room_id)) if targets else None


def migration_reason(persona: Persona, world: WorldSettings) -> str:
    """Why a persona moved, in words, by the rule that moved it."""
    state = persona.state
    if state.social_energy > world.lively_energy_above:
        return "seeks livelier company"
    if state.social_energy < world.quiet_energy_below:
        return "seeks quiet"
    return "tired of the topics here"
