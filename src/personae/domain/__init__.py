"""Typed data shared by every layer of personae. Imports nothing else of ours."""

from personae.domain.conversation import ConversationContext
from personae.domain.persona import BigFive, InteractionState, Persona, Priority
from personae.domain.relationship import Relationship, Relationships, pair_key

__all__ = [
    "BigFive",
    "ConversationContext",
    "InteractionState",
    "Persona",
    "Priority",
    "Relationship",
    "Relationships",
    "pair_key",
]
