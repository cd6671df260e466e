"""Decay and tiers (seed 003): memories cool from hot to warm to cold as they go unused.

Retention runs from 1 (just learned or used) down to 0 as days pass since last use, by a linear,
exponential or logarithmic curve at `rate_per_day`. Retention above the hot threshold means hot,
above the warm threshold warm, else cold. Pinned memories, high-importance memories and exempt
kinds stay hot. Decay moves memories between tiers; it never deletes anything.
"""

from __future__ import annotations

import math
from collections.abc import Iterable

from personae.domain.memory import Memory, MemoryTier
from personae.memory.settings import SECONDS_PER_DAY, DecayFunction, DecaySettings


def last_used_s(memory: Memory) -> float:
    """When the memory was last learned or recalled, in world seconds."""
    return max(memory.created_at_s, memory.last_accessed_s)


def retention(days: float, function: DecayFunction, rate_per_day: float) -> float:
    """How much of a memory remains after `days` unused: 1 at day 0, never below 0."""
    days = max(days, 0.0)
    if function is DecayFunction.LINEAR:
        value = 1.0 - rate_per_day * days
    elif function is DecayFunction.EXPONENTIAL:
        value = math.exp(-rate_per_day * days)
    else:
        value = 1.0 - rate_per_day * math.log1p(days)
    return min(max(value, 0.0), 1.0)


def is_exempt(memory: Memory, settings: DecaySettings) -> bool:
    """Pinned (when configured), important enough, or of an exempt kind: never decays."""
    return (
        (settings.pinned_exempt and memory.pinned)
        or memory.importance >= settings.high_importance_threshold
        or memory.kind in settings.exempt_kinds
    )


def memory_retention(memory: Memory, now_s: float, settings: DecaySettings) -> float:
    """The memory's retention now; exempt memories and disabled decay keep 1."""
    if not settings.enabled or is_exempt(memory, settings):
        return 1.0
    days = (now_s - last_used_s(memory)) / SECONDS_PER_DAY
    return retention(days, settings.function, settings.rate_per_day)


def tier_for(memory: Memory, now_s: float, settings: DecaySettings) -> MemoryTier:
    """The tier the memory belongs in at `now_s`."""
    value = memory_retention(memory, now_s, settings)
    if value >= settings.hot_min_retention:
        return MemoryTier.HOT
    if value >= settings.warm_min_retention:
        return MemoryTier.WARM
    return MemoryTier.COLD


def apply_decay(memories: Iterable[Memory], now_s: float, settings: DecaySettings) -> list[Memory]:
    """Copies of the memories whose tier changes at `now_s`, with the new tier set; the caller
    stores them. A memory recalled again warms back up: tiers follow last use both ways."""
    changed: list[Memory] = []
    for memory in memories:
        tier = tier_for(memory, now_s, settings)
        if tier is not memory.tier:
            changed.append(memory.model_copy(update={"tier": tier}))
    return changed
