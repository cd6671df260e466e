"""Where memories live: the `MemoryRepository` protocol and an in-memory implementation.

The SQL store implements the same protocol over its tables; everything in `personae.memory` talks
only to this protocol, so it is tested without a database and runs on SQLite or PostgreSQL alike.

Nothing is deleted through this protocol: superseding a fact marks the older one, which stays in
history.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

import numpy as np

from personae.domain.memory import Memory
from personae.errors import PersonaeError
from personae.memory.embeddings.protocol import Vector

EMBEDDING_BYTE_ORDER = "<f4"
"""Persisted vectors are little-endian float32, 4 bytes per dimension."""


class UnknownMemoryError(PersonaeError):
    """A memory id was named that the repository does not hold."""


class DuplicateMemoryError(PersonaeError):
    """A memory was added under an id the repository already holds."""


@dataclass(frozen=True)
class StoredEmbedding:
    """A memory's vector and the embedding model that made it (`Embedder.name`). Vectors of
    different models are never compared: a retriever re-embeds memories whose model differs."""

    model: str
    vector: Vector

    def to_bytes(self) -> bytes:
        return np.asarray(self.vector, dtype=EMBEDDING_BYTE_ORDER).tobytes()

    @classmethod
    def from_bytes(cls, model: str, blob: bytes) -> StoredEmbedding:
        vector = np.frombuffer(blob, dtype=EMBEDDING_BYTE_ORDER).astype(np.float32)
        return cls(model=model, vector=vector)


@runtime_checkable
class MemoryRepository(Protocol):
    """The storage seam of the memory layer. Implementations: `InMemoryMemoryRepository` here,
    the SQL store in `personae.store`.

    Ordering contract: every list is ordered by (`created_at_s`, `id`).
    """

    def add(self, memory: Memory, embedding: StoredEmbedding | None = None) -> None:
        """Store a new memory (and its vector, if any). Raises `DuplicateMemoryError` when the
        id exists."""
        ...

    def get(self, memory_id: str) -> Memory | None: ...

    def update(self, memory: Memory) -> None:
        """Replace the stored fields of an existing memory (tier, importance, last access,
        pinned, superseded_by). Raises `UnknownMemoryError` when the id is unknown."""
        ...

    def supersede(self, old_id: str, new_id: str) -> None:
        """Mark `old_id` as replaced by `new_id`; both must exist. The old memory stays."""
        ...

    def by_owner(self, owner_id: str, *, include_superseded: bool = False) -> list[Memory]:
        """Everything one persona remembers (superseded facts only when asked)."""
        ...

    def all_memories(self, *, include_superseded: bool = True) -> list[Memory]:
        """Every owner's memories: for provenance queries across personas."""
        ...

    def embeddings(self, memory_ids: Sequence[str]) -> dict[str, StoredEmbedding]:
        """The stored vectors of those ids that have one."""
        ...

    def set_embedding(self, memory_id: str, embedding: StoredEmbedding) -> None:
        """Store or replace one memory's vector (after re-embedding with another model)."""
        ...


def _order_key(memory: Memory) -> tuple[float, str]:
    return (memory.created_at_s, memory.id)


class InMemoryMemoryRepository:
    """`MemoryRepository` in a dict: for tests, benchmarks and runs that keep nothing."""

    def __init__(self, memories: Sequence[Memory] = ()) -> None:
        self._memories: dict[str, Memory] = {}
        self._embeddings: dict[str, StoredEmbedding] = {}
        for memory in memories:
            self.add(memory)

    def add(self, memory: Memory, embedding: StoredEmbedding | None = None) -> None:
        if memory.id in self._memories:
            raise DuplicateMemoryError(f"memory {memory.id!r} exists already")
        self._memories[memory.id] = memory
        if embedding is not None:
            self._embeddings[memory.id] = embedding

    def get(self, memory_id: str) -> Memory | None:
        return self._memories.get(memory_id)

    def update(self, memory: Memory) -> None:
        self._require(memory.id)
        self._memories[memory.id] = memory

    def supersede(self, old_id: str, new_id: str) -> None:
        old = self._require(old_id)
        self._require(new_id)
        self._memories[old_id] = old.model_copy(update={"superseded_by": new_id})

    def by_owner(self, owner_id: str, *, include_superseded: bool = False) -> list[Memory]:
        found = [
            memory
            for memory in self._memories.values()
            if memory.owner_id == owner_id and (include_superseded or memory.superseded_by is None)
        ]
        return sorted(found, key=_order_key)

    def all_memories(self, *, include_superseded: bool = True) -> list[Memory]:
        found = [
            memory
            for memory in self._memories.values()
            if include_superseded or memory.superseded_by is None
        ]
        return sorted(found, key=_order_key)

    def embeddings(self, memory_ids: Sequence[str]) -> dict[str, StoredEmbedding]:
        return {i: self._embeddings[i] for i in memory_ids if i in self._embeddings}

    def set_embedding(self, memory_id: str, embedding: StoredEmbedding) -> None:
        self._require(memory_id)
        self._embeddings[memory_id] = embedding

    def _require(self, memory_id: str) -> Memory:
        memory = self._memories.get(memory_id)
        if memory is None:
            raise UnknownMemoryError(f"no memory with id {memory_id!r}")
        return memory
