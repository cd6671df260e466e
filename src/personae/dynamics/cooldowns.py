"""Cooldowns stop loops: after a conversation the pair waits, and each persona rests a while.

A persona's own cooldown lives in its state (`cooldown_until_s`); the pair's in a `PairCooldowns`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from personae.domain.persona import Persona
from personae.domain.relationship import pair_key
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


def cooldown_duration_s(
    final_score: float, fatigue: float, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> float:
    """Base 300 s; x0.5 after a satisfying talk (> 70), x2 after a forced one (< 30); then
    x(1 + fatigue/100)."""
    c = settings.cooldowns
    cooldown = c.base_cooldown_s
    if final_score > c.satisfied_above_score:
        cooldown *= c.satisfied_multiplier
    elif final_score < c.unsatisfied_below_score:
        cooldown *= c.unsatisfied_multiplier
    return cooldown * (1 + fatigue / 100)


@dataclass
class PairCooldowns:
    """When each pair of personas may talk to each other again, in world seconds."""

    until_s: dict[tuple[str, str], float] = field(default_factory=dict)

    def ready(self, a: str, b: str, now_s: float) -> bool:
        return self.until_s.get(pair_key(a, b), 0.0) <= now_s

    def block(self, a: str, b: str, until_s: float) -> None:
        key = pair_key(a, b)
        self.until_s[key] = max(self.until_s.get(key, 0.0), until_s)


def start_cooldowns(
    participants: Sequence[Persona],
    final_scores: Mapping[str, float],
    now_s: float,
    pairs: PairCooldowns,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> tuple[list[Persona], dict[str, float]]:
    """Put everyone who took part in cooldown; returns them with their new state, and each one's
    cooldown length in seconds.

    Each persona's length uses its own final score and fatigue. The pair waits the longer of its
    two members' lengths; each persona rests `persona_cooldown_fraction` of its own.
    """
    lengths = {
        p.id: cooldown_duration_s(
            final_scores.get(p.id, 50.0), p.state.interaction_fatigue, settings
        )
        for p in participants
    }
    for i, a in enumerate(participants):
        for b in participants[i + 1 :]:
            pairs.block(a.id, b.id, now_s + max(lengths[a.id], lengths[b.id]))
    fraction = settings.cooldowns.persona_cooldown_fraction
    rested = [
        p.with_state(
            cooldown_until_s=max(p.state.cooldown_until_s, now_s + lengths[p.id] * fraction)
        )
        for p in participants
    ]
    return rested, lengths


def can_interact(
    a: Persona,
    b: Persona,
    now_s: float,
    pairs: PairCooldowns | None = None,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> bool:
    """Both out of cooldown (their own and the pair's) and both with more than 30 s to spare."""
    return (
        ready_to_talk(a.state.cooldown_until_s, a.state.available_time_s, now_s, settings)
        and ready_to_talk(b.state.cooldown_until_s, b.state.available_time_s, now_s, settings)
        and (pairs is None or pairs.ready(a.id, b.id, now_s))
    )


def ready_to_talk(
    cooldown_until_s: float,
    available_time_s: float,
    now_s: float,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> bool:
    """One persona's half of `can_interact`: out of its own cooldown, with more than 30 s to
    spare."""
    return cooldown_until_s <= now_s and available_time_s > settings.cooldowns.min_available_time_s
