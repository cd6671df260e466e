"""Who starts a conversation in a room, with whom, and about what (seed 000's selection strategy).

The choices read only a few numbers of each persona, as its room makes them: a `Candidate`.
A room's fill makes one for everyone free there and whole views only for those chosen: in a
world's first tick at 10k personas every room fills, and views for all (two model copies each,
across a heap of gigabytes) cost about as much as the choosing itself.

Chance comes from a seeded `random.Random`; candidates are walked in id order so a seed always
draws the same way.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from operator import attrgetter
from typing import NamedTuple

from personae.domain.persona import Persona
from personae.dynamics.cooldowns import PairCooldowns, ready_to_talk
from personae.dynamics.score import effective_interest, rank_excess, social_points
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings
from personae.world.settings import WorldSettings


class Candidate(NamedTuple):
    """What choosing who talks, and about what, reads of a persona as its room makes it."""

    id: str
    charisma: int
    status: int
    cooldown_until_s: float
    available_time_s: float
    interest_level: float
    topics: Mapping[str, int]

    @classmethod
    def of(cls, view: Persona) -> Candidate:
        """The candidate a persona's view in a room makes (see `modifiers.in_room`)."""
        state = view.state
        return cls(
            view.id,
            view.charisma,
            view.status,
            state.cooldown_until_s,
            state.available_time_s,
            state.interest_level,
            view.topics,
        )


_by_id = attrgetter("id")


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
    a: Candidate, b: Candidate, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> float:
    """The social-fit component of a's score towards b (0-20)."""
    s = settings.score
    return social_points(
        a.charisma, b.charisma, rank_excess(a.status, b.status, s.peer_rank_gap), False, s
    )


def roll_die(rng: random.Random, sides: int) -> int:
    """1..`sides`, the very draw `rng.randint(1, sides)` makes, without its argument checks.

    CPython's `randint` takes `getrandbits(sides.bit_length())` until it falls below `sides`;
    a room's fill rolls for every candidate each time it picks an initiator, and `randint`'s
    generic path was most of that. A test holds the two to the same stream."""
    bits = sides.bit_length()
    draw = rng.getrandbits(bits)
    while draw >= sides:
        draw = rng.getrandbits(bits)
    return 1 + draw


def choose_participants(
    candidates: Sequence[Candidate],
    rng: random.Random,
    now_s: float,
    pairs: PairCooldowns,
    world: WorldSettings,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> list[Candidate]:
    """An initiator (charisma + d10), its most compatible free partner, and sometimes a third.

    Returns [] when nobody can start: fewer than two candidates, or every pair in cooldown.
    """
    pool = sorted(candidates, key=_by_id)
    if len(pool) < 2:
        return []
    sides = world.initiator_die_sides
    rolls = [-(p.charisma + roll_die(rng, sides)) for p in pool]
    # The pool is in id order and sorting is stable: highest roll first, ties by id.
    order = sorted(range(len(pool)), key=rolls.__getitem__)
    ready = [ready_to_talk(p.cooldown_until_s, p.available_time_s, now_s, settings) for p in pool]
    for i in order:
        if not ready[i]:
            continue
        initiator = pool[i]
        partners = [
            p
            for j, p in enumerate(pool)
            if j != i and ready[j] and pairs.ready(initiator.id, p.id, now_s)
        ]
        if not partners:
            continue
        partners.sort(key=lambda p: -social_compatibility(initiator, p, settings))
        group = [initiator, partners[0]]
        if world.max_participants > 2 and rng.random() < world.third_participant_chance:
            # Every partner is ready: only the pair with the second can still be in cooldown.
            for extra in partners[1:]:
                if pairs.ready(extra.id, group[1].id, now_s):
                    group.append(extra)
                    break
        return group
    return []


def choose_topic(
    topics: Sequence[str],
    participants: Sequence[Candidate],
    rng: random.Random,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> str:
    """One of the room's topics, weighted by how much the participants care about each."""
    if not topics:
        raise ValueError("a room needs at least one topic")
    s = settings.score
    unknown = s.topic_unknown_interest
    weights = [
        max(
            1.0,
            sum(
                effective_interest(p.topics.get(t, unknown), p.interest_level, s)
                for p in participants
            )
            / len(participants),
        )
        for t in topics
    ]
    return rng.choices(list(topics), weights=weights, k=1)[0]
