"""Decay curves, exemptions and tiers."""

from __future__ import annotations

import math

import pytest

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.memory.decay import apply_decay, memory_retention, retention, tier_for
from personae.memory.settings import SECONDS_PER_DAY, DecayFunction, DecaySettings
from tests.memory.factories import make_memory

DAY = SECONDS_PER_DAY


@pytest.mark.parametrize(
    ("function", "days", "rate", "expected"),
    [
        (DecayFunction.LINEAR, 3.0, 0.1, 0.7),
        (DecayFunction.LINEAR, 30.0, 0.1, 0.0),
        (DecayFunction.EXPONENTIAL, 7.0, 0.1, math.exp(-0.7)),
        (DecayFunction.LOGARITHMIC, 9.0, 0.2, 1 - 0.2 * math.log(10.0)),
        (DecayFunction.LOGARITHMIC, 0.0, 0.2, 1.0),
    ],
)
def test_retention_follows_its_curve(
    function: DecayFunction, days: float, rate: float, expected: float
) -> None:
    assert retention(days, function, rate) == pytest.approx(expected)


def test_retention_never_rises_above_one_for_negative_days() -> None:
    assert retention(-5.0, DecayFunction.LINEAR, 0.1) == 1.0


def test_a_fresh_memory_is_hot_and_cools_over_days() -> None:
    settings = DecaySettings()  # exponential, 0.1 per day, hot >= 0.5, warm >= 0.2
    memory = make_memory("m")
    assert tier_for(memory, 6 * DAY, settings) is MemoryTier.HOT
    assert tier_for(memory, 8 * DAY, settings) is MemoryTier.WARM
    assert tier_for(memory, 17 * DAY, settings) is MemoryTier.COLD


def test_decay_counts_from_the_last_use() -> None:
    memory = make_memory("m", created_at_s=0.0, last_accessed_s=20 * DAY)
    assert tier_for(memory, 21 * DAY, DecaySettings()) is MemoryTier.HOT


@pytest.mark.parametrize(
    ("memory", "settings"),
    [
        (make_memory("pinned", pinned=True), DecaySettings()),
        (make_memory("vital", importance=8), DecaySettings()),
        (make_memory("episode", kind=MemoryKind.EPISODE), DecaySettings(exempt_kinds=["episode"])),
        (make_memory("any"), DecaySettings(enabled=False)),
    ],
)
def test_exempt_memories_keep_full_retention(memory: Memory, settings: DecaySettings) -> None:
    assert memory_retention(memory, 1000 * DAY, settings) == 1.0


def test_pinned_memories_decay_when_the_exemption_is_off() -> None:
    settings = DecaySettings(pinned_exempt=False)
    assert memory_retention(make_memory("p", pinned=True), 100 * DAY, settings) < 0.01


def test_apply_decay_returns_only_memories_that_change_tier() -> None:
    memories = [
        make_memory("stays", created_at_s=29 * DAY),
        make_memory("cools", created_at_s=0.0),
        make_memory("warms", created_at_s=0.0, last_accessed_s=30 * DAY, tier=MemoryTier.COLD),
    ]
    changed = apply_decay(memories, 30 * DAY, DecaySettings())
    assert {(m.id, m.tier) for m in changed} == {
        ("cools", MemoryTier.COLD),
        ("warms", MemoryTier.HOT),
    }


def test_warm_threshold_above_hot_is_refused() -> None:
    with pytest.raises(ValueError, match="must not exceed"):
        DecaySettings(hot_min_retention=0.3, warm_min_retention=0.6)
