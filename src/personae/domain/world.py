"""Rooms and events: the places of a world and what happens to them (seed 000's chatrooms).

A room is data: its modifiers change the personas inside it through one mechanism
(`personae.world.modifiers`), never through `if room.id == ...` branches.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, model_validator

from personae.domain.persona import PERSONA_ID_PATTERN, Priority


class RoomModifiers(BaseModel):
    """How a room changes the personas in it. Neutral values change nothing."""

    model_config = ConfigDict(extra="forbid")

    interest_level_bonus: float = Field(0, ge=-100, le=100)
    social_energy_bonus: float = Field(0, ge=-100, le=100)
    available_time_multiplier: float = Field(1.0, gt=0, le=10)
    fatigue_rate: float = Field(1.0, ge=0, le=10, description="multiplies fatigue gained per line")


class Room(BaseModel):
    """A themed room: its social contract, topics and atmosphere (seed 000's room schema)."""

    model_config = ConfigDict(extra="forbid")

    room_id: str = Field(pattern=PERSONA_ID_PATTERN)
    name: str = Field(min_length=1)
    description: str = ""
    emoji: str = ""
    default_priority: Priority = Priority.CASUAL
    mood: str = "casual"
    topic_bias: list[str] = Field(min_length=1)
    max_concurrent_conversations: int = Field(3, ge=1, le=1000)
    energy_regen_rate: float = Field(1.0, ge=0, le=20, description="energy regained, x base rate")
    modifiers: RoomModifiers = Field(default_factory=RoomModifiers)
    exit_phrases: list[str] = Field(default_factory=list)
    atmosphere: dict[str, str] = Field(default_factory=dict)


class EventEffects(BaseModel):
    """What an event does to the rooms it affects while it lasts."""

    model_config = ConfigDict(extra="forbid")

    all_personas_priority: Priority | None = None
    topic_bias_override: list[str] | None = None
    social_energy_bonus: float = Field(0, ge=-100, le=100)
    interest_level_bonus: float = Field(0, ge=-100, le=100)
    available_time_multiplier: float = Field(1.0, gt=0, le=10)


class Event(BaseModel):
    """A scheduled happening: from `start_s` (world seconds) for `duration_s`, in `affected_rooms`.

    `every_s` repeats it; a zero `duration_s` means it lasts until the end of the run.
    """

    model_config = ConfigDict(extra="forbid")

    event_id: str = Field(pattern=PERSONA_ID_PATTERN)
    name: str = ""
    description: str = ""
    affected_rooms: list[str] = Field(min_length=1)
    start_s: float = Field(0, ge=0)
    duration_s: float = Field(300, ge=0)
    every_s: float | None = Field(None, gt=0)
    effects: EventEffects = Field(default_factory=EventEffects)

    @model_validator(mode="after")
    def _repeat_longer_than_duration(self) -> Event:
        if self.every_s is not None and self.duration_s and self.every_s < self.duration_s:
            raise ValueError("every_s must be at least duration_s, or the event overlaps itself")
        return self

    def active_at(self, now_s: float) -> bool:
        if now_s < self.start_s:
            return False
        elapsed = now_s - self.start_s
        if self.every_s is not None:
            elapsed %= self.every_s
        return self.duration_s == 0 or elapsed < self.duration_s


class Migration(BaseModel):
    """A persona moving from one room to another at a world time, and why."""

    model_config = ConfigDict(extra="forbid")

    persona_id: str
    from_room: str
    to_room: str
    at_s: float = Field(ge=0)
    reason: str = ""


class PersonaSnapshot(BaseModel):
    """Where a persona was and how it felt at the end of a tick: trajectories are made of these."""

    model_config = ConfigDict(extra="forbid")

    tick: int = Field(ge=0)
    at_s: float = Field(ge=0)
    persona_id: str
    room_id: str
    social_energy: float
    interaction_fatigue: float
    available_time_s: float
    talking: bool = False
