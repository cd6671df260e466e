"""The owner-partitioned numpy vector index."""

from __future__ import annotations

import numpy as np
import pytest

from personae.domain.memory import MemoryTier
from personae.memory.index import MemoryIndex, OwnerIndex
from personae.memory.settings import RetrievalSettings
from tests.memory.factories import make_memory

DIMENSIONS = 4


def axis(i: int, dims: int = DIMENSIONS) -> np.ndarray:
    vector = np.zeros(dims, dtype=np.float32)
    vector[i] = 1.0
    return vector


RELEVANCE_ONLY = RetrievalSettings(recency_weight=0.0, importance_weight=0.0, top_k=3)


def filled_index() -> OwnerIndex:
    index = OwnerIndex(DIMENSIONS)
    for i in range(DIMENSIONS):
        index.put(make_memory(f"m{i}", about_id="bob" if i % 2 else None), axis(i))
    return index


def test_search_ranks_by_relevance_when_only_relevance_counts() -> None:
    index = filled_index()
    query = np.array([0.1, 0.0, 0.9, 0.3], dtype=np.float32)
    hits = index.search(query, now_s=0.0, settings=RELEVANCE_ONLY)
    assert [hit.memory_id for hit in hits] == ["m2", "m3", "m0"]
    assert hits[0].relevance == 1.0
    assert hits[0].similarity == pytest.approx(0.9)


def test_importance_can_outweigh_relevance() -> None:
    index = OwnerIndex(DIMENSIONS)
    index.put(make_memory("trivial", importance=1), axis(0))
    index.put(make_memory("vital", importance=10), axis(1))
    settings = RetrievalSettings(recency_weight=0.0, importance_weight=2.0, top_k=1)
    query = np.array([0.9, 0.4, 0.0, 0.0], dtype=np.float32)
    assert [hit.memory_id for hit in index.search(query, 0.0, settings)] == ["vital"]


def test_recent_memories_win_when_only_recency_counts() -> None:
    index = OwnerIndex(DIMENSIONS)
    index.put(make_memory("old", created_at_s=0.0), axis(0))
    index.put(make_memory("fresh", created_at_s=0.0, last_accessed_s=7200.0), axis(1))
    settings = RetrievalSettings(importance_weight=0.0, relevance_weight=0.0, top_k=1)
    assert [hit.memory_id for hit in index.search(axis(0), 7200.0, settings)] == ["fresh"]


def test_superseded_memories_are_not_found() -> None:
    index = filled_index()
    index.refresh(make_memory("m2", superseded_by="m9"))
    hits = index.search(axis(2), 0.0, RELEVANCE_ONLY)
    assert "m2" not in [hit.memory_id for hit in hits]


def test_only_searched_tiers_are_found() -> None:
    index = OwnerIndex(DIMENSIONS)
    index.put(make_memory("hot", tier=MemoryTier.HOT), axis(0))
    index.put(make_memory("cold", tier=MemoryTier.COLD), axis(1))
    settings = RetrievalSettings(searched_tiers=[MemoryTier.HOT, MemoryTier.WARM])
    assert [hit.memory_id for hit in index.search(axis(1), 0.0, settings)] == ["hot"]


def test_about_filters_by_subject() -> None:
    hits = filled_index().search(axis(0), 0.0, RELEVANCE_ONLY, about_id="bob")
    assert sorted(hit.memory_id for hit in hits) == ["m1", "m3"]


def test_an_unknown_subject_finds_nothing() -> None:
    assert filled_index().search(axis(0), 0.0, RELEVANCE_ONLY, about_id="zed") == []


def test_an_empty_index_finds_nothing() -> None:
    assert OwnerIndex(DIMENSIONS).search(axis(0), 0.0, RELEVANCE_ONLY) == []


def test_the_index_grows_past_its_first_capacity() -> None:
    dims = 8
    index = OwnerIndex(dims)
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((300, dims)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    for i, vector in enumerate(vectors):
        index.put(make_memory(f"m{i}"), vector)
    assert len(index) == 300
    relevance_only = RetrievalSettings(recency_weight=0, importance_weight=0)
    hits = index.search(vectors[250], 0.0, relevance_only)
    assert hits[0].memory_id == "m250"


def test_put_many_equals_putting_one_by_one() -> None:
    rng = np.random.default_rng(3)
    vectors = rng.standard_normal((100, DIMENSIONS)).astype(np.float32)
    memories = [make_memory(f"m{i}", importance=1 + i % 10) for i in range(100)]
    one_by_one, at_once = OwnerIndex(DIMENSIONS), OwnerIndex(DIMENSIONS)
    for memory, vector in zip(memories, vectors, strict=True):
        one_by_one.put(memory, vector)
    at_once.put_many(memories, vectors)
    query = rng.standard_normal(DIMENSIONS).astype(np.float32)
    settings = RetrievalSettings(top_k=10)
    assert one_by_one.search(query, 0.0, settings) == at_once.search(query, 0.0, settings)


def test_bulk_columns_search_like_memories_put_one_by_one() -> None:
    rng = np.random.default_rng(5)
    vectors = rng.standard_normal((50, DIMENSIONS)).astype(np.float32)
    last_used = rng.uniform(0, 1e6, 50)
    importance = rng.integers(1, 11, 50).astype(np.float64)
    memories = [
        make_memory(f"m{i}", importance=int(importance[i]), created_at_s=float(last_used[i]))
        for i in range(50)
    ]
    bulk = OwnerIndex.from_columns(
        [m.id for m in memories], vectors, last_used_s=last_used, importance=importance
    )
    put = OwnerIndex(DIMENSIONS)
    put.put_many(memories, vectors)
    query = rng.standard_normal(DIMENSIONS).astype(np.float32)
    settings = RetrievalSettings(top_k=10)
    assert bulk.search(query, 1e6, settings) == put.search(query, 1e6, settings)


def test_a_bulk_loaded_index_still_grows() -> None:
    index = OwnerIndex.from_columns(
        [],
        np.zeros((0, DIMENSIONS), dtype=np.float32),
        last_used_s=np.zeros(0),
        importance=np.zeros(0),
    )
    index.put(make_memory("m"), axis(1))
    assert index.nearest(axis(1)) == ("m", 1.0)


def test_putting_a_known_id_replaces_its_vector() -> None:
    index = filled_index()
    index.put(make_memory("m0"), axis(3))
    assert len(index) == DIMENSIONS
    assert index.nearest(axis(3)) == ("m0", 1.0)


def test_a_vector_of_the_wrong_size_is_refused() -> None:
    with pytest.raises(ValueError, match="shape"):
        OwnerIndex(DIMENSIONS).put(make_memory("m"), np.zeros(3, dtype=np.float32))


def test_nearest_skips_superseded_memories() -> None:
    index = filled_index()
    index.refresh(make_memory("m1", superseded_by="m9"))
    nearest = index.nearest(axis(1) + 0.5 * axis(3))
    assert nearest is not None
    assert nearest[0] == "m3"


def test_owners_are_kept_apart() -> None:
    memories = MemoryIndex(DIMENSIONS)
    memories.owner("anna").put(make_memory("a1", owner_id="anna"), axis(0))
    memories.owner("bob").put(make_memory("b1", owner_id="bob"), axis(0))
    hits = memories.owner("anna").search(axis(0), 0.0, RELEVANCE_ONLY)
    assert [hit.memory_id for hit in hits] == ["a1"]
    assert len(memories) == 2
    assert sorted(memories.owners()) == ["anna", "bob"]
