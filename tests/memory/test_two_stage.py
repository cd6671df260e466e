"""The two-stage search of large owners (cells, then the exact score of the candidates), against
the brute force it stands in for. A small `exact_max_rows` keeps the indexes small."""

from __future__ import annotations

import numpy as np
import pytest

from personae.domain.memory import Memory, MemoryTier
from personae.memory.index import Hit, MemoryIndex, OwnerIndex
from personae.memory.scoring import retrieval_scores, top_k
from personae.memory.settings import SECONDS_PER_DAY, RetrievalSettings, VectorIndexSettings
from tests.memory.factories import clustered_vectors, make_memory

DIMENSIONS = 32
ROWS = 3000
QUERIES = 30
NOW_S = 30 * SECONDS_PER_DAY
# ~55 cells over 3000 rows, 4 of them probed: the candidate stage reads under a tenth of the rows.
TWO_STAGE = VectorIndexSettings(
    exact_max_rows=500,
    probed_cells=4,
    farthest_cells=2,
    recent_important_candidates=32,
    unsorted_max_rows=200,
)
BRUTE_FORCE = VectorIndexSettings(exact_max_rows=10**9)
TOP_10 = RetrievalSettings(top_k=10)


def corpus(seed: int = 1, rows: int = ROWS) -> tuple[list[Memory], np.ndarray, np.ndarray]:
    """Memories learned over the first ten days, importance 1-5, vectors around 50 topics; and
    queries from the same topics."""
    rng = np.random.default_rng(seed)
    vectors = clustered_vectors(rows + QUERIES, DIMENSIONS, rng)
    memories = [
        make_memory(
            f"m{i}",
            importance=int(rng.integers(1, 6)),
            created_at_s=float(rng.uniform(0, 10 * SECONDS_PER_DAY)),
        )
        for i in range(rows)
    ]
    return memories, vectors[:rows], vectors[rows:]


def indexes(
    memories: list[Memory], vectors: np.ndarray, settings: VectorIndexSettings = TWO_STAGE
) -> tuple[OwnerIndex, OwnerIndex]:
    """The same memories in a two-stage index and in a brute-force one."""
    two_stage, brute_force = OwnerIndex(DIMENSIONS, settings), OwnerIndex(DIMENSIONS, BRUTE_FORCE)
    two_stage.put_many(memories, vectors)
    brute_force.put_many(memories, vectors)
    return two_stage, brute_force


def ids(hits: list[Hit]) -> list[str]:
    return [hit.memory_id for hit in hits]


def mean_overlap(
    two_stage: OwnerIndex,
    brute_force: OwnerIndex,
    queries: np.ndarray,
    settings: RetrievalSettings = TOP_10,
    about_id: str | None = None,
) -> float:
    overlaps = []
    for query in queries:
        found = ids(two_stage.search(query, NOW_S, settings, about_id=about_id))
        exact = ids(brute_force.search(query, NOW_S, settings, about_id=about_id))
        assert len(exact) == settings.top_k
        overlaps.append(len(set(found) & set(exact)) / len(exact))
    return float(np.mean(overlaps))


def test_below_the_threshold_every_row_is_scored_exactly() -> None:
    memories, vectors, queries = corpus(rows=400)
    index = OwnerIndex(DIMENSIONS, TWO_STAGE)
    index.put_many(memories, vectors)
    assert not index.two_stage
    last_used = np.array([m.created_at_s for m in memories])
    importance = np.array([float(m.importance) for m in memories])
    for query in queries[:5]:
        columns = retrieval_scores(vectors @ query, last_used, importance, NOW_S, TOP_10)
        expected = [f"m{row}" for row in top_k(columns.total, 10)]
        assert ids(index.search(query, NOW_S, TOP_10)) == expected


def test_the_two_stage_top_10_agrees_with_brute_force() -> None:
    memories, vectors, queries = corpus()
    two_stage, brute_force = indexes(memories, vectors)
    assert two_stage.two_stage
    assert mean_overlap(two_stage, brute_force, queries) >= 0.9


def test_hits_carry_the_exact_similarity_of_their_memory() -> None:
    memories, vectors, queries = corpus()
    two_stage, _ = indexes(memories, vectors)
    for hit in two_stage.search(queries[0], NOW_S, TOP_10):
        row = int(hit.memory_id[1:])
        assert hit.similarity == pytest.approx(float(vectors[row] @ queries[0]), abs=1e-6)


def irrelevant_vector(query: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """A memory-like vector at cosine 0 from the query: in none of the cells nearest it."""
    candidate = vectors[int(np.argmin(np.abs(vectors @ query)))].copy()
    candidate -= (candidate @ query) * query
    normalised: np.ndarray = candidate / np.linalg.norm(candidate)
    return normalised


def test_a_memory_used_just_now_is_recalled_however_irrelevant() -> None:
    memories, vectors, queries = corpus()
    two_stage, brute_force = indexes(memories, vectors)
    fresh = make_memory("fresh", importance=3, created_at_s=0.0, last_accessed_s=NOW_S)
    for index in (two_stage, brute_force):
        index.put(fresh, irrelevant_vector(queries[0], vectors))
    recency_first = RetrievalSettings(recency_weight=2.0, top_k=10)
    assert brute_force.search(queries[0], NOW_S, recency_first)[0].memory_id == "fresh"
    assert two_stage.search(queries[0], NOW_S, recency_first)[0].memory_id == "fresh"


def test_a_vital_memory_is_recalled_however_irrelevant() -> None:
    memories, vectors, queries = corpus()
    two_stage, brute_force = indexes(memories, vectors)
    vital = make_memory("vital", importance=10, created_at_s=0.0)
    for index in (two_stage, brute_force):
        index.put(vital, irrelevant_vector(queries[0], vectors))
    importance_first = RetrievalSettings(importance_weight=2.0, top_k=10)
    assert brute_force.search(queries[0], NOW_S, importance_first)[0].memory_id == "vital"
    assert two_stage.search(queries[0], NOW_S, importance_first)[0].memory_id == "vital"


def test_superseded_memories_are_not_recalled() -> None:
    memories, vectors, queries = corpus()
    two_stage, brute_force = indexes(memories, vectors)
    best = {hit.memory_id for q in queries for hit in brute_force.search(q, NOW_S, TOP_10)[:3]}
    for memory in memories:
        if memory.id in best:
            superseded = memory.model_copy(update={"superseded_by": "newer"})
            two_stage.refresh(superseded)
            brute_force.refresh(superseded)
    for query in queries:
        assert not best & set(ids(two_stage.search(query, NOW_S, TOP_10)))
    assert mean_overlap(two_stage, brute_force, queries) >= 0.9


def test_only_the_searched_tiers_are_recalled() -> None:
    memories, vectors, queries = corpus()
    tiered = [
        m.model_copy(update={"tier": MemoryTier.COLD if i % 3 == 0 else MemoryTier.WARM})
        for i, m in enumerate(memories)
    ]
    two_stage, brute_force = indexes(tiered, vectors)
    warm_only = RetrievalSettings(searched_tiers=[MemoryTier.HOT, MemoryTier.WARM], top_k=10)
    cold = {m.id for m in tiered if m.tier is MemoryTier.COLD}
    for query in queries:
        assert not cold & set(ids(two_stage.search(query, NOW_S, warm_only)))
    assert mean_overlap(two_stage, brute_force, queries, warm_only) >= 0.9


def test_about_finds_only_memories_about_that_person() -> None:
    memories, vectors, queries = corpus()
    # Bob has more memories about him than the threshold (the two stages run over his rows
    # only), Eve fewer (her rows alone are scored exactly).
    subjects = ["bob" if i % 4 == 0 else "eve" if i % 25 == 1 else None for i in range(ROWS)]
    about = [m.model_copy(update={"about_id": s}) for m, s in zip(memories, subjects, strict=True)]
    two_stage, brute_force = indexes(about, vectors)
    for query in queries:
        bob = ids(two_stage.search(query, NOW_S, TOP_10, about_id="bob"))
        assert all(subjects[int(i[1:])] == "bob" for i in bob)
        eve = two_stage.search(query, NOW_S, TOP_10, about_id="eve")
        exact = brute_force.search(query, NOW_S, TOP_10, about_id="eve")
        assert ids(eve) == ids(exact)
        # Equal up to float32 rounding: a product over some rows may round unlike one over all.
        assert [hit.score for hit in eve] == pytest.approx([hit.score for hit in exact])
    assert mean_overlap(two_stage, brute_force, queries, about_id="bob") >= 0.9


def test_memories_added_after_the_first_recall_are_found() -> None:
    memories, vectors, queries = corpus()
    two_stage, brute_force = indexes(memories[:1000], vectors[:1000])
    relevance_only = RetrievalSettings(recency_weight=0, importance_weight=0, top_k=1)
    two_stage.search(queries[0], NOW_S, TOP_10)  # lays the rows out in cells
    two_stage.put(make_memory("new"), queries[1])
    assert ids(two_stage.search(queries[1], NOW_S, relevance_only)) == ["new"]
    # More than `unsorted_max_rows` added (sorted into the cells), then twice the rows the
    # cells were trained on (trained again): still found, still in agreement.
    for start in range(1000, ROWS, 250):
        two_stage.put_many(memories[start : start + 250], vectors[start : start + 250])
        two_stage.search(queries[0], NOW_S, TOP_10)
    brute_force.put(make_memory("new"), queries[1])
    brute_force.put_many(memories[1000:], vectors[1000:])
    assert ids(two_stage.search(queries[1], NOW_S, relevance_only)) == ["new"]
    assert mean_overlap(two_stage, brute_force, queries) >= 0.9


def test_a_memory_given_a_new_vector_is_found_by_it() -> None:
    memories, vectors, queries = corpus()
    two_stage, _ = indexes(memories, vectors)
    relevance_only = RetrievalSettings(recency_weight=0, importance_weight=0, top_k=1)
    two_stage.search(queries[0], NOW_S, TOP_10)
    far_away = int(np.argmin(vectors @ queries[2]))
    two_stage.put(memories[far_away], queries[2])
    assert ids(two_stage.search(queries[2], NOW_S, relevance_only)) == [memories[far_away].id]


def test_the_same_memories_give_the_same_recall() -> None:
    memories, vectors, queries = corpus()
    first, _ = indexes(memories, vectors)
    second, _ = indexes(memories, vectors)
    for query in queries:
        assert first.search(query, NOW_S, TOP_10) == second.search(query, NOW_S, TOP_10)


def test_nearest_stays_exact_above_the_threshold() -> None:
    memories, vectors, queries = corpus()
    two_stage, brute_force = indexes(memories, vectors)
    nearest_first = brute_force.nearest(queries[0])
    assert nearest_first is not None
    superseded = next(m for m in memories if m.id == nearest_first[0])
    for index in (two_stage, brute_force):
        index.refresh(superseded.model_copy(update={"superseded_by": "newer"}))
    for query in queries:
        assert two_stage.nearest(query) == brute_force.nearest(query)
    assert two_stage.nearest(queries[0]) != nearest_first


def test_every_owner_of_a_memory_index_gets_its_settings() -> None:
    memories = MemoryIndex(DIMENSIONS, TWO_STAGE)
    assert memories.owner("anna").settings == TWO_STAGE
