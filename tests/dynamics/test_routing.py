from __future__ import annotations

import random

import pytest

from personae.domain import Priority
from personae.dynamics.routing import (
    DEFAULT_EXIT_LINES,
    ExitReason,
    TierName,
    exit_line,
    exit_reason,
    route_tier,
)
from personae.dynamics.score import continue_score
from tests.builders import context, persona


@pytest.mark.parametrize(
    ("score", "tier", "temperature"),
    [
        (95, TierName.FULL, 0.8),
        (80, TierName.FULL, 0.8),
        (79.9, TierName.FULL, 0.6),
        (60, TierName.FULL, 0.6),
        (59, TierName.CONSTRAINED, 0.5),
        (40, TierName.CONSTRAINED, 0.5),
        (39.9, TierName.TEMPLATE, 0.0),
    ],
)
def test_tiers_follow_the_score(score: float, tier: TierName, temperature: float) -> None:
    routed = route_tier(score, persona())
    assert (routed.name, routed.temperature) == (tier, temperature)


def test_constrained_tier_limits_words_prepares_exit_and_avoids_dull_topics() -> None:
    speaker = persona(topics={"grain_prices": 10, "gossip": 5, "war": 95})
    tier = route_tier(45, speaker)
    assert tier.max_words == 50
    assert tier.prepare_exit
    assert tier.avoid_topics == ("gossip", "grain_prices")


def test_template_tier_makes_no_llm_call() -> None:
    assert not route_tier(10, persona()).uses_llm
    assert route_tier(70, persona()).uses_llm


def test_urgent_persona_leaves_for_urgent_reasons() -> None:
    king = persona("king", priority=Priority.URGENT)
    breakdown = continue_score(king, persona("b"), context(duration_s=40))
    assert exit_reason(breakdown, king) is ExitReason.URGENT


def test_worn_out_persona_leaves_tired() -> None:
    tired = persona("a", fatigue=60)
    assert exit_reason(continue_score(tired, persona("b"), context()), tired) is ExitReason.TIRED
    drained = persona("a", energy=5)
    assert (
        exit_reason(continue_score(drained, persona("b"), context()), drained) is ExitReason.TIRED
    )


def test_otherwise_a_leaver_is_bored() -> None:
    a = persona("a", topics={"x": 0})
    breakdown = continue_score(a, persona("b", topics={"x": 0}), context(topic="x"))
    assert exit_reason(breakdown, a) is ExitReason.BORED


def test_exit_lines_prefer_persona_then_room_then_defaults() -> None:
    rng = random.Random(1)
    king = persona("king", exit_lines={"urgent": ["I must attend to my troops."]})
    assert (
        exit_line(ExitReason.URGENT, king, rng, ["Another round!"]) == "I must attend to my troops."
    )
    assert exit_line(ExitReason.BORED, king, rng, ["Another round!"]) == "Another round!"
    assert exit_line(ExitReason.TIRED, king, rng) in DEFAULT_EXIT_LINES[ExitReason.TIRED]
    anyway = persona("bard", exit_lines={"any": ["Farewell, friend!"]})
    assert exit_line(ExitReason.BORED, anyway, rng, ["Another round!"]) == "Farewell, friend!"


def test_exit_line_choice_repeats_under_a_seed() -> None:
    a = persona()
    first = [exit_line(ExitReason.BORED, a, random.Random(7)) for _ in range(3)]
    again = [exit_line(ExitReason.BORED, a, random.Random(7)) for _ in range(3)]
    assert first == again


def test_two_leaving_together_do_not_say_the_same_goodbye() -> None:
    # Seen in the demo: commander and scout both left the fortress with the room's one line.
    room_lines = ["The walls will not guard themselves.", "Back to the watch."]
    first = exit_line(ExitReason.BORED, persona("vex"), random.Random(3), room_lines)
    for seed in range(20):
        second = exit_line(
            ExitReason.BORED, persona("wren"), random.Random(seed), room_lines, said={first}
        )
        assert second != first
    # With every line already said, one is said again rather than nothing.
    assert (
        exit_line(
            ExitReason.BORED, persona("wren"), random.Random(1), room_lines, said=set(room_lines)
        )
        in room_lines
    )
