"""What personas remember: embeddings, retrieval, tiers and decay, fact bookkeeping, health.

Imports `personae.domain` and libraries (and `personae.llm` for fact extraction only). Embedding
backends live in `personae.memory.embeddings.minilm` / `.openai_compatible`, chosen with
`personae.memory.embeddings.spec.embedder_from_spec`; they are not imported here, so that code
which never embeds does not load tokenizers or the openai SDK.
"""

from personae.memory.decay import apply_decay, memory_retention, retention, tier_for
from personae.memory.embeddings import Embedder
from personae.memory.facts import (
    FactDecision,
    Insert,
    KnowledgeError,
    Merge,
    Provenance,
    Supersede,
    normalise_text,
    provenance,
    reconcile,
    telling_chain,
    told_fact,
)
from personae.memory.health import MemoryHealth, memory_health
from personae.memory.index import Hit, MemoryIndex, OwnerIndex
from personae.memory.prompt import format_memories
from personae.memory.repository import (
    InMemoryMemoryRepository,
    MemoryRepository,
    UnknownMemoryError,
)
from personae.memory.scoring import min_max_normalise, recency, retrieval_scores, top_k
from personae.memory.service import PersonaMemory, Recalled, Remembered
from personae.memory.settings import (
    DEFAULT_MEMORY_SETTINGS,
    DecayFunction,
    DecaySettings,
    FactSettings,
    HealthSettings,
    MemorySettings,
    PromptSettings,
    RetrievalSettings,
    VectorIndexSettings,
)

__all__ = [
    "DEFAULT_MEMORY_SETTINGS",
    "DecayFunction",
    "DecaySettings",
    "Embedder",
    "FactDecision",
    "FactSettings",
    "HealthSettings",
    "Hit",
    "InMemoryMemoryRepository",
    "Insert",
    "KnowledgeError",
    "MemoryHealth",
    "MemoryIndex",
    "MemoryRepository",
    "MemorySettings",
    "Merge",
    "OwnerIndex",
    "PersonaMemory",
    "PromptSettings",
    "Provenance",
    "Recalled",
    "Remembered",
    "RetrievalSettings",
    "Supersede",
    "UnknownMemoryError",
    "VectorIndexSettings",
    "apply_decay",
    "format_memories",
    "memory_health",
    "memory_retention",
    "min_max_normalise",
    "normalise_text",
    "provenance",
    "recency",
    "reconcile",
    "retention",
    "retrieval_scores",
    "telling_chain",
    "tier_for",
    "told_fact",
    "top_k",
]
