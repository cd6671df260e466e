"""Where memories live: the `MemoryRepository` protocol and an in-memory implementation.

The protocol is the subset of the SQL store's memory repository
(`personae.store.repositories.memories.MemoryRepository`, reached as `store.memories`) that the
memory layer needs, with the same method names and parameters: the store implements it as it
is, so `PersonaMemory(store.memories, ...)` works on SQLite and PostgreSQL, and
`InMemoryMemoryRepository` below runs the same logic without a database.

Nothing is deleted through this protocol: superseding a fact marks the older one, which stays in
history. Vectors are stored with the name of the model that made them (`Embedder.name`).
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.errors import PersonaeError


class UnknownMemoryError(PersonaeError):
    """A memory id was named that the repository does not hold."""


class DuplicateMemoryError(PersonaeError):
    """A memory was added under an id the repository already holds."""


@runtime_checkable
class MemoryRepository(Protocol):
    """The storage seam of the memory layer. Lists are ordered by (`created_at_s`, `id`)."""

    def add(
        self,
        memory: Memory,
        embedding: npt.ArrayLike | None = None,
        embedding_model: str | None = None,
    ) -> None:
        """Store a new memory, with its vector and the vector's model when given."""
        ...

    def update(self, memory: Memory) -> None:
        """Replace the stored fields of an existing memory (tier, importance, last access,
        pinned, superseded_by); its vector is kept."""
        ...

    def update_many(self, memories: Sequence[Memory]) -> None:
        """`update` for several memories at once (a recall touching what it recalled)."""
        ...

    def get(self, memory_id: str) -> Memory | None: ...

    def get_many(self, memory_ids: Sequence[str]) -> dict[str, Memory]:
        """The stored memories among `memory_ids`, by id; unknown ids are left out."""
        ...

    def list(
        self,
        owner_id: str,
        about_id: str | None = None,
        kind: MemoryKind | None = None,
        tier: MemoryTier | None = None,
        include_superseded: bool = False,
    ) -> builtins.list[Memory]:
        """What `owner_id` remembers, oldest first; superseded facts only when asked."""
        ...

    def supersede(self, old_id: str, new_id: str) -> None:
        """Mark `old_id` as replaced by `new_id`; both must exist. The old memory stays."""
        ...

    def set_embedding(self, memory_id: str, embedding: npt.ArrayLike, model: str) -> None:
        """Store or replace one memory's vector (after re-embedding with another model)."""
        ...

    def embeddings(
        self, owner_id: str, model: str, include_superseded: bool = False
    ) -> tuple[builtins.list[str], npt.NDArray[np.float32]]:
        """The ids and an (n, dimensions) float32 matrix of `owner_id`'s memories that have a
        vector made by `model`."""
        ...


class InMemoryMemoryRepository:
    """`MemoryRepository` in dicts: for tests, benchmarks and runs that keep nothing."""

    def __init__(self, memories: Sequence[Memory] = ()) -> None:
        self._memories: dict[str, Memory] = {}
        self._vectors: dict[str, tuple[str, npt.NDArray[np.float32]]] = {}
        for memory in memories:
            self.add(memory)

    def add(
        self,
        memory: Memory,
        embedding: npt.ArrayLike | None = None,
        embedding_model: str | None = None,
    ) -> None:
        if memory.id in self._memories:
            raise DuplicateMemoryError(f"memory {memory.id!r} exists already")
        if embedding is not None and not embedding_model:
            raise ValueError("an embedding needs the name of the model that made it")
        self._memories[memory.id] = memory
        if embedding is not None and embedding_model:
            self._vectors[memory.id] = (embedding_model, _vector(embedding))

    def update(self, memory: Memory) -> None:
        self._require(memory.id)
        self._memories[memory.id] = memory

    def update_many(self, memories: Sequence[Memory]) -> None:
        for memory in memories:
            self._require(memory.id)
        for memory in memories:
            self._memories[memory.id] = memory

    def get(self, memory_id: str) -> Memory | None:
        return self._memories.get(memory_id)

    def get_many(self, memory_ids: Sequence[str]) -> dict[str, Memory]:
        return {i: self._memories[i] for i in memory_ids if i in self._memories}

    def list(
        self,
        owner_id: str,
        about_id: str | None = None,
        kind: MemoryKind | None = None,
        tier: MemoryTier | None = None,
        include_superseded: bool = False,
    ) -> builtins.list[Memory]:
        found = [
            m
            for m in self._memories.values()
            if m.owner_id == owner_id
            and (about_id is None or m.about_id == about_id)
            and (kind is None or m.kind is kind)
            and (tier is None or m.tier is tier)
            and (include_superseded or m.superseded_by is None)
        ]
        return sorted(found, key=lambda m: (m.created_at_s, m.id))

    def supersede(self, old_id: str, new_id: str) -> None:
        old = self._require(old_id)
        self._require(new_id)
        self._memories[old_id] = old.model_copy(update={"superseded_by": new_id})

    def set_embedding(self, memory_id: str, embedding: npt.ArrayLike, model: str) -> None:
        self._require(memory_id)
        self._vectors[memory_id] = (model, _vector(embedding))

    def embeddings(
        self, owner_id: str, model: str, include_superseded: bool = False
    ) -> tuple[builtins.list[str], npt.NDArray[np.float32]]:
        ids = [
            m.id
            for m in self.list(owner_id, include_superseded=include_superseded)
            if m.id in self._vectors and self._vectors[m.id][0] == model
        ]
        if not ids:
            return [], np.zeros((0, 0), dtype=np.float32)
        return ids, np.vstack([self._vectors[i][1] for i in ids])

    def _require(self, memory_id: str) -> Memory:
        memory = self._memories.get(memory_id)
        if memory is None:
            raise UnknownMemoryError(f"no memory with id {memory_id!r}")
        return memory


def _vector(embedding: npt.ArrayLike) -> npt.NDArray[np.float32]:
    vector = np.asarray(embedding, dtype=np.float32).copy()
    if vector.ndim != 1 or vector.size == 0:
        raise ValueError(f"an embedding must be one non-empty vector, got shape {vector.shape}")
    return vector
