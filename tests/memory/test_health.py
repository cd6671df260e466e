"""The memory health report."""

from __future__ import annotations

from personae.domain.memory import MemoryKind, MemoryTier
from personae.memory.health import memory_health
from personae.memory.settings import SECONDS_PER_DAY, HealthSettings, MemorySettings
from tests.memory.factories import make_memory

DAY = SECONDS_PER_DAY
NOW = 200 * DAY
SETTINGS = MemorySettings()


def test_tiers_are_counted_where_decay_places_them_now() -> None:
    memories = [
        make_memory("fresh", created_at_s=NOW - DAY),
        make_memory("week", created_at_s=NOW - 10 * DAY),
        make_memory("old", created_at_s=NOW - 30 * DAY),
        make_memory("older", created_at_s=NOW - 40 * DAY),
    ]
    health = memory_health("anna", memories, NOW, SETTINGS)
    counts = {use.tier: use.count for use in health.tiers}
    assert counts == {MemoryTier.HOT: 1, MemoryTier.WARM: 1, MemoryTier.COLD: 2}
    assert health.tier(MemoryTier.HOT).utilisation == 1 / 200
    assert health.tier(MemoryTier.COLD).capacity is None


def test_other_owners_and_superseded_facts_are_counted_apart() -> None:
    memories = [
        make_memory("mine", created_at_s=NOW),
        make_memory("replaced", created_at_s=NOW, superseded_by="mine"),
        make_memory("episode", kind=MemoryKind.EPISODE, created_at_s=NOW),
        make_memory("theirs", owner_id="bob", created_at_s=NOW),
    ]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert health.total == 2
    assert health.superseded == 1
    assert health.by_kind == {MemoryKind.FACT: 1, MemoryKind.EPISODE: 1}


def test_oldest_items_come_first_and_are_limited() -> None:
    memories = [make_memory(f"m{i}", created_at_s=NOW - i * DAY) for i in range(8)]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert [item.id for item in health.oldest] == ["m7", "m6", "m5", "m4", "m3"]
    assert health.oldest[0].age_days == 7.0


def test_a_persona_without_memories_is_told_where_memories_come_from() -> None:
    health = memory_health("anna", [], NOW, SETTINGS)
    assert not health.healthy
    assert health.recommendations == [
        "anna remembers nothing yet: facts are extracted every 5 messages of its conversations"
    ]


def test_fresh_ordinary_memories_are_healthy() -> None:
    memories = [make_memory(f"m{i}", created_at_s=NOW) for i in range(3)]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert health.healthy
    assert health.recommendations == []


def test_an_overfull_hot_tier_recommends_faster_decay() -> None:
    settings = MemorySettings(health=HealthSettings(hot_capacity=2))
    memories = [make_memory(f"m{i}", created_at_s=NOW) for i in range(3)]
    (advice,) = memory_health("anna", memories, NOW, settings).recommendations
    assert advice.startswith("the hot tier holds 3 memories, over its capacity of 2")
    assert "decay.rate_per_day" in advice


def test_stored_tiers_that_decay_has_changed_are_reported() -> None:
    memories = [
        make_memory("cooled", created_at_s=NOW - 30 * DAY, tier=MemoryTier.HOT),
        make_memory("fresh", created_at_s=NOW),
        make_memory("other", created_at_s=NOW),
    ]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert health.stale_tiers == 1
    assert any("apply decay" in advice for advice in health.recommendations)


def test_cold_memories_past_retention_are_flagged_never_deleted() -> None:
    memories = [
        make_memory("ancient", created_at_s=0.0, tier=MemoryTier.COLD),
        make_memory("fresh", created_at_s=NOW),
        make_memory("fresh2", created_at_s=NOW),
    ]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert health.cold_past_retention == 1
    assert any("never deletes" in advice for advice in health.recommendations)


def test_mostly_undecaying_memories_are_flagged() -> None:
    memories = [make_memory(f"m{i}", importance=9, created_at_s=NOW) for i in range(3)]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert health.exempt_from_decay == 3
    assert any("never decay" in advice for advice in health.recommendations)


def test_many_superseded_facts_suggest_flip_flopping_extraction() -> None:
    memories = [
        make_memory("a", created_at_s=NOW, superseded_by="b"),
        make_memory("b", created_at_s=NOW, superseded_by="c"),
        make_memory("c", created_at_s=NOW),
    ]
    health = memory_health("anna", memories, NOW, SETTINGS)
    assert any("flip-flopping" in advice for advice in health.recommendations)
