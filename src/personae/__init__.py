"""personae: AI personas with social dynamics, conversations and living worlds.

The names here are the stable Python API; see the README for a tour.
"""

from personae.domain import (
    BigFive,
    ConversationContext,
    InteractionState,
    Persona,
    Priority,
    Relationship,
    Relationships,
)
from personae.dynamics import (
    DynamicsSettings,
    ExitReason,
    ScoreBreakdown,
    ScoreRows,
    Tier,
    TierName,
    TurnManager,
    batch_continue_scores,
    continue_score,
    explain,
    group_continue_score,
    route_tier,
)
from personae.errors import InputError, PersonaeError
from personae.files import PersonaFile, load_persona_file

__version__ = "0.1.0"

__all__ = [
    "BigFive",
    "ConversationContext",
    "DynamicsSettings",
    "ExitReason",
    "InputError",
    "InteractionState",
    "Persona",
    "PersonaFile",
    "PersonaeError",
    "Priority",
    "Relationship",
    "Relationships",
    "ScoreBreakdown",
    "ScoreRows",
    "Tier",
    "TierName",
    "TurnManager",
    "__version__",
    "batch_continue_scores",
    "continue_score",
    "explain",
    "group_continue_score",
    "load_persona_file",
    "route_tier",
]
