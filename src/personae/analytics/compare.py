"""A/B tests of two world configurations over several seeds (seed 000's "A/B Testing Framework").

Run world A and world B once per seed, summarise each run (`summarize_run`), then compare the
per-seed samples (`compare_worlds`): for every metric the mean difference A - B with a confidence
interval.

Why a t-interval (scipy) and not a bootstrap: a comparison has about ten seeds per world, and a
percentile bootstrap of ten values is known to give intervals that are too narrow; the Student t
interval is exact for normal data and robust enough for means of this kind. When both worlds ran
the same seeds the samples are paired by seed (same seed, same draws at the start of the run), so
the interval is the paired one, which is narrower when the seeds correlate; otherwise Welch's
interval (unequal variances). Nothing here is random, so the same samples give the same answer.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from personae.analytics import metrics
from personae.analytics.run_data import RunData

DEFAULT_CONFIDENCE = 0.95


@dataclass(frozen=True, slots=True)
class RunSummary:
    """One run's figures for a comparison. A figure is None when the run had no conversation."""

    seed: int
    conversations: int
    conversations_per_hour: float | None
    mean_duration_s: float | None
    mean_score: float | None
    topic_shares: dict[str, float] = field(default_factory=dict)


def summarize_run(run: RunData, seed: int | None = None) -> RunSummary:
    """The figures `compare_worlds` compares, from one finished run."""
    conversations = run.conversations
    hours = run.span_s / metrics.SECONDS_PER_HOUR
    topics: dict[str, int] = {}
    for conversation in conversations:
        topics[conversation.topic] = topics.get(conversation.topic, 0) + 1
    return RunSummary(
        seed=seed if seed is not None else (run.seed if run.seed is not None else 0),
        conversations=len(conversations),
        conversations_per_hour=len(conversations) / hours if hours > 0 else None,
        mean_duration_s=metrics.mean(run.duration_s(c) for c in conversations),
        mean_score=metrics.mean(
            s for c in conversations if (s := metrics.conversation_score(run, c)) is not None
        ),
        topic_shares={topic: n / len(conversations) for topic, n in sorted(topics.items())},
    )


class Method(StrEnum):
    PAIRED = "paired-t"
    WELCH = "welch-t"


@dataclass(frozen=True, slots=True)
class MetricComparison:
    """Mean of A, mean of B, and A - B with its confidence interval (None below two samples).

    `significant` is True when the interval excludes 0.
    """

    metric: str
    n_a: int
    n_b: int
    mean_a: float | None
    mean_b: float | None
    difference: float | None
    ci_low: float | None
    ci_high: float | None
    p_value: float | None
    confidence: float
    method: Method

    @property
    def significant(self) -> bool:
        if self.ci_low is None or self.ci_high is None:
            return False
        return self.ci_low > 0 or self.ci_high < 0


def _mean(values: Sequence[float]) -> float | None:
    return math.fsum(values) / len(values) if values else None


def _variance(values: Sequence[float]) -> float:
    centre = math.fsum(values) / len(values)
    return math.fsum((v - centre) ** 2 for v in values) / (len(values) - 1)


def _interval(
    difference: float, standard_error: float, df: float, confidence: float
) -> tuple[float, float, float | None]:
    """(low, high, p) of a t-interval; a zero standard error gives a point and no p-value."""
    if standard_error == 0:
        return difference, difference, None
    # Imported here: scipy.stats takes a second to load, and only comparisons need it.
    from scipy import stats

    half = float(stats.t.ppf((1 + confidence) / 2, df)) * standard_error
    p = float(2 * stats.t.sf(abs(difference) / standard_error, df))
    return difference - half, difference + half, p


def compare_samples(
    metric: str,
    a: Mapping[int, float],
    b: Mapping[int, float],
    confidence: float = DEFAULT_CONFIDENCE,
) -> MetricComparison:
    """Compare one metric's per-seed samples (seed -> value) of world A and world B.

    Paired by seed when both have the same seeds, Welch's interval otherwise.
    """
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence}")
    values_a, values_b = [a[s] for s in sorted(a)], [b[s] for s in sorted(b)]
    mean_a, mean_b = _mean(values_a), _mean(values_b)
    paired = set(a) == set(b)
    method = Method.PAIRED if paired else Method.WELCH
    difference = mean_a - mean_b if mean_a is not None and mean_b is not None else None
    low = high = p = None
    if difference is not None and paired and len(values_a) >= 2:
        diffs = [a[s] - b[s] for s in sorted(a)]
        error = math.sqrt(_variance(diffs) / len(diffs))
        low, high, p = _interval(difference, error, len(diffs) - 1, confidence)
    elif difference is not None and len(values_a) >= 2 and len(values_b) >= 2:
        va, vb = _variance(values_a) / len(values_a), _variance(values_b) / len(values_b)
        error = math.sqrt(va + vb)
        # Welch-Satterthwaite degrees of freedom.
        denominator = va**2 / (len(values_a) - 1) + vb**2 / (len(values_b) - 1)
        df = (va + vb) ** 2 / denominator if denominator > 0 else len(values_a) - 1
        low, high, p = _interval(difference, error, df, confidence)
    return MetricComparison(
        metric, len(values_a), len(values_b), mean_a, mean_b, difference, low, high, p,
        confidence, method,
    )  # fmt: skip


@dataclass(frozen=True, slots=True)
class WorldComparison:
    world_a: str
    world_b: str
    seeds_a: tuple[int, ...]
    seeds_b: tuple[int, ...]
    metrics: tuple[MetricComparison, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "world_a": self.world_a,
            "world_b": self.world_b,
            "seeds_a": list(self.seeds_a),
            "seeds_b": list(self.seeds_b),
            "metrics": [
                {
                    "metric": m.metric,
                    "method": m.method.value,
                    "n_a": m.n_a,
                    "n_b": m.n_b,
                    "mean_a": m.mean_a,
                    "mean_b": m.mean_b,
                    "difference": m.difference,
                    "ci_low": m.ci_low,
                    "ci_high": m.ci_high,
                    "confidence": m.confidence,
                    "p_value": m.p_value,
                    "significant": m.significant,
                }
                for m in self.metrics
            ],
        }


def _samples(runs: Iterable[RunSummary], pick: str) -> dict[int, float]:
    found: dict[int, float] = {}
    for run in runs:
        value = getattr(run, pick)
        if value is not None:
            found[run.seed] = float(value)
    return found


def compare_worlds(
    a: Sequence[RunSummary],
    b: Sequence[RunSummary],
    *,
    world_a: str = "A",
    world_b: str = "B",
    confidence: float = DEFAULT_CONFIDENCE,
) -> WorldComparison:
    """Every metric of A against B: conversations, conversations per hour, mean duration, mean
    continue score, and the share of conversations on each topic (`topic:NAME`; a topic a run
    never talked about has share 0 in it). A run without a figure (no conversation) is left out
    of that metric's samples."""
    for name, runs in ((world_a, a), (world_b, b)):
        seeds = [r.seed for r in runs]
        if len(set(seeds)) != len(seeds):
            raise ValueError(f"world {name} has two runs with one seed: {sorted(seeds)}")
    results = [
        compare_samples(metric, _samples(a, metric), _samples(b, metric), confidence)
        for metric in ("conversations", "conversations_per_hour", "mean_duration_s", "mean_score")
    ]
    topics = sorted({t for run in (*a, *b) for t in run.topic_shares})
    for topic in topics:
        shares_a = {r.seed: r.topic_shares.get(topic, 0.0) for r in a if r.conversations}
        shares_b = {r.seed: r.topic_shares.get(topic, 0.0) for r in b if r.conversations}
        results.append(compare_samples(f"topic:{topic}", shares_a, shares_b, confidence))
    return WorldComparison(
        world_a,
        world_b,
        tuple(sorted(r.seed for r in a)),
        tuple(sorted(r.seed for r in b)),
        tuple(results),
    )
