"""Tunables of the world loop, with units in their names; a world file overrides them under
`simulation:`."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class WorldSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tick_s: float = Field(30.0, gt=0, description="world seconds one tick advances")
    ticks: int = Field(20, ge=1, description="ticks a run lasts unless --ticks says otherwise")
    seed: int = 1
    llm: str | None = Field(None, description="backend spec; None means the default (embedded)")
    max_llm_calls_in_flight: int = Field(2, ge=1, le=1000)
    # Seed 000's participant filter: who is free to start a conversation.
    min_social_energy: float = 30.0
    min_available_time_s: float = 60.0
    max_participants: int = Field(3, ge=2, le=8)
    third_participant_chance: float = Field(0.3, ge=0, le=1)
    initiator_die_sides: int = 10
    # Idle personas win back the time they are willing to talk, up to what they started with.
    available_time_regen_per_s: float = 0.5
    # Migration (seed 000): high energy seeks livelier rooms, low energy quieter ones, fatigue
    # other topics. Each idle persona considers moving with this chance per tick, once it has
    # stayed `min_stay_s` in its room.
    migration_chance: float = Field(0.25, ge=0, le=1)
    min_stay_s: float = 120.0
    lively_energy_above: float = 80.0
    quiet_energy_below: float = 30.0
    bored_fatigue_above: float = 50.0
