"""How the interaction state moves: talking tires and drains, idling restores, interest follows
the topic."""

from __future__ import annotations

from enum import StrEnum

from personae.domain.copies import with_changes
from personae.domain.persona import InteractionState, Persona
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


class Role(StrEnum):
    SPEAKER = "speaker"
    LISTENER = "listener"


def fatigue_gain(persona: Persona, fatigue_rate: float, settings: DynamicsSettings) -> float:
    """Fatigue one turn adds: extraverts tire slower, introverts faster; rooms scale it."""
    st = settings.state
    extraversion_factor = (
        1 + st.extraversion_fatigue_weight * (50 - persona.big_five.extraversion) / 100
    )
    return st.fatigue_per_turn * fatigue_rate * extraversion_factor


def after_turn(
    persona: Persona,
    role: Role,
    topic: str,
    fatigue_rate: float = 1.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> InteractionState:
    """The persona's state after one turn of a conversation it takes part in."""
    st = settings.state
    state = persona.state
    cost = st.speaker_energy_cost if role is Role.SPEAKER else st.listener_energy_cost
    preference = persona.topic_interest(topic, settings.score.topic_unknown_interest)
    interest = state.interest_level + (preference - state.interest_level) * st.interest_follow_rate
    return with_changes(
        state,
        {
            "interaction_fatigue": min(
                100.0, state.interaction_fatigue + fatigue_gain(persona, fatigue_rate, settings)
            ),
            "social_energy": max(0.0, state.social_energy - cost),
            "interest_level": min(100.0, max(0.0, interest)),
        },
    )


def idle_recovery(
    social_energy: float,
    interaction_fatigue: float,
    elapsed_s: float,
    regen_multiplier: float = 1.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> tuple[float, float]:
    """Social energy and fatigue after `elapsed_s` world seconds without talking: energy returns
    (up to the cap; energy already above it, as at a party, is kept but does not grow) and
    fatigue fades."""
    st = settings.state
    energy = social_energy
    if energy < st.max_social_energy:
        energy = min(
            st.max_social_energy, energy + elapsed_s * st.energy_regen_per_s * regen_multiplier
        )
    return energy, max(0.0, interaction_fatigue - elapsed_s * st.fatigue_recovery_per_s)


def while_idle(
    state: InteractionState,
    elapsed_s: float,
    regen_multiplier: float = 1.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> InteractionState:
    """The state after `elapsed_s` world seconds without talking (see `idle_recovery`)."""
    energy, fatigue = idle_recovery(
        state.social_energy, state.interaction_fatigue, elapsed_s, regen_multiplier, settings
    )
    return with_changes(state, {"social_energy": energy, "interaction_fatigue": fatigue})
