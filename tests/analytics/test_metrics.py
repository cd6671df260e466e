from __future__ import annotations

import pytest

from personae.analytics import metrics
from tests.analytics.builders import crossroads, turn


def _room(room_id: str) -> metrics.RoomDynamics:
    return next(r for r in metrics.room_dynamics(crossroads()) if r.room_id == room_id)


def test_room_dynamics_cover_every_room_in_declared_order() -> None:
    assert [r.room_id for r in metrics.room_dynamics(crossroads())] == [
        "ai_tavern",
        "ai_fortress",
        "ai_library",
    ]


def test_conversations_per_simulated_hour() -> None:
    assert _room("ai_tavern").conversations_per_hour == pytest.approx(18.0)
    assert _room("ai_fortress").conversations_per_hour == pytest.approx(24.0)
    assert _room("ai_library").conversations_per_hour == 0


def test_average_duration_counts_a_running_conversation_until_the_clock() -> None:
    assert _room("ai_tavern").avg_duration_s == pytest.approx(110.0)  # (150 + 120 + 60) / 3
    assert _room("ai_fortress").avg_duration_s == pytest.approx(92.5)  # (90 + 180 + 60 + 40) / 4


def test_average_continue_score_is_the_mean_of_conversation_means() -> None:
    assert _room("ai_tavern").avg_continue_score == pytest.approx((72 + 50 + 50) / 3)
    assert _room("ai_fortress").avg_continue_score == pytest.approx((80 + 50 + 50 + 55) / 4)


def test_an_empty_room_reports_no_average_rather_than_zero() -> None:
    library = _room("ai_library")

    assert library.avg_duration_s is None
    assert library.avg_continue_score is None
    assert library.topic_distribution == {}


def test_topic_distribution_is_ranked_by_count_then_name() -> None:
    assert list(_room("ai_fortress").topic_distribution.items()) == [
        ("security", 2),
        ("logistics", 1),
        ("military_strategy", 1),
    ]
    assert _room("ai_fortress").dominant_topics(2) == ["security", "logistics"]


def test_participant_frequency_counts_conversations_joined() -> None:
    assert list(_room("ai_tavern").participant_frequency.items()) == [
        ("bard", 2),
        ("keeper", 2),
        ("merchant", 2),
        ("scout", 1),
    ]


def test_exit_reasons_count_only_ended_conversations() -> None:
    fortress = _room("ai_fortress")

    assert fortress.exit_reasons == {"urgent": 2, "time": 1}
    assert fortress.active_conversations == 1


def test_room_usage_with_an_unpriced_line_has_no_total_cost() -> None:
    fortress = _room("ai_fortress")

    assert fortress.usage.cost_usd is None
    assert fortress.usage.known_cost_usd == pytest.approx(0.004)
    assert fortress.usage.unpriced_turns == 1
    assert fortress.usage.total_tokens == 30 + 10 + 30 + 10 + 20 + 5 + 20 + 5 + 25 + 8 + 22 + 6


def test_usage_with_every_line_priced_has_a_total_cost() -> None:
    tavern = _room("ai_tavern")

    assert tavern.usage.cost_usd == pytest.approx(0.009)
    assert tavern.usage.unpriced_turns == 0


def test_overall_usage_never_counts_an_unknown_price_as_zero() -> None:
    usage = metrics.usage_of(crossroads().turns)

    assert (usage.prompt_tokens, usage.completion_tokens, usage.total_tokens) == (377, 99, 476)
    assert usage.cost_usd is None
    assert usage.known_cost_usd == pytest.approx(0.013)


def test_usage_over_time_is_cumulative_per_tick() -> None:
    points = metrics.usage_over_time(crossroads())

    assert [p.at_s for p in points] == [60, 120, 180, 240, 300, 360, 420, 480, 540, 600]
    assert [p.tokens for p in points] == [50, 192, 192, 321, 346, 371, 371, 404, 448, 476]
    assert [p.unpriced_turns for p in points] == [0] * 7 + [1] * 3
    assert points[-1].known_cost_usd == pytest.approx(0.013)


def test_room_activity_counts_conversations_in_progress_per_tick() -> None:
    activity = metrics.room_activity(crossroads())

    assert activity.active_conversations["ai_tavern"] == (1, 1, 1, 1, 1, 0, 0, 0, 1, 1)
    assert activity.active_conversations["ai_fortress"] == (0, 1, 1, 0, 1, 1, 1, 1, 1, 1)
    assert activity.active_conversations["ai_library"] == (0,) * 10


def test_room_activity_counts_lines_spoken_per_tick() -> None:
    assert metrics.room_activity(crossroads()).lines["ai_tavern"] == (1, 1, 0, 2, 1, 0, 0, 0, 1, 1)


def test_a_partial_last_tick_ends_at_the_clock() -> None:
    windows = metrics.tick_windows(crossroads(clock_s=630))

    assert len(windows) == 11
    assert (windows[-1].start_s, windows[-1].end_s) == (600, 630)


def _trajectory(persona_id: str) -> metrics.PersonaTrajectory:
    return next(t for t in metrics.persona_trajectories(crossroads()) if t.persona_id == persona_id)


def test_rooms_visited_follow_the_migrations_from_the_first_snapshot() -> None:
    assert _trajectory("bard").rooms_visited == ("ai_tavern", "ai_library", "ai_tavern")


def test_rooms_visited_start_from_the_first_migration_without_snapshots() -> None:
    assert _trajectory("scout").rooms_visited == ("ai_fortress", "ai_tavern")


def test_a_persona_that_never_moved_stays_in_its_first_room() -> None:
    assert _trajectory("king").rooms_visited == ("ai_fortress",)
    assert _trajectory("keeper").rooms_visited == ()


def test_energy_and_fatigue_over_time_come_from_snapshots_in_tick_order() -> None:
    energy = _trajectory("bard").energy

    assert [p.social_energy for p in energy] == [90, 80, 70, 60, 50, 60, 70, 80, 85, 90]
    assert [p.interaction_fatigue for p in energy][:3] == [10, 20, 30]
    assert [p.at_s for p in energy][:2] == [60, 120]


def test_talk_share_is_the_share_of_words_spoken() -> None:
    assert _trajectory("merchant").words == 19
    assert _trajectory("merchant").talk_share == pytest.approx(19 / 81)
    assert _trajectory("scholar").talk_share == 0


def test_lines_and_conversations_per_persona() -> None:
    king = _trajectory("king")

    assert (king.lines, king.conversations) == (3, 3)


def test_talk_share_is_unknown_when_nobody_spoke() -> None:
    run = crossroads(turns=[])

    assert all(t.talk_share is None for t in metrics.persona_trajectories(run))


def test_migration_summary_counts_routes_reasons_and_net_flow() -> None:
    summary = metrics.migration_summary(crossroads())

    assert summary.total == 3
    assert summary.by_route == {
        "ai_fortress -> ai_tavern": 1,
        "ai_library -> ai_tavern": 1,
        "ai_tavern -> ai_library": 1,
    }
    assert summary.by_reason == {"high energy": 2, "low energy": 1}
    assert summary.net_flow == {"ai_tavern": 1, "ai_fortress": -1, "ai_library": 0}
    assert [m.at_s for m in summary.migrations] == [300, 480, 500]


def test_listeners_default_to_the_other_participants() -> None:
    conversation = crossroads().conversations[1]
    spoken = turn("c2", 0, "keeper", [], "hello", 50, 180)

    assert metrics.listeners_of(spoken, conversation) == ["merchant", "bard"]
