"""Typed data shared by every layer of personae. Imports nothing else of ours."""

from personae.domain.conversation import ConversationContext
from personae.domain.lorebook import Lorebook, LoreEntry, LorePosition, SelectiveLogic
from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.domain.persona import BigFive, InteractionState, Persona, Priority
from personae.domain.profile import (
    AITraits,
    CardRecord,
    CustomTrait,
    FrameworkBlending,
    MemoryPreferences,
    PrivacySettings,
    Profile,
    RoutingPreferences,
    TraitInfluence,
    VoiceSettings,
)
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
    "AITraits",
    "BigFive",
    "CardRecord",
    "ConversationContext",
    "ConversationRecord",
    "ConversationStatus",
    "CustomTrait",
    "Event",
    "EventEffects",
    "FrameworkBlending",
    "InteractionState",
    "LoreEntry",
    "LorePosition",
    "Lorebook",
    "Memory",
    "MemoryKind",
    "MemoryPreferences",
    "MemoryTier",
    "Migration",
    "Outcome",
    "Persona",
    "PersonaSnapshot",
    "Priority",
    "PrivacySettings",
    "Profile",
    "Purpose",
    "Relationship",
    "Relationships",
    "Room",
    "RoomModifiers",
    "RoutingPreferences",
    "SelectiveLogic",
    "TraitInfluence",
    "Turn",
    "UsageRecord",
    "VoiceSettings",
    "pair_key",
]
