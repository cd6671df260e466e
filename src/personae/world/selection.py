"""Who starts a conversation in a room, with whom, and about what (seed 000's selection strategy).

All functions take the personas as the room makes them (views) and a seeded `random.Random`;
candidates are walked in id order so a seed always draws the same way.
"""

from __future__ import annotations

import random
from collections.abc import Collection, Sequence

from personae.domain.persona import Persona
from personae.dynamics.cooldowns import PairCooldowns, can_interact
from personae.dynamics.score import effective_interest, rank_excess, social_points
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings
from personae.world.settings import WorldSettings


def available_personas(
    personas: Sequence[Persona], now_s: float, busy: Collection[str], world: WorldSettings
) -> list[Persona]:
    """Free to talk: enough social energy and time, out of cooldown, not already talking."""
    return sorted(
        (
            p
            for p in personas
            if p.id not in busy
            and free_to_talk(
                p.state.social_energy,
                p.state.available_time_s,
                p.state.cooldown_until_s,
                now_s,
                world,
            )
        ),
        key=lambda p: p.id,
    )


def free_to_talk(
    social_energy: float,
    available_time_s: float,
    cooldown_until_s: float,
    now_s: float,
    world: WorldSettings,
) -> bool:
    """Enough social energy and time (as the room makes them), and out of cooldown."""
    return (
        social_energy > world.min_social_energy
        and available_time_s > world.min_available_time_s
        and cooldown_until_s <= now_s
    )


def social_compatibility(
    a: Persona, b: Persona, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> float:
    """The social-fit component of a's score towards b (0-20)."""
    s = settings.score
    return social_points(
        a.charisma, b.charisma, rank_excess(a.status, b.status, s.peer_rank_gap), False, s
    )


def choose_participants(
    candidates: Sequence[Persona],
    rng: random.Random,
    now_s: float,
    pairs: PairCooldowns,
    world: WorldSettings,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> list[Persona]:
    """An initiator (charisma + d10), its most compatible free partner, and sometimes a third.

    Returns [] when nobody can start: fewer than two candidates, or every pair in cooldown.
    """
    pool = sorted(candidates, key=lambda p: p.id)
    if len(pool) < 2:
        return []
    rolls = {p.id: p.charisma + rng.randint(1, world.initiator_die_sides) for p in pool}
    for initiator in sorted(pool, key=lambda p: (-rolls[p.id], p.id)):
        partners = _ranked_partners(initiator, pool, now_s, pairs, settings)
        if not partners:
            continue
        group = [initiator, partners[0]]
        if world.max_participants > 2 and rng.random() < world.third_participant_chance:
            for extra in partners[1:]:
                if can_interact(extra, group[1], now_s, pairs, settings):
                    group.append(extra)
                    break
        return group
    return []


def _ranked_partners(
    initiator: Persona,
    pool: Sequence[Persona],
    now_s: float,
    pairs: PairCooldowns,
    settings: DynamicsSettings,
) -> list[Persona]:
    partners = [
        p
        for p in pool
        if p.id != initiator.id and can_interact(initiator, p, now_s, pairs, settings)
    ]
    return sorted(partners, key=lambda p: (-social_compatibility(initiator, p, settings), p.id))


def choose_topic(
    topics: Sequence[str],
    participants: Sequence[Persona],
    rng: random.Random,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> str:
    """One of the room's topics, weighted by how much the participants care about each."""
    if not topics:
        raise ValueError("a room needs at least one topic")
    s = settings.score
    weights = [
        max(
            1.0,
            sum(
                effective_interest(
                    p.topic_interest(t, s.topic_unknown_interest), p.state.interest_level, s
                )
                for p in participants
            )
            / len(participants),
        )
        for t in topics
    ]
    return rng.choices(list(topics), weights=weights, k=1)[0]
