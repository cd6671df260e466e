"""The memory health report of one persona (seed 003): a pure function of its memories and now."""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.memory.decay import is_exempt, last_used_s, tier_for
from personae.memory.settings import SECONDS_PER_DAY, MemorySettings


class TierUse(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tier: MemoryTier
    count: int
    capacity: int | None
    """None for cold: it has no capacity, only a retention period."""

    @property
    def utilisation(self) -> float | None:
        return None if self.capacity is None else self.count / self.capacity


class OldMemory(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    text: str
    tier: MemoryTier
    created_at_s: float
    age_days: float
    days_unused: float


class MemoryHealth(BaseModel):
    """Counts, the tier distribution at `now_s` (as decay places memories now), the oldest
    memories and what to do about anything out of bounds."""

    model_config = ConfigDict(extra="forbid")

    owner_id: str
    now_s: float
    total: int
    """Current memories: superseded facts are counted apart."""
    by_kind: dict[MemoryKind, int]
    superseded: int
    pinned: int
    exempt_from_decay: int
    tiers: list[TierUse]
    stale_tiers: int
    """Memories whose stored tier differs from where decay places them now."""
    cold_past_retention: int
    oldest: list[OldMemory]
    recommendations: list[str]

    @property
    def healthy(self) -> bool:
        return not self.recommendations

    def tier(self, tier: MemoryTier) -> TierUse:
        return next(use for use in self.tiers if use.tier is tier)


def memory_health(
    owner_id: str,
    memories: Sequence[Memory],
    now_s: float,
    settings: MemorySettings,
) -> MemoryHealth:
    """The report for `owner_id` from all of its memories, superseded ones included."""
    own = [m for m in memories if m.owner_id == owner_id]
    current = [m for m in own if m.superseded_by is None]
    superseded = len(own) - len(current)
    decay, limits = settings.decay, settings.health

    placed = {m.id: tier_for(m, now_s, decay) for m in current}
    counts = {tier: 0 for tier in MemoryTier}
    for tier in placed.values():
        counts[tier] += 1
    tiers = [
        TierUse(tier=MemoryTier.HOT, count=counts[MemoryTier.HOT], capacity=limits.hot_capacity),
        TierUse(tier=MemoryTier.WARM, count=counts[MemoryTier.WARM], capacity=limits.warm_capacity),
        TierUse(tier=MemoryTier.COLD, count=counts[MemoryTier.COLD], capacity=None),
    ]
    stale = sum(1 for m in current if m.tier is not placed[m.id])
    exempt = sum(1 for m in current if is_exempt(m, decay))
    retention_s = limits.cold_retention_days * SECONDS_PER_DAY
    cold_past = sum(
        1
        for m in current
        if placed[m.id] is MemoryTier.COLD and now_s - last_used_s(m) > retention_s
    )
    oldest = [
        OldMemory(
            id=m.id,
            text=m.text,
            tier=placed[m.id],
            created_at_s=m.created_at_s,
            age_days=max(now_s - m.created_at_s, 0.0) / SECONDS_PER_DAY,
            days_unused=max(now_s - last_used_s(m), 0.0) / SECONDS_PER_DAY,
        )
        for m in sorted(current, key=lambda m: (m.created_at_s, m.id))[: limits.oldest_items_shown]
    ]
    facts_ever = sum(1 for m in own if m.kind is MemoryKind.FACT)
    health = MemoryHealth(
        owner_id=owner_id,
        now_s=now_s,
        total=len(current),
        by_kind={kind: sum(1 for m in current if m.kind is kind) for kind in MemoryKind},
        superseded=superseded,
        pinned=sum(1 for m in current if m.pinned),
        exempt_from_decay=exempt,
        tiers=tiers,
        stale_tiers=stale,
        cold_past_retention=cold_past,
        oldest=oldest,
        recommendations=[],
    )
    health.recommendations = _recommendations(health, facts_ever, settings)
    return health


def _recommendations(health: MemoryHealth, facts_ever: int, settings: MemorySettings) -> list[str]:
    decay, limits = settings.decay, settings.health
    advice: list[str] = []
    if health.total == 0:
        advice.append(
            f"{health.owner_id} remembers nothing yet: facts are extracted every "
            f"{settings.facts.extract_every_messages} messages of its conversations"
        )
        return advice
    for use in health.tiers:
        if use.capacity is not None and use.count > use.capacity:
            fix = (
                "enable decay (decay.enabled)"
                if not decay.enabled
                else "raise decay.rate_per_day to cool memories faster, or raise "
                f"health.{use.tier.value}_capacity"
            )
            advice.append(
                f"the {use.tier.value} tier holds {use.count} memories, over its capacity of "
                f"{use.capacity}: {fix}"
            )
    if health.exempt_from_decay * 2 > health.total:
        advice.append(
            f"{health.exempt_from_decay} of {health.total} memories are pinned or of importance "
            f">= {decay.high_importance_threshold} and never decay: raise "
            "decay.high_importance_threshold or unpin some"
        )
    if health.stale_tiers:
        advice.append(
            f"{health.stale_tiers} memories are stored in a tier decay has since changed: apply "
            "decay (PersonaMemory.apply_decay, run after each conversation) to store the new tiers"
        )
    if health.cold_past_retention:
        advice.append(
            f"{health.cold_past_retention} cold memories have gone unused for more than "
            f"{limits.cold_retention_days:g} days: archive them if they no longer matter "
            "(personae never deletes memories by itself)"
        )
    if facts_ever and health.superseded / facts_ever > limits.superseded_share_warning:
        advice.append(
            f"{health.superseded} of {facts_ever} facts were superseded by newer ones: the "
            "extraction may be flip-flopping; review them with `personae memory show`"
        )
    return advice
