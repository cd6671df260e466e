"""Typed data shared by every layer of personae. Imports nothing else of ours."""

from personae.domain.conversation import ConversationContext
from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.domain.persona import BigFive, InteractionState, Persona, Priority
from personae.domain.relationship import Relationship, Relationships, pair_key
from personae.domain.turn import ConversationRecord, ConversationStatus, Turn
from personae.domain.usage import Outcome, Purpose, UsageRecord
from personae.domain.world import (
    Event,
    EventEffects,
    Migration,
    PersonaSnapshot,
    Room,
    RoomModifiers,
)

__all__ = [
    "BigFive",
    "ConversationContext",
    "ConversationRecord",
    "ConversationStatus",
    "Event",
    "EventEffects",
    "InteractionState",
    "Memory",
    "MemoryKind",
    "MemoryTier",
    "Migration",
    "Outcome",
    "Persona",
    "PersonaSnapshot",
    "Priority",
    "Purpose",
    "Relationship",
    "Relationships",
    "Room",
    "RoomModifiers",
    "Turn",
    "UsageRecord",
    "pair_key",
]
