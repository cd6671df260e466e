"""How rooms and events change the personas inside them, as data through one mechanism.

The stored persona is its *base*; what a room and its active events make of it is a *view*,
computed whenever a decision needs it and never stored, so moving between rooms cannot compound
a multiplier. When a conversation ends, `settle` carries what changed in the view back to the base.
"""

from __future__ import annotations

from collections.abc import Sequence

from personae.domain.copies import with_changes
from personae.domain.persona import InteractionState, Persona, Priority
from personae.domain.world import Event, Room
from personae.world.selection import Candidate
from personae.world.vitals import Resting

URGENCY: dict[Priority, int] = {
    Priority.NONE: 0,
    Priority.CASUAL: 1,
    Priority.SOCIAL: 2,
    Priority.ACADEMIC: 3,
    Priority.BUSINESS: 4,
    Priority.IMPORTANT: 5,
    Priority.URGENT: 6,
}


def in_room(
    persona: Persona, room: Room, events: Sequence[Event] = (), resting: Resting | None = None
) -> Persona:
    """The persona as `room` and its active `events` make it; with `resting`, as if its
    resting numbers were those (the world loop keeps them apart, see `vitals`).

    A room's default priority applies when it is more pressing than the persona's own (the
    fortress makes everyone urgent; a king at war stays urgent in the tavern); an event's
    priority applies to everyone. Bonuses add, multipliers multiply.
    """
    state = persona.state
    if resting is None:
        resting = Resting(state.social_energy, state.interaction_fatigue, state.available_time_s)
    priority = state.current_priority
    if URGENCY[room.default_priority] > URGENCY[priority]:
        priority = room.default_priority
    for event in events:
        if event.effects.all_personas_priority is not None:
            priority = event.effects.all_personas_priority
    energy, available = felt_energy_and_time(resting, room, events)
    return persona.with_state(
        current_priority=priority,
        interest_level=felt_interest(state.interest_level, room, events),
        social_energy=energy,
        interaction_fatigue=resting.interaction_fatigue,
        available_time_s=available,
    )


def felt_energy_and_time(
    resting: Resting, room: Room, events: Sequence[Event] = ()
) -> tuple[float, float]:
    """Social energy and available time as `room` and its active `events` make them: what
    decides whether a persona is free to talk there, without making its whole view."""
    energy = resting.social_energy + room.modifiers.social_energy_bonus
    available = resting.available_time_s * room.modifiers.available_time_multiplier
    for event in events:
        energy += event.effects.social_energy_bonus
        available *= event.effects.available_time_multiplier
    return _clamp(energy, 0, 200), max(0.0, available)


def candidate_in_room(
    persona: Persona, available_time_s: float, room: Room, events: Sequence[Event] = ()
) -> Candidate:
    """What choosing who talks reads of `persona` in `room`: `Candidate.of` its view, without
    making the view. `available_time_s` is its time there (from `felt_energy_and_time`)."""
    state = persona.state
    return Candidate(
        persona.id,
        persona.charisma,
        persona.status,
        state.cooldown_until_s,
        available_time_s,
        felt_interest(state.interest_level, room, events),
        persona.topics,
    )


def felt_interest(interest_level: float, room: Room, events: Sequence[Event] = ()) -> float:
    """Interest level as `room` and its active `events` make it."""
    interest = interest_level + room.modifiers.interest_level_bonus
    for event in events:
        interest += event.effects.interest_level_bonus
    return _clamp(interest, 0, 100)


def room_topics(room: Room, events: Sequence[Event] = ()) -> list[str]:
    """The topics a room leans to; the latest active event with an override replaces them."""
    topics = room.topic_bias
    for event in events:
        if event.effects.topic_bias_override:
            topics = event.effects.topic_bias_override
    return list(topics)


def settle(
    base: InteractionState, start: InteractionState, end: InteractionState, duration_s: float
) -> InteractionState:
    """The base state after a conversation that began at view `start` and ended at view `end`.

    Fatigue and cooldown are taken as they ended; energy and interest move by what the talk
    changed; available time is charged the duration; the priority is the persona's own.
    """
    return with_changes(
        base,
        {
            "interaction_fatigue": end.interaction_fatigue,
            "social_energy": _clamp(
                base.social_energy + end.social_energy - start.social_energy, 0, 200
            ),
            "interest_level": _clamp(
                base.interest_level + end.interest_level - start.interest_level, 0, 100
            ),
            "available_time_s": max(0.0, base.available_time_s - duration_s),
            "cooldown_until_s": end.cooldown_until_s,
        },
    )


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))
