"""The retrieval score's pure pieces."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from personae.memory.scoring import (
    Span,
    min_max_normalise,
    recency,
    recency_importance,
    retrieval_scores,
    searched_spans,
    top_k,
)
from personae.memory.settings import RetrievalSettings


def test_min_max_maps_the_range_onto_zero_to_one() -> None:
    np.testing.assert_allclose(min_max_normalise(np.array([2.0, 4.0, 3.0])), [0.0, 1.0, 0.5])


def test_all_equal_values_become_the_middle() -> None:
    np.testing.assert_allclose(min_max_normalise(np.array([7.0, 7.0])), [0.5, 0.5])


def test_a_spread_below_the_minimum_span_is_not_stretched() -> None:
    np.testing.assert_allclose(min_max_normalise(np.array([1.0, 0.99]), 0.1), [0.1, 0.0])


def test_a_spread_above_the_minimum_span_is_pure_min_max() -> None:
    np.testing.assert_allclose(min_max_normalise(np.array([1.0, 0.5]), 0.1), [1.0, 0.0])


def test_memories_minutes_apart_barely_differ_in_recency() -> None:
    now = 3600.0
    columns = retrieval_scores(
        relevance=np.array([0.9, 0.1]),
        last_used_s=np.array([now - 600.0, now]),
        importance=np.array([5.0, 5.0]),
        now_s=now,
        settings=RetrievalSettings(),
    )
    assert columns.recency[1] - columns.recency[0] < 0.01
    assert columns.total[0] > columns.total[1]


def test_normalising_nothing_gives_nothing() -> None:
    assert min_max_normalise(np.array([])).size == 0


def test_recency_decays_by_the_factor_per_hour() -> None:
    now = 10 * 3600.0
    values = recency(np.array([now, now - 3600.0, now - 24 * 3600.0]), now, 0.995)
    np.testing.assert_allclose(values, [1.0, 0.995, 0.995**24])


def test_a_memory_used_after_now_counts_as_just_used() -> None:
    assert recency(np.array([500.0]), 100.0, 0.5)[0] == 1.0


def test_the_total_weights_the_normalised_components() -> None:
    settings = RetrievalSettings(
        recency_weight=0.5, importance_weight=2.0, relevance_weight=3.0, recency_min_span=0.0
    )
    now = 100 * 3600.0
    columns = retrieval_scores(
        relevance=np.array([0.2, 0.8, 0.5]),
        last_used_s=np.array([now, now - 50 * 3600.0, now - 100 * 3600.0]),
        importance=np.array([1.0, 10.0, 4.0]),
        now_s=now,
        settings=settings,
    )
    np.testing.assert_allclose(columns.relevance, [0.0, 1.0, 0.5])
    np.testing.assert_allclose(columns.importance, [0.0, 1.0, 1 / 3])
    r = 0.995 ** np.array([0.0, 50.0, 100.0])
    expected_recency = (r - r.min()) / (r.max() - r.min())
    np.testing.assert_allclose(columns.recency, expected_recency)
    np.testing.assert_allclose(
        columns.total, 0.5 * expected_recency + 2.0 * columns.importance + 3.0 * columns.relevance
    )


def test_default_weights_are_equal_as_in_the_paper() -> None:
    settings = RetrievalSettings()
    assert (settings.recency_weight, settings.importance_weight, settings.relevance_weight) == (
        1.0,
        1.0,
        1.0,
    )
    assert settings.recency_decay_per_hour == 0.995


def test_top_k_returns_the_best_first() -> None:
    assert top_k(np.array([0.1, 0.9, 0.5, 0.7]), 2).tolist() == [1, 3]


def test_top_k_breaks_ties_by_position() -> None:
    assert top_k(np.array([0.5, 0.9, 0.5, 0.5]), 3).tolist() == [1, 0, 2]


@pytest.mark.parametrize(("k", "expected"), [(0, []), (10, [1, 0])])
def test_top_k_handles_k_outside_the_candidates(k: int, expected: list[int]) -> None:
    assert top_k(np.array([0.2, 0.3]), k).tolist() == expected


@given(
    st.lists(st.integers(min_value=0, max_value=5), min_size=1, max_size=60),
    st.integers(min_value=1, max_value=70),
)
def test_top_k_equals_a_stable_full_sort(values: list[int], k: int) -> None:
    scores = np.asarray(values, dtype=np.float64)
    expected = np.argsort(-scores, kind="stable")[:k]
    assert top_k(scores, k).tolist() == expected.tolist()


def test_a_given_span_normalises_a_subset_as_the_whole_set_would() -> None:
    whole = np.array([0.0, 2.0, 4.0, 10.0])
    subset = whole[1:3]
    np.testing.assert_allclose(
        min_max_normalise(subset, span=Span.of(whole)), min_max_normalise(whole)[1:3]
    )


def searched_columns(seed: int = 4) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    rng = np.random.default_rng(seed)
    now_s = 30 * 86400.0
    last_used = rng.uniform(0.0, now_s * 1.01, 500)  # a few "from the future"
    importance = rng.integers(1, 11, 500).astype(np.float64)
    where = rng.random(500) < 0.7
    return last_used, importance, where, now_s


def test_searched_spans_are_the_ranges_retrieval_scores_finds_over_the_searched_rows() -> None:
    last_used, importance, where, now_s = searched_columns()
    settings = RetrievalSettings()
    spans = searched_spans(last_used, importance, now_s, settings, where)
    recencies = recency(last_used[where], now_s, settings.recency_decay_per_hour)
    assert spans.recency == Span.of(recencies)
    assert spans.importance == Span.of(importance[where])


def test_recency_importance_is_the_score_without_relevance_in_float32() -> None:
    last_used, importance, where, now_s = searched_columns()
    settings = RetrievalSettings(recency_weight=1.5, importance_weight=0.5)
    spans = searched_spans(last_used, importance, now_s, settings, where)
    parts = recency_importance(
        last_used.astype(np.float32), importance.astype(np.float32), now_s, settings, spans
    )
    no_relevance = settings.model_copy(update={"relevance_weight": 0.0})
    exact = retrieval_scores(
        np.zeros(int(where.sum())), last_used[where], importance[where], now_s, no_relevance
    ).total
    assert parts.dtype == np.float32
    np.testing.assert_allclose(parts[where], exact, atol=1e-4)
