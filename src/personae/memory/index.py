"""Vector search in numpy, partitioned by owner: brute force, or two stages for large owners.

Each persona's memories sit in their own float32 matrix, next to the columns retrieval scores
(last use, importance, tier, subject). A recall reads only the asking persona's rows (knowledge
isolation and speed in one step: nobody else's memories are even read), then scores and selects
the top k with `scoring`.

Up to `VectorIndexSettings.exact_max_rows` memories an owner is searched by brute force: the whole
matrix times the query, exact. A larger owner's rows are kept sorted by cell (`cells`: seeded
spherical k-means, an inverted file) and a recall runs in two stages:

1. candidates: every row of the cells nearest the query and of the cells farthest from it, the
   rows not yet sorted into cells, and the rows best by recency + importance alone (computed
   over every searched row in float32: a very recent or very important memory is a candidate
   however far its vector is from the query);
2. the exact score of each candidate, its vector read from the matrix. Recency and importance
   are normalised over their true range in the searched rows (their min and max are cheap);
   relevance over the candidates, whose range spans nearly the whole set's because they include
   both the nearest and the farthest cells.

benchmarks/bench_memory.py measures brute force at 10k, 100k and 1M memories, and the two stages'
latency and recall@10 against brute force at 100k and 1M.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TypeVar

import numpy as np
from numpy.typing import NDArray

from personae.domain.memory import Memory, MemoryTier
from personae.memory.cells import CellLayout, lay_out
from personae.memory.embeddings.protocol import Matrix, Vector
from personae.memory.scoring import (
    ScoreColumns,
    ScoreSpans,
    Span,
    recency_importance,
    retrieval_scores,
    searched_spans,
    top_k,
)
from personae.memory.settings import RetrievalSettings, VectorIndexSettings

_TIER_CODES = {MemoryTier.HOT: 0, MemoryTier.WARM: 1, MemoryTier.COLD: 2}
_NO_SUBJECT = -1
_INITIAL_CAPACITY = 64
# Columns grow by doubling up to this many rows, then by a quarter: doubling a million rows of
# 384 float32 would allocate 3 GB for one more memory.
_DOUBLING_MAX_ROWS = 1 << 16
_Scalar = TypeVar("_Scalar", bound=np.generic)
Rows = NDArray[np.intp]
Mask = NDArray[np.bool_]


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
    """One persona's searchable memories as numpy columns that grow as memories are added."""

    def __init__(self, dimensions: int, settings: VectorIndexSettings | None = None) -> None:
        self._dimensions = dimensions
        self._settings = settings if settings is not None else VectorIndexSettings()
        self._ids: list[str] = []
        self._rows: dict[str, int] = {}
        self._subjects: dict[str, int] = {}
        self._vectors: Matrix = np.zeros((_INITIAL_CAPACITY, dimensions), dtype=np.float32)
        self._last_used_s = np.zeros(_INITIAL_CAPACITY, dtype=np.float64)
        self._importance = np.zeros(_INITIAL_CAPACITY, dtype=np.float64)
        # float32 twins of the two columns above, for the candidate stage's pass over every row
        # (a third of the float64 time); the final scores use the float64 columns.
        self._last_used32 = np.zeros(_INITIAL_CAPACITY, dtype=np.float32)
        self._importance32 = np.zeros(_INITIAL_CAPACITY, dtype=np.float32)
        self._tier = np.zeros(_INITIAL_CAPACITY, dtype=np.int8)
        self._subject = np.zeros(_INITIAL_CAPACITY, dtype=np.int32)
        self._active = np.zeros(_INITIAL_CAPACITY, dtype=bool)
        self._layout: CellLayout | None = None

    @classmethod
    def from_columns(
        cls,
        ids: Sequence[str],
        vectors: Matrix,
        *,
        last_used_s: NDArray[np.float64],
        importance: NDArray[np.float64],
        settings: VectorIndexSettings | None = None,
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
        index = cls(int(vectors.shape[1]), settings)
        index._ids = list(ids)
        index._rows = {memory_id: row for row, memory_id in enumerate(ids)}
        index._vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        index._last_used_s = np.asarray(last_used_s, dtype=np.float64).copy()
        index._importance = np.asarray(importance, dtype=np.float64).copy()
        index._last_used32 = index._last_used_s.astype(np.float32)
        index._importance32 = index._importance.astype(np.float32)
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

    @property
    def settings(self) -> VectorIndexSettings:
        return self._settings

    @property
    def two_stage(self) -> bool:
        """Whether recalls run in two stages (the owner holds `exact_max_rows` or more)."""
        return len(self._ids) >= self._settings.exact_max_rows

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
        elif self._layout is not None and row < self._layout.sorted_rows:
            # Its cell may no longer be the nearest to its new vector: read it on every recall
            # until the next layout.
            self._layout.moved.add(row)
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
        retrieval score, best first; min-max normalisation runs over exactly those candidates.
        Exact below `exact_max_rows` memories, two stages from there on (module docstring)."""
        count = len(self._ids)
        if count == 0:
            return []
        k = settings.top_k if k is None else k
        query = np.asarray(query, dtype=np.float32)
        if count < self._settings.exact_max_rows:
            return self._brute_force(query, now_s, settings, k, about_id)
        self.prepare()  # first: laying the rows out in cells reorders them
        mask = self._searched_mask(count, settings, about_id)
        searched = count if mask is None else int(np.count_nonzero(mask))
        if searched == 0:
            return []
        if mask is not None and searched < self._settings.exact_max_rows:
            # A few rows of a large owner (one subject's, the hot tier's): exact on those alone.
            rows = np.flatnonzero(mask)
            similarity = self._vectors[rows] @ query
            columns = retrieval_scores(
                similarity, self._last_used_s[rows], self._importance[rows], now_s, settings
            )
            return self._hits(rows, similarity, columns, top_k(columns.total, k))
        return self._two_stage(query, now_s, settings, k, mask)

    def prepare(self) -> None:
        """Lay a large owner's rows out in cells, if they are not or too many rows are unsorted:
        a recall does this itself; call it to pay the cost (~10 s at a million rows) up front.
        Trains the cells (seeded k-means) the first time and whenever the owner has grown by
        `retrain_growth` since, else sorts the unsorted rows into the existing cells."""
        count = len(self._ids)
        if count < self._settings.exact_max_rows:
            return
        laid_out = lay_out(self._vectors[:count], self._layout, self._settings)
        if laid_out is not None:
            order, self._layout = laid_out
            self._reorder(order)

    def nearest(self, query: Vector, *, about_id: str | None = None) -> tuple[str, float] | None:
        """The active memory most similar to `query` (optionally about one subject), with its
        cosine similarity: for duplicate detection. Always exact (every row is read): a missed
        duplicate would store the same fact twice."""
        count = len(self._ids)
        if count == 0:
            return None
        mask = self._active[:count].copy()
        if about_id is not None:
            mask &= self._subject[:count] == self._subjects.get(about_id, -2)
        if count >= self._settings.exact_max_rows:
            # Read the matrix in place rather than copy the rows the mask keeps (1.5 GB at 1M).
            if not mask.any():
                return None
            similarity = np.where(
                mask, self._vectors[:count] @ np.asarray(query, dtype=np.float32), -np.inf
            )
            best = int(np.argmax(similarity))
            return self._ids[best], float(similarity[best])
        rows = np.flatnonzero(mask)
        if rows.size == 0:
            return None
        similarity = self._vectors[rows] @ np.asarray(query, dtype=np.float32)
        best = int(np.argmax(similarity))
        return self._ids[int(rows[best])], float(similarity[best])

    def vectors_of(self, memory_ids: Sequence[str]) -> Matrix:
        return self._vectors[[self._rows[i] for i in memory_ids]]

    # -- searching ---------------------------------------------------------------------------

    def _brute_force(
        self,
        query: Vector,
        now_s: float,
        settings: RetrievalSettings,
        k: int,
        about_id: str | None,
    ) -> list[Hit]:
        count = len(self._ids)
        similarity = self._vectors[:count] @ query
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
        rows = candidates if candidates is not None else np.arange(count)
        return self._hits(rows, similarity, columns, top_k(columns.total, k))

    def _two_stage(
        self,
        query: Vector,
        now_s: float,
        settings: RetrievalSettings,
        k: int,
        mask: Mask | None,
    ) -> list[Hit]:
        count = len(self._ids)
        layout = self._layout
        assert layout is not None  # `prepare` has run
        spans = searched_spans(
            self._last_used_s[:count], self._importance[:count], now_s, settings, mask
        )
        partial = recency_importance(
            self._last_used32[:count], self._importance32[:count], now_s, settings, spans
        )
        if mask is not None:
            partial[~mask] = -np.inf
        # Stage 1: mark candidate rows, computing the similarity of each as it is marked.
        chosen = np.zeros(count, dtype=bool)
        similarity = np.empty(count, dtype=np.float32)
        probes = self._settings.probed_cells, self._settings.farthest_cells
        for start, end in layout.slices(query, count, nearest=probes[0], farthest=probes[1]):
            np.matmul(self._vectors[start:end], query, out=similarity[start:end])
            chosen[start:end] = True
        floor = min(count, max(k, self._settings.recent_important_candidates))
        moved = np.fromiter(layout.moved, dtype=np.intp, count=len(layout.moved))
        self._add_candidates(np.union1d(moved, _top(partial, floor)), query, chosen, similarity)
        rows, columns = self._score(chosen, mask, similarity, now_s, settings, spans)
        # A row outside the candidates scores at most its recency + importance part plus the
        # relevance weight (normalised relevance <= 1): unless that reaches the k-th score so
        # far it cannot be in the top k. Add those that can, then score again.
        if rows.size >= k and settings.relevance_weight > 0:
            kth = float(np.partition(columns.total, rows.size - k)[rows.size - k])
            # The partial part is float32: a margin of 0.01 keeps rounding from dropping a row.
            reachable = np.flatnonzero(partial > kth - settings.relevance_weight - 1e-2)
            reachable = reachable[~chosen[reachable]]
            limit = self._settings.recent_important_max_rows
            if reachable.size > limit:
                reachable = reachable[_top(partial[reachable], limit)]
            if reachable.size:
                self._add_candidates(reachable, query, chosen, similarity)
                rows, columns = self._score(chosen, mask, similarity, now_s, settings, spans)
        best = top_k(columns.total, k)
        return self._hits(rows, similarity[rows], columns, best)

    def _add_candidates(
        self, rows: Rows, query: Vector, chosen: Mask, similarity: NDArray[np.float32]
    ) -> None:
        fresh = rows[~chosen[rows]]
        similarity[fresh] = self._vectors[fresh] @ query
        chosen[fresh] = True

    def _score(
        self,
        chosen: Mask,
        mask: Mask | None,
        similarity: NDArray[np.float32],
        now_s: float,
        settings: RetrievalSettings,
        spans: ScoreSpans,
    ) -> tuple[Rows, ScoreColumns]:
        """The exact score of the chosen rows that the recall may return, in row order (ties
        keep row order, as in the brute force); relevance normalised over these rows."""
        rows = np.flatnonzero(chosen if mask is None else chosen & mask)
        candidate_similarity = similarity[rows]
        columns = retrieval_scores(
            candidate_similarity,
            self._last_used_s[rows],
            self._importance[rows],
            now_s,
            settings,
            ScoreSpans(spans.recency, spans.importance, Span.of(candidate_similarity)),
        )
        return rows, columns

    def _hits(
        self, rows: Rows, similarity: NDArray[np.float32], columns: ScoreColumns, best: Rows
    ) -> list[Hit]:
        """Hits for the scored positions `best`; position i is row `rows[i]` of the index."""
        return [
            Hit(
                memory_id=self._ids[int(rows[position])],
                score=float(columns.total[position]),
                recency=float(columns.recency[position]),
                importance=float(columns.importance[position]),
                relevance=float(columns.relevance[position]),
                similarity=float(similarity[position]),
            )
            for position in best
        ]

    def _searched_mask(
        self, count: int, settings: RetrievalSettings, about_id: str | None
    ) -> Mask | None:
        """Which rows a recall may return, or None when every row qualifies."""
        mask = self._active[:count]
        codes = sorted(_TIER_CODES[tier] for tier in set(settings.searched_tiers))
        if len(codes) < len(_TIER_CODES):
            mask = mask & np.isin(self._tier[:count], codes)
        if about_id is not None:
            mask = mask & (self._subject[:count] == self._subjects.get(about_id, -2))
        if bool(mask.all()):
            return None
        return mask

    def _candidates(
        self, count: int, settings: RetrievalSettings, about_id: str | None
    ) -> Rows | None:
        """Rows a recall may return, or None when every row qualifies (no copy needed)."""
        mask = self._searched_mask(count, settings, about_id)
        return None if mask is None else np.flatnonzero(mask)

    # -- storage -----------------------------------------------------------------------------

    def _write_columns(self, row: int, memory: Memory) -> None:
        last_used_s = max(memory.created_at_s, memory.last_accessed_s)
        self._last_used_s[row] = last_used_s
        self._importance[row] = memory.importance
        self._last_used32[row] = last_used_s
        self._importance32[row] = memory.importance
        self._tier[row] = _TIER_CODES[memory.tier]
        self._subject[row] = self._subject_code(memory.about_id)
        self._active[row] = memory.superseded_by is None

    def _subject_code(self, about_id: str | None) -> int:
        if about_id is None:
            return _NO_SUBJECT
        return self._subjects.setdefault(about_id, len(self._subjects))

    def _columns(self) -> list[str]:
        return [
            "_vectors",
            "_last_used_s",
            "_importance",
            "_last_used32",
            "_importance32",
            "_tier",
            "_subject",
            "_active",
        ]

    def _grow_to(self, size: int) -> None:
        capacity = self._vectors.shape[0]
        if size <= capacity:
            return
        capacity = max(capacity, _INITIAL_CAPACITY)
        while capacity < size:
            capacity += capacity if capacity < _DOUBLING_MAX_ROWS else capacity // 4
        for name in self._columns():
            setattr(self, name, _resized(getattr(self, name), capacity))

    def _reorder(self, order: Rows) -> None:
        """Put row `order[i]` at row i in every column (one new array per column, filled in
        place: the peak is the old matrix plus the new one)."""
        count = len(self._ids)
        self._ids = [self._ids[int(row)] for row in order]
        self._rows = {memory_id: row for row, memory_id in enumerate(self._ids)}
        for name in self._columns():
            column = getattr(self, name)
            reordered = np.zeros_like(column)
            # mode="clip": with the default "raise" numpy fills `out` through a temporary copy.
            np.take(column[:count], order, axis=0, out=reordered[:count], mode="clip")
            setattr(self, name, reordered)


def _top(values: NDArray[np.float32], count: int) -> Rows:
    """Positions of the `count` largest values, in no particular order."""
    if count >= values.shape[0]:
        return np.arange(values.shape[0], dtype=np.intp)
    best: Rows = np.argpartition(values, values.shape[0] - count)[values.shape[0] - count :]
    return best.astype(np.intp, copy=False)


def _resized(array: NDArray[_Scalar], capacity: int) -> NDArray[_Scalar]:
    grown = np.zeros((capacity, *array.shape[1:]), dtype=array.dtype)
    grown[: array.shape[0]] = array
    return grown


class MemoryIndex:
    """Every owner's `OwnerIndex`, created on first use."""

    def __init__(self, dimensions: int, settings: VectorIndexSettings | None = None) -> None:
        self._dimensions = dimensions
        self._settings = settings if settings is not None else VectorIndexSettings()
        self._owners: dict[str, OwnerIndex] = {}

    @property
    def dimensions(self) -> int:
        return self._dimensions

    def owner(self, owner_id: str) -> OwnerIndex:
        index = self._owners.get(owner_id)
        if index is None:
            index = self._owners[owner_id] = OwnerIndex(self._dimensions, self._settings)
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
