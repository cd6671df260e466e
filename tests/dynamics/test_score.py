from __future__ import annotations

import pytest

from personae.domain import Priority
from personae.dynamics.score import continue_score, group_continue_score, topic_pull
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings, ScoreSettings
from tests.builders import context, persona

S = DEFAULT_SETTINGS.score


def test_time_pressure_is_full_at_the_start() -> None:
    for priority in Priority:
        a, b = persona("a", priority=priority), persona("b")
        assert continue_score(a, b, context()).time_pressure.points == 30


def test_unhurried_priorities_lose_patience_slowly() -> None:
    b = persona("b")
    social = continue_score(persona("a", priority=Priority.SOCIAL), b, context(duration_s=300))
    casual = continue_score(persona("a", priority=Priority.CASUAL), b, context(duration_s=300))
    assert social.time_pressure.points == pytest.approx(25)  # a point a minute
    assert casual.time_pressure.points == pytest.approx(20)  # a point every 30 s


@pytest.mark.parametrize(
    ("priority", "duration", "expected"),
    [
        (Priority.URGENT, 20, 20.0),  # 30 - 20/2
        (Priority.URGENT, 90, 0.0),  # never below zero
        (Priority.IMPORTANT, 100, 20.0),  # 30 - 100/10
    ],
)
def test_time_pressure_decays_by_priority(
    priority: Priority, duration: float, expected: float
) -> None:
    a, b = persona("a", priority=priority), persona("b")
    assert continue_score(a, b, context(duration_s=duration)).time_pressure.points == expected


def test_topic_pull_favours_mutual_over_one_sided_interest() -> None:
    # 0.7 * avg + 0.3 * min
    assert topic_pull(90, 10, 0, S) == pytest.approx(0.7 * 50 + 0.3 * 10)
    assert topic_pull(50, 50, 0, S) > topic_pull(90, 10, 0, S)


def test_topic_pull_is_cut_after_more_than_two_drifts() -> None:
    assert topic_pull(80, 80, 2, S) == pytest.approx(80)
    assert topic_pull(80, 80, 3, S) == pytest.approx(80 * 0.6)


def test_topic_component_scales_the_pull_into_its_25_points() -> None:
    a = persona("a", topics={"trade": 100})
    b = persona("b", topics={"trade": 100})
    assert continue_score(a, b, context(topic="trade")).topic_alignment.points == 25
    c = persona("c", topics={"trade": 0})
    assert continue_score(a, c, context(topic="trade")).topic_alignment.points == pytest.approx(
        25 * (0.7 * 50) / 100
    )


def test_interest_level_lifts_topic_interest() -> None:
    keen = persona("a", topics={"music": 60}, interest=90)
    flat = persona("a", topics={"music": 60}, interest=50)
    other = persona("b", topics={"music": 60})
    ctx = context(topic="music")
    assert (
        continue_score(keen, other, ctx).topic_alignment.points
        > continue_score(flat, other, ctx).topic_alignment.points
    )


def test_peers_fit_better_than_a_king_and_a_farmer() -> None:
    king, farmer = persona("king", status=10, charisma=12), persona("farmer", status=2, charisma=12)
    peer = persona("peer", status=9, charisma=12)
    assert (
        continue_score(king, peer, context()).social_fit.points
        > continue_score(king, farmer, context()).social_fit.points
    )


def test_speaking_up_is_brief_unless_invited() -> None:
    farmer, lord = persona("farmer", status=2), persona("lord", status=8)
    uninvited = continue_score(farmer, lord, context(duration_s=60))
    invited = continue_score(farmer, lord, context(duration_s=60, invited=frozenset({"lord"})))
    assert uninvited.time_pressure.points < invited.time_pressure.points
    assert uninvited.social_fit.points < invited.social_fit.points


def test_speaking_down_runs_out_of_patience() -> None:
    lord, farmer = persona("lord", status=9), persona("farmer", status=2)
    assert continue_score(lord, farmer, context(duration_s=60)).time_pressure.points < 30


def test_high_charisma_pairs_fit_better() -> None:
    bright = continue_score(persona("a", charisma=18), persona("b", charisma=18), context())
    dull = continue_score(persona("a", charisma=3), persona("b", charisma=3), context())
    assert bright.social_fit.points == 20
    assert dull.social_fit.points == 10


@pytest.mark.parametrize(("fatigue", "penalty"), [(0, 0), (9, -4), (30, -15), (100, -15)])
def test_fatigue_penalty_is_half_the_fatigue_capped_at_15(fatigue: float, penalty: float) -> None:
    score = continue_score(persona("a", fatigue=fatigue), persona("b"), context())
    assert score.fatigue_penalty.points == penalty


@pytest.mark.parametrize(("affinity", "points"), [(100, 15), (0, 0), (-100, -10), (40, 6)])
def test_history_maps_affinity_to_minus_10_plus_15(affinity: float, points: float) -> None:
    score = continue_score(persona("a"), persona("b"), context(), affinity=affinity)
    assert score.history.points == pytest.approx(points)


def test_resources_shrink_with_little_time_or_tokens() -> None:
    a, b = persona("a", available_time_s=600), persona("b")
    assert continue_score(a, b, context()).resources.points == 10
    short = persona("a", available_time_s=100)
    assert continue_score(short, b, context(duration_s=70)).resources.points == 5  # 30 s // 6
    assert continue_score(a, b, context(token_budget=45)).resources.points == 4  # 45 // 10
    assert continue_score(a, b, context(token_budget=-5)).resources.points == 0


def test_total_is_the_sum_of_components_clamped_to_0_100() -> None:
    a = persona("a", topics={"x": 80}, fatigue=12)
    score = continue_score(a, persona("b", topics={"x": 70}), context(topic="x"), affinity=20)
    assert score.total == pytest.approx(sum(c.points for c in score.components))
    hopeless = persona(
        "a", priority=Priority.URGENT, fatigue=100, available_time_s=10, charisma=3, topics={"x": 0}
    )
    dull = persona("b", charisma=3, topics={"x": 0})
    ctx = context(topic="x", duration_s=300)
    assert continue_score(hopeless, dull, ctx, affinity=-100).total == 0


def test_continues_at_the_configured_threshold() -> None:
    strict = DynamicsSettings(score=ScoreSettings(continue_threshold=99))
    a, b = persona("a"), persona("b")
    assert continue_score(a, b, context()).continues
    assert not continue_score(a, b, context(), settings=strict).continues


def test_every_component_explains_itself() -> None:
    score = continue_score(persona("a", priority=Priority.URGENT), persona("b"), context())
    assert all(component.reason for component in score.components)
    assert "urgent" in score.time_pressure.reason


def test_group_score_is_the_mean_over_the_others() -> None:
    a = persona("a", topics={"x": 90})
    friend, stranger = persona("b", topics={"x": 90}), persona("c", topics={"x": 10})
    ctx = context("a", "b", topic="x")
    mean, parts = group_continue_score(a, [friend, stranger], ctx, {"b": 50.0})
    assert mean == pytest.approx((parts[0].total + parts[1].total) / 2)
    assert parts[0].total > parts[1].total
