from __future__ import annotations

import pytest
from scipy import stats

from personae.analytics import RunSummary, compare_samples, compare_worlds, summarize_run
from personae.analytics.compare import Method
from tests.analytics.builders import crossroads

T_975_DF2 = 4.302652729749464  # Student t quantile, 97.5 %, 2 degrees of freedom


def test_same_seeds_give_a_paired_t_interval() -> None:
    result = compare_samples("score", {1: 10, 2: 12, 3: 14}, {1: 8, 2: 9, 3: 13})

    assert result.method is Method.PAIRED
    assert result.difference == pytest.approx(2.0)
    half = T_975_DF2 * 1 / 3**0.5  # differences 2, 3, 1: sd 1
    assert (result.ci_low, result.ci_high) == (pytest.approx(2 - half), pytest.approx(2 + half))


def test_the_paired_interval_agrees_with_scipys_paired_t_test() -> None:
    a = {s: v for s, v in enumerate([61.0, 58.5, 70.2, 64.1, 59.9, 66.3], start=1)}
    b = {s: v for s, v in enumerate([55.2, 57.9, 62.0, 60.4, 58.8, 61.7], start=1)}
    reference = stats.ttest_rel(list(a.values()), list(b.values()))
    interval = reference.confidence_interval(0.95)

    result = compare_samples("score", a, b)

    assert (result.ci_low, result.ci_high) == (
        pytest.approx(interval.low),
        pytest.approx(interval.high),
    )
    assert result.p_value == pytest.approx(reference.pvalue)


def test_different_seeds_give_welchs_interval_matching_scipy() -> None:
    a = {1: 120.0, 2: 150.0, 3: 135.0, 4: 160.0}
    b = {5: 90.0, 6: 100.0, 7: 95.0}
    reference = stats.ttest_ind(list(a.values()), list(b.values()), equal_var=False)
    interval = reference.confidence_interval(0.95)

    result = compare_samples("duration", a, b)

    assert result.method is Method.WELCH
    assert (result.ci_low, result.ci_high) == (
        pytest.approx(interval.low),
        pytest.approx(interval.high),
    )
    assert result.significant


def test_an_interval_spanning_zero_is_not_significant() -> None:
    assert not compare_samples("score", {1: 10, 2: 12, 3: 14}, {1: 8, 2: 9, 3: 13}).significant


def test_one_seed_gives_a_difference_but_no_interval() -> None:
    result = compare_samples("score", {1: 10.0}, {1: 7.0})

    assert result.difference == 3
    assert result.ci_low is None
    assert not result.significant


def test_identical_differences_give_a_point_interval_and_no_p_value() -> None:
    result = compare_samples("score", {1: 10, 2: 20}, {1: 8, 2: 18})

    assert (result.ci_low, result.ci_high, result.p_value) == (2, 2, None)


def test_a_confidence_outside_zero_and_one_is_refused() -> None:
    with pytest.raises(ValueError, match="confidence"):
        compare_samples("score", {1: 1, 2: 2}, {1: 1, 2: 2}, confidence=95)


def test_a_run_summary_holds_the_compared_figures() -> None:
    summary = summarize_run(crossroads())

    assert (summary.seed, summary.conversations) == (7, 7)
    assert summary.conversations_per_hour == pytest.approx(42)
    assert summary.mean_duration_s == pytest.approx(100)  # (150+120+90+180+60+60+40) / 7
    assert summary.mean_score == pytest.approx(407 / 7)
    assert summary.topic_shares == {
        "gossip": pytest.approx(1 / 7),
        "logistics": pytest.approx(1 / 7),
        "military_strategy": pytest.approx(1 / 7),
        "rumors": pytest.approx(2 / 7),
        "security": pytest.approx(2 / 7),
    }


def _summary(seed: int, duration: float, score: float, topics: dict[str, float]) -> RunSummary:
    return RunSummary(
        seed=seed,
        conversations=4,
        conversations_per_hour=10.0,
        mean_duration_s=duration,
        mean_score=score,
        topic_shares=topics,
    )


def test_worlds_are_compared_on_every_metric_and_every_topic_seen() -> None:
    a = [_summary(s, 100 + s, 60, {"rumors": 1.0}) for s in (1, 2, 3)]
    b = [_summary(s, 80 + s, 60, {"trade": 0.5, "rumors": 0.5}) for s in (1, 2, 3)]

    comparison = compare_worlds(a, b, world_a="tavern", world_b="market")
    by_metric = {m.metric: m for m in comparison.metrics}

    assert list(by_metric) == [
        "conversations",
        "conversations_per_hour",
        "mean_duration_s",
        "mean_score",
        "topic:rumors",
        "topic:trade",
    ]
    assert by_metric["mean_duration_s"].difference == pytest.approx(20)
    assert by_metric["topic:trade"].mean_a == 0
    assert by_metric["topic:rumors"].difference == pytest.approx(0.5)
    assert comparison.to_dict()["metrics"][2]["metric"] == "mean_duration_s"


def test_a_run_without_conversations_is_left_out_of_its_metrics() -> None:
    empty = RunSummary(
        seed=3, conversations=0, conversations_per_hour=0.0, mean_duration_s=None, mean_score=None
    )
    a = [_summary(1, 100, 60, {}), _summary(2, 110, 62, {}), empty]
    b = [_summary(1, 90, 50, {}), _summary(2, 95, 51, {}), _summary(3, 99, 55, {})]

    by_metric = {m.metric: m for m in compare_worlds(a, b).metrics}

    assert (by_metric["mean_duration_s"].n_a, by_metric["mean_duration_s"].n_b) == (2, 3)
    assert by_metric["mean_duration_s"].method is Method.WELCH
    assert by_metric["conversations"].method is Method.PAIRED


def test_two_runs_with_one_seed_in_a_world_are_refused() -> None:
    with pytest.raises(ValueError, match="two runs with one seed"):
        compare_worlds([_summary(1, 1, 1, {}), _summary(1, 2, 2, {})], [])
