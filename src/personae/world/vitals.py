"""What resting changes, for every persona of a run, as columns: social energy, fatigue and
time to talk.

Every tick rests each idle persona and snapshots everyone. Kept on 10k persona models, each read
of these numbers chases pointers across a heap of gigabytes (about a microsecond a persona for
the memory latency alone, measured in the world loop) and each rest makes two model copies. As
lists in cast order they are three arrays a tick walks straight through.

The columns are the truth for these three numbers; the simulation's persona models hold the
rest, and are brought up to date (`current`) only when a decision needs a whole persona: a room
choosing who talks, a conversation settling.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from personae.domain.persona import InteractionState, Persona


class Resting(NamedTuple):
    """One persona's resting numbers."""

    social_energy: float
    interaction_fatigue: float
    available_time_s: float


class Vitals:
    def __init__(self, personas: Sequence[Persona]) -> None:
        """The numbers of `personas`, in their order (index i is `personas[i]`)."""
        self.index = {p.id: i for i, p in enumerate(personas)}
        self.energy = [p.state.social_energy for p in personas]
        self.fatigue = [p.state.interaction_fatigue for p in personas]
        self.time_s = [p.state.available_time_s for p in personas]

    def take(self, persona_id: str, state: InteractionState) -> None:
        """`state`'s numbers become the persona's (a conversation settled it)."""
        self.take_numbers(
            persona_id, state.social_energy, state.interaction_fatigue, state.available_time_s
        )

    def take_numbers(
        self, persona_id: str, social_energy: float, fatigue: float, available_time_s: float
    ) -> None:
        i = self.index[persona_id]
        self.energy[i] = social_energy
        self.fatigue[i] = fatigue
        self.time_s[i] = available_time_s

    def of(self, persona_id: str) -> Resting:
        i = self.index[persona_id]
        return Resting(self.energy[i], self.fatigue[i], self.time_s[i])

    def current(self, persona: Persona) -> Persona:
        """`persona` with its numbers as the columns hold them (itself when they agree)."""
        state = persona.state
        energy, fatigue, time_s = self.of(persona.id)
        if (
            state.social_energy == energy
            and state.interaction_fatigue == fatigue
            and state.available_time_s == time_s
        ):
            return persona
        return persona.with_state(
            social_energy=energy, interaction_fatigue=fatigue, available_time_s=time_s
        )
