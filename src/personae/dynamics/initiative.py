"""Who speaks when: D&D-style initiative, speaking order, and a turn manager with interruptions."""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass

from personae.domain.persona import Persona, Priority
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


@dataclass(frozen=True, slots=True)
class InitiativeRoll:
    persona_id: str
    die: int
    total: float


def roll_initiative(
    persona: Persona, rng: random.Random, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> InitiativeRoll:
    """charisma x 2 + status bonus + social_energy // 10 + d20."""
    i = settings.initiative
    die = rng.randint(1, i.die_sides)
    total = (
        persona.charisma * i.charisma_weight
        + persona.status * i.status_bonus_per_rank
        + persona.state.social_energy // i.energy_divisor
        + die
    )
    return InitiativeRoll(persona.id, die, total)


def speaking_order(
    participants: Sequence[Persona],
    rng: random.Random,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> list[InitiativeRoll]:
    """Everyone's roll, highest first; ties go to the higher charisma, then the id, so that a
    seed always gives one order."""
    charisma = {p.id: p.charisma for p in participants}
    rolls = [roll_initiative(p, rng, settings) for p in participants]
    return sorted(rolls, key=lambda r: (-r.total, -charisma[r.persona_id], r.persona_id))


def can_interrupt(
    interrupter: Persona, speaker: Persona, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> bool:
    """Markedly more charisma (more than 3 above) or urgent business may cut in."""
    margin = settings.initiative.interrupt_charisma_margin
    return (
        interrupter.charisma > speaker.charisma + margin
        or interrupter.state.current_priority is Priority.URGENT
    )


@dataclass(frozen=True, slots=True)
class TurnPick:
    speaker_id: str
    interrupted_id: str | None = None


class TurnManager:
    """Names the next speaker: initiative order, round robin, with occasional interruptions.

    Whoever would speak next may be cut off by someone allowed to interrupt them, with
    `interrupt_chance` per eligible interrupter, tried in initiative order. Speakers never follow
    themselves. Participants who leave are dropped from the order.
    """

    def __init__(
        self,
        participants: Sequence[Persona],
        rng: random.Random,
        settings: DynamicsSettings = DEFAULT_SETTINGS,
    ) -> None:
        self.settings = settings
        self.rolls = speaking_order(participants, rng, settings)
        self._order = [r.persona_id for r in self.rolls]
        self._index = 0
        self._last: str | None = None

    @property
    def order(self) -> list[str]:
        return list(self._order)

    def remove(self, persona_id: str) -> None:
        if persona_id not in self._order:
            return
        position = self._order.index(persona_id)
        self._order.pop(position)
        if position < self._index:
            self._index -= 1
        if self._order:
            self._index %= len(self._order)

    def next_speaker(self, personas: dict[str, Persona], rng: random.Random) -> TurnPick:
        if len(self._order) < 2:
            raise ValueError("a turn needs at least two participants")
        scheduled = self._order[self._index]
        if scheduled == self._last:
            self._index = (self._index + 1) % len(self._order)
            scheduled = self._order[self._index]
        self._index = (self._index + 1) % len(self._order)
        chance = self.settings.initiative.interrupt_chance
        for candidate in self._order:
            if candidate in (scheduled, self._last):
                continue
            if (
                can_interrupt(personas[candidate], personas[scheduled], self.settings)
                and rng.random() < chance
            ):
                self._last = candidate
                return TurnPick(candidate, interrupted_id=scheduled)
        self._last = scheduled
        return TurnPick(scheduled)
