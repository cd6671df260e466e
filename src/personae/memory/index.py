"""Brute-force vector search in numpy, partitioned by owner.

Each persona's memories sit in their own float32 matrix, next to the columns retrieval scores
(last use, importance, tier, subject). A recall multiplies only the asking persona's matrix by the
query (knowledge isolation and speed in one step: nobody else's memories are even read), then
scores and selects the top k with `scoring`. benchmarks/bench_memory.py measures this at 10k,
100k and 1M memories.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from personae.domain.memory import Memory, MemoryTier
from personae.memory.embeddings.protocol import Matrix, Vector
from personae.memory.scoring import retrieval_scores, top_k
from personae.memory.settings import RetrievalSettings

_TIER_CODES = {MemoryTier.HOT: 0, MemoryTier.WARM: 1, MemoryTier.COLD: 2}
_NO_SUBJECT = -1
_INITIAL_CAPACITY = 64
_Scalar = TypeVar("_Scalar", bound=np.generic)


@dataclass(frozen=True)
class Hit:
    """One recalled memory id with its score and normalised components."""

    memory_id: str
    score: float
    recency: float
    importance: float
    relevance: float
    similarity: float
    """The raw cosine similarity between the query and the memory."""


class OwnerIndex:
    """One persona's searchable memories as numpy columns that grow by doubling."""

    def __init__(self, dimensions: int) -> None:
        self._dimensions = dimensions
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._subjects: dict[str, int] = {}
        self._vectors: Matrix = np.zeros((_INITIAL_CAPACITY, dimensions), dtype=np.float32)
        self._last_used_s = np.zeros(_INITIAL_CAPACITY, dtype=np.float64)
        self._importance = np.zeros(_INITIAL_CAPACITY, dtype=np.float64)
        self._tier = np.zeros(_INITIAL_CAPACITY, dtype=np.int8)
        self._subject = np.zeros(_INITIAL_CAPACITY, dtype=np.int32)
        self._active = np.zeros(_INITIAL_CAPACITY, dtype=bool)

    @classmethod
    def from_columns(
        cls,
        ids: Sequence[str],
        vectors: Matrix,
        *,
        last_used_s: NDArray[np.float64],
        importance: NDArray[np.float64],
    ) -> OwnerIndex:
        """An index over rows loaded in bulk (a store reading its table, a benchmark), without
        building a `Memory` per row. `vectors` is adopted, not copied: at a million rows a copy
        would double 1.5 GB. Every row is current, hot and about no one until `refresh`ed."""
        count = len(ids)
        if (
            vectors.shape[0] != count
            or last_used_s.shape != (count,)
            or importance.shape != (count,)
        ):
            raise ValueError(f"{count} ids need {count} vectors, last uses and importances")
        if len(set(ids)) != count:
            raise ValueError("ids must be unique")
        index = cls(int(vectors.shape[1]))
        index._ids = list(ids)
        index._rows = {memory_id: row for row, memory_id in enumerate(ids)}
        index._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index._last_used_s = np.asarray(last_used_s, dtype=np.float64).copy()
        index._importance = np.asarray(importance, dtype=np.float64).copy()
        index._tier = np.zeros(count, dtype=np.int8)
        index._subject = np.full(count, _NO_SUBJECT, dtype=np.int32)
        index._active = np.ones(count, dtype=bool)
        return index

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, memory_id: object) -> bool:
        return memory_id in self._rows

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def put(self, memory: Memory, vector: Vector) -> None:
        """Add a memory with its vector, or replace both for a known id."""
        if vector.shape != (self._dimensions,):
            raise ValueError(
                f"memory {memory.id!r}: vector has shape {vector.shape}, "
                f"the index holds {self._dimensions} dimensions"
            )
        row = self._rows.get(memory.id)
        if row is None:
            row = len(self._ids)
            self._grow_to(row + 1)
            self._ids.append(memory.id)
            self._rows[memory.id] = row
        self._vectors[row] = vector
        self._write_columns(row, memory)

    def put_many(self, memories: Sequence[Memory], vectors: Matrix) -> None:
        """`put` for many memories at once: one copy of the whole block of vectors."""
        if len(memories) != vectors.shape[0]:
            raise ValueError(f"{len(memories)} memories but {vectors.shape[0]} vectors")
        fresh = [m for m in memories if m.id not in self._rows]
        if len(fresh) == len(memories) and len({m.id for m in fresh}) == len(fresh):
            start = len(self._ids)
            self._grow_to(start + len(fresh))
            self._vectors[start : start + len(fresh)] = vectors
            for offset, memory in enumerate(fresh):
                self._ids.append(memory.id)
                self._rows[memory.id] = start + offset
                self._write_columns(start + offset, memory)
            return
        for memory, vector in zip(memories, vectors, strict=True):
            self.put(memory, vector)

    def refresh(self, memory: Memory) -> None:
        """Take over a known memory's changed fields (last use, importance, tier, superseded)."""
        row = self._rows.get(memory.id)
        if row is None:
            raise KeyError(memory.id)
        self._write_columns(row, memory)

    def search(
        self,
        query: Vector,
        now_s: float,
        settings: RetrievalSettings,
        *,
        k: int | None = None,
        about_id: str | None = None,
    ) -> list[Hit]:
        """The best `k` (default `settings.top_k`) active memories in the searched tiers, by
        retrieval score, best first; min-max normalisation runs over exactly those candidates."""
        count = len(self._ids)
        if count == 0:
            return []
        similarity = self._vectors[:count] @ np.asarray(query, dtype=np.float32)
        candidates = self._candidates(count, settings, about_id)
        if candidates is not None:
            if candidates.size == 0:
                return []
            similarity = similarity[candidates]
            last_used = self._last_used_s[candidates]
            importance = self._importance[candidates]
        else:
            last_used = self._last_used_s[:count]
            importance = self._importance[:count]
        columns = retrieval_scores(similarity, last_used, importance, now_s, settings)
        best = top_k(columns.total, settings.top_k if k is None else k)
        rows = candidates[best] if candidates is not None else best
        return [
            Hit(
                memory_id=self._ids[int(row)],
                score=float(columns.total[position]),
                recency=float(columns.recency[position]),
                importance=float(columns.importance[position]),
                relevance=float(columns.relevance[position]),
                similarity=float(similarity[position]),
            )
            for row, position in zip(rows, best, strict=True)
        ]

    def nearest(self, query: Vector, *, about_id: str | None = None) -> tuple[str, float] | None:
        """The active memory most similar to `query` (optionally about one subject), with its
        cosine similarity: for duplicate detection."""
        count = len(self._ids)
        if count == 0:
            return None
        mask = self._active[:count].copy()
        if about_id is not None:
            mask &= self._subject[:count] == self._subjects.get(about_id, -2)
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return None
        similarity = self._vectors[rows] @ np.asarray(query, dtype=np.float32)
        best = int(np.argmax(similarity))
        return self._ids[int(rows[best])], float(similarity[best])

    def vectors_of(self, memory_ids: Sequence[str]) -> Matrix:
        return self._vectors[[self._rows[i] for i in memory_ids]]

    def _candidates(
        self, count: int, settings: RetrievalSettings, about_id: str | None
    ) -> NDArray[np.intp] | None:
        """Rows a recall may return, or None when every row qualifies (no copy needed)."""
        mask = self._active[:count]
        codes = sorted(_TIER_CODES[tier] for tier in set(settings.searched_tiers))
        if len(codes) < len(_TIER_CODES):
            mask = mask & np.isin(self._tier[:count], codes)
        if about_id is not None:
            mask = mask & (self._subject[:count] == self._subjects.get(about_id, -2))
        if bool(mask.all()):
            return None
        return np.flatnonzero(mask)

    def _write_columns(self, row: int, memory: Memory) -> None:
        self._last_used_s[row] = max(memory.created_at_s, memory.last_accessed_s)
        self._importance[row] = memory.importance
        self._tier[row] = _TIER_CODES[memory.tier]
        self._subject[row] = self._subject_code(memory.about_id)
        self._active[row] = memory.superseded_by is None

    def _subject_code(self, about_id: str | None) -> int:
        if about_id is None:
            return _NO_SUBJECT
        return self._subjects.setdefault(about_id, len(self._subjects))

    def _grow_to(self, size: int) -> None:
        if size <= self._vectors.shape[0]:
            return
        capacity = max(self._vectors.shape[0], _INITIAL_CAPACITY)
        while capacity < size:
            capacity *= 2
        self._vectors = _resized(self._vectors, capacity)
        self._last_used_s = _resized(self._last_used_s, capacity)
        self._importance = _resized(self._importance, capacity)
        self._tier = _resized(self._tier, capacity)
        self._subject = _resized(self._subject, capacity)
        self._active = _resized(self._active, capacity)


def _resized(array: NDArray[_Scalar], capacity: int) -> NDArray[_Scalar]:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown


class MemoryIndex:
    """Every owner's `OwnerIndex`, created on first use."""

    def __init__(self, dimensions: int) -> None:
        self._dimensions = dimensions
        self._owners: dict[str, OwnerIndex] = {}

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def owner(self, owner_id: str) -> OwnerIndex:
        index = self._owners.get(owner_id)
        if index is None:
            index = self._owners[owner_id] = OwnerIndex(self._dimensions)
        return index

    def adopt(self, owner_id: str, index: OwnerIndex) -> None:
        """Install an index built in bulk (`OwnerIndex.from_columns`) as `owner_id`'s."""
        if index.dimensions != self._dimensions:
            raise ValueError(
                f"{owner_id}: index has {index.dimensions} dimensions, expected {self._dimensions}"
            )
        self._owners[owner_id] = index

    def has_owner(self, owner_id: str) -> bool:
        return owner_id in self._owners

    def owners(self) -> Iterator[str]:
        return iter(self._owners)

    def __len__(self) -> int:
        return sum(len(index) for index in self._owners.values())
