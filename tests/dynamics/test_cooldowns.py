from __future__ import annotations

import pytest

from personae.dynamics.cooldowns import (
    PairCooldowns,
    can_interact,
    cooldown_duration_s,
    start_cooldowns,
)
from tests.builders import persona


@pytest.mark.parametrize(
    ("final_score", "fatigue", "expected"),
    [
        (75, 0, 150),
        (50, 0, 300),
        (70, 0, 300),
        (30, 0, 300),
        (20, 0, 600),
        (50, 50, 450),
        (20, 100, 1200),
    ],
)
def test_cooldown_multipliers(final_score: float, fatigue: float, expected: float) -> None:
    assert cooldown_duration_s(final_score, fatigue) == pytest.approx(expected)


def test_pair_waits_the_whole_cooldown_and_each_persona_half() -> None:
    pairs = PairCooldowns()
    a, b = persona("a"), persona("b")
    (a2, b2), lengths = start_cooldowns([a, b], {"a": 50, "b": 50}, now_s=1000, pairs=pairs)
    assert lengths == {"a": 300, "b": 300}
    assert a2.state.cooldown_until_s == 1150
    assert not can_interact(a2, b2, 1100, pairs)
    c = persona("c")
    assert can_interact(a2, c, 1151, pairs)
    assert not can_interact(a2, b2, 1299, pairs)
    assert can_interact(a2, b2, 1300, pairs)


def test_a_pair_waits_for_the_longer_of_its_cooldowns() -> None:
    pairs = PairCooldowns()
    start_cooldowns([persona("a"), persona("b")], {"a": 80, "b": 20}, now_s=0, pairs=pairs)
    assert not pairs.ready("a", "b", 599)
    assert pairs.ready("b", "a", 600)


def test_personas_with_30_seconds_or_less_cannot_interact() -> None:
    assert not can_interact(persona("a", available_time_s=30), persona("b"), 0)
    assert can_interact(persona("a", available_time_s=31), persona("b"), 0)
