"""The retrieval score as pure numpy functions over columns of candidates.

score = w_recency * norm(recency) + w_importance * norm(importance) + w_relevance * norm(relevance)
where norm is min-max normalisation over the candidates of one recall (Generative Agents, Park et
al. 2023). Every function takes arrays (one element per candidate) and works for one candidate
as for a million.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray

from personae.memory.settings import SECONDS_PER_HOUR, RetrievalSettings

Floats = NDArray[np.float64]
Indices = NDArray[np.intp]

# When every candidate has the same value the component cannot rank them; like the reference
# implementation we give all of them the middle of the range.
FLAT_COMPONENT_VALUE = 0.5


@dataclass(frozen=True)
class Span:
    """The lowest and highest value a component takes over all the candidates of a recall."""

    low: float
    high: float

    @classmethod
    def of(cls, values: NDArray[np.floating]) -> Span:
        return cls(float(np.min(values)), float(np.max(values)))


def min_max_normalise(
    values: NDArray[np.floating], min_span: float = 0.0, span: Span | None = None
) -> Floats:
    """Scale to 0..1 over the given values; all-equal values become 0.5.

    `min_span` floors the denominator: values that differ by less than it are not stretched over
    the whole range (with 0, pure min-max as in the paper: two memories learned three seconds
    apart would differ in recency as much as a fresh one and a forgotten one).

    `span`, when given, is the range to scale by instead of the values' own: a two-stage recall
    scores a shortlist of candidates as if it had scored them all.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.size == 0:
        return array.copy()
    if span is None:
        span = Span.of(array)
    width = span.high - span.low
    if width <= 0.0:
        return np.full_like(array, FLAT_COMPONENT_VALUE)
    return (array - span.low) / max(width, min_span)


def recency(last_used_s: NDArray[np.floating], now_s: float, decay_per_hour: float) -> Floats:
    """decay ** hours since each memory was last used; a memory "from the future" counts as now."""
    hours = np.maximum(now_s - np.asarray(last_used_s, dtype=np.float64), 0.0)
    # decay ** h as exp(h ln decay): one vectorised exp instead of a general power.
    hours *= np.log(decay_per_hour) / SECONDS_PER_HOUR
    result: Floats = np.exp(hours)
    return result


@dataclass(frozen=True)
class ScoreColumns:
    """The normalised components and the total, one element per candidate."""

    recency: Floats
    importance: Floats
    relevance: Floats
    total: Floats


@dataclass(frozen=True)
class ScoreSpans:
    """The ranges the three components are normalised over, when they are not the candidates'
    own (see `min_max_normalise`)."""

    recency: Span
    importance: Span
    relevance: Span


def retrieval_scores(
    relevance: NDArray[np.floating],
    last_used_s: NDArray[np.floating],
    importance: NDArray[np.floating],
    now_s: float,
    settings: RetrievalSettings,
    spans: ScoreSpans | None = None,
) -> ScoreColumns:
    """The weighted sum of the three normalised components for each candidate."""
    recency_part = min_max_normalise(
        recency(last_used_s, now_s, settings.recency_decay_per_hour),
        settings.recency_min_span,
        spans.recency if spans else None,
    )
    importance_part = min_max_normalise(
        importance, settings.importance_min_span, spans.importance if spans else None
    )
    relevance_part = min_max_normalise(
        relevance, settings.relevance_min_span, spans.relevance if spans else None
    )
    total = (
        settings.recency_weight * recency_part
        + settings.importance_weight * importance_part
        + settings.relevance_weight * relevance_part
    )
    return ScoreColumns(recency_part, importance_part, relevance_part, total)


def top_k(scores: NDArray[np.floating], k: int) -> Indices:
    """Positions of the `k` highest scores, best first; equal scores keep their original order,
    so a recall is deterministic. O(n) selection, then a sort of only the k chosen."""
    count = int(scores.shape[0])
    if k <= 0 or count == 0:
        return np.zeros(0, dtype=np.intp)
    if k < count:
        # The k largest by partition; ties at the boundary are resolved by position below, which
        # needs every candidate tied with the k-th score, not only those the partition picked.
        chosen = np.argpartition(scores, count - k)[count - k :]
        threshold = scores[chosen].min()
        chosen = np.flatnonzero(scores >= threshold)
    else:
        chosen = np.arange(count)
    order = np.lexsort((chosen, -scores[chosen]))
    result: Indices = chosen[order][:k].astype(np.intp, copy=False)
    return result


def searched_spans(
    last_used_s: NDArray[np.float64],
    importance: NDArray[np.float64],
    now_s: float,
    settings: RetrievalSettings,
    where: NDArray[np.bool_] | None = None,
) -> ScoreSpans:
    """The ranges recency and importance take over the rows `where` selects (all by default),
    as `retrieval_scores` over exactly those rows would find them, without computing the recency
    of each: it rises with the last use, so its range is that of the oldest and the newest.
    Relevance is left flat: its range needs every row's similarity."""
    last_used = _masked_span(last_used_s, where)
    ends = recency(
        np.array([last_used.low, last_used.high]), now_s, settings.recency_decay_per_hour
    )
    return ScoreSpans(
        recency=Span(float(ends[0]), float(ends[1])),
        importance=_masked_span(importance, where),
        relevance=Span(0.0, 0.0),
    )


def recency_importance(
    last_used_s: NDArray[np.float32],
    importance: NDArray[np.float32],
    now_s: float,
    settings: RetrievalSettings,
    spans: ScoreSpans,
) -> NDArray[np.float32]:
    """The recency and importance parts of each row's score, normalised over `spans` as in
    `retrieval_scores`, in float32: a third of the time of float64 over a million rows, for
    choosing candidates whose exact score is computed afterwards. Absolute times round to the
    float32 grid (64 s at 1e9 s), which moves a part by less than 0.001 at the default decay."""
    partial = np.zeros(last_used_s.shape[0], dtype=np.float32)
    constant = 0.0
    span = spans.recency
    if span.high > span.low:
        hours = np.float32(now_s) - last_used_s
        np.maximum(hours, np.float32(0), out=hours)
        hours *= np.float32(np.log(settings.recency_decay_per_hour) / SECONDS_PER_HOUR)
        np.exp(hours, out=hours)
        scale = settings.recency_weight / max(span.high - span.low, settings.recency_min_span)
        hours *= np.float32(scale)
        partial += hours
        constant -= scale * span.low
    else:
        constant += settings.recency_weight * FLAT_COMPONENT_VALUE
    span = spans.importance
    if span.high > span.low:
        scale = settings.importance_weight / max(span.high - span.low, settings.importance_min_span)
        partial += importance * np.float32(scale)
        constant -= scale * span.low
    else:
        constant += settings.importance_weight * FLAT_COMPONENT_VALUE
    partial += np.float32(constant)
    return partial


def _masked_span(values: NDArray[np.float64], where: NDArray[np.bool_] | None) -> Span:
    if where is None:
        return Span.of(values)
    return Span(
        float(np.min(values, where=where, initial=np.inf)),
        float(np.max(values, where=where, initial=-np.inf)),
    )
