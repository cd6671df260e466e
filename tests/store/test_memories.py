from __future__ import annotations

import numpy as np
import pytest

from personae.domain import MemoryKind, MemoryTier
from personae.store import NotFoundError, Store, StoreError
from personae.store.records import FactTelling
from tests.store.builders import memory


def test_a_memory_comes_back_equal(store: Store) -> None:
    fact = memory(
        "m1",
        told_by="smith",
        source_conversation_id="c9",
        source_turn=4,
        pinned=True,
        tier=MemoryTier.WARM,
        importance=9,
    )
    store.memories.add(fact)
    assert store.memories.get("m1") == fact


def test_a_memory_id_cannot_be_reused(store: Store) -> None:
    store.memories.add(memory("m1"))
    with pytest.raises(StoreError, match="'m1'"):
        store.memories.add(memory("m1", text="other"))


def test_list_filters_by_owner_subject_kind_and_tier(store: Store) -> None:
    store.memories.add_many(
        [
            memory("m1", created_at_s=3),
            memory("m2", about_id="abbot", created_at_s=2),
            memory("m3", kind=MemoryKind.EPISODE, created_at_s=1, tier=MemoryTier.COLD),
            memory("m4", owner_id="smith"),
        ]
    )
    assert [m.id for m in store.memories.list("bard")] == ["m3", "m2", "m1"]
    assert [m.id for m in store.memories.list("bard", about_id="abbot")] == ["m2"]
    assert [m.id for m in store.memories.list("bard", kind=MemoryKind.EPISODE)] == ["m3"]
    assert [m.id for m in store.memories.list("bard", tier=MemoryTier.COLD)] == ["m3"]


def test_a_superseded_memory_is_kept_as_history(store: Store) -> None:
    store.memories.add_many([memory("old", text="smith is poor"), memory("new", text="rich")])
    store.memories.supersede("old", "new")
    assert [m.id for m in store.memories.list("bard")] == ["new"]
    history = store.memories.list("bard", include_superseded=True)
    assert [(m.id, m.superseded_by) for m in history] == [("new", None), ("old", "new")]


def test_superseding_with_an_unknown_memory_is_an_error(store: Store) -> None:
    store.memories.add(memory("old"))
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.memories.supersede("old", "ghost")


def test_touch_tier_and_update_change_the_stored_memory(store: Store) -> None:
    store.memories.add_many([memory("m1"), memory("m2")])
    store.memories.touch(["m1", "m2"], 99.5)
    store.memories.set_tier(["m2"], MemoryTier.COLD)
    assert [(m.last_accessed_s, m.tier) for m in store.memories.list("bard")] == [
        (99.5, MemoryTier.HOT),
        (99.5, MemoryTier.COLD),
    ]
    merged = memory("m1", importance=10, text="merged fact")
    store.memories.update(merged)
    assert store.memories.get("m1") == merged


def test_changing_an_unknown_memory_is_an_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.memories.touch(["ghost"], 1.0)
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.memories.update(memory("ghost"))


def test_embeddings_come_back_as_a_matrix_per_model(store: Store) -> None:
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((3, 8)).astype(np.float32)
    store.memories.add_many(
        [memory("m1", created_at_s=1), memory("m2", created_at_s=2)], vectors[:2], "minilm"
    )
    store.memories.add(memory("m3", created_at_s=3))
    store.memories.set_embedding("m3", vectors[2], "other-model")
    ids, matrix = store.memories.embeddings("bard", "minilm")
    assert ids == ["m1", "m2"]
    np.testing.assert_array_equal(matrix, vectors[:2])
    assert store.memories.embeddings("bard", "other-model")[0] == ["m3"]
    assert store.memories.embeddings("smith", "minilm")[0] == []


def test_an_embedding_needs_its_model_name(store: Store) -> None:
    with pytest.raises(ValueError, match="name of the model"):
        store.memories.add(memory("m1"), np.ones(4), None)


def test_memories_belong_to_their_run(store: Store) -> None:
    store.for_run("r1").memories.add(memory("m1"))
    assert store.memories.list("bard") == []
    assert [m.id for m in store.for_run("r1").memories.list("bard")] == ["m1"]


def test_provenance_follows_gossip_back_to_its_source(store: Store) -> None:
    # smith saw it; smith told bard; bard told abbot.
    store.memories.add_many(
        [
            memory("smith-1", owner_id="smith"),
            memory("bard-1", told_by="smith"),
            memory("abbot-1", owner_id="abbot", told_by="bard"),
        ]
    )
    first = FactTelling(
        memory_id="bard-1",
        teller_id="smith",
        listener_id="bard",
        source_memory_id="smith-1",
        conversation_id="c1",
        turn_index=3,
        world_time_s=50,
    )
    second = FactTelling(
        memory_id="abbot-1", teller_id="bard", listener_id="abbot", source_memory_id="bard-1"
    )
    store.memories.record_telling(first)
    store.memories.record_telling(second)
    assert store.memories.tellings("bard-1") == [first]
    assert store.memories.provenance("abbot-1") == [second, first]
    assert store.memories.provenance("smith-1") == []


def test_a_telling_of_an_unknown_memory_is_refused(store: Store) -> None:
    with pytest.raises(NotFoundError, match="'ghost'"):
        store.memories.record_telling(
            FactTelling(memory_id="ghost", teller_id="smith", listener_id="bard")
        )


def test_many_memories_come_back_by_id_oldest_first(store: Store) -> None:
    # More ids than one read takes: the memories come back from every chunk, unknown ids left out.
    stored = [memory(f"m{i:02d}", created_at_s=50 - i) for i in range(40)]
    store.memories.add_many(stored)
    found = store.memories.get_many([m.id for m in stored] + ["ghost"])
    assert list(found) == [m.id for m in reversed(stored)]
    assert found["m07"] == stored[7]


def test_reads_inside_a_transaction_see_its_writes(store: Store) -> None:
    with store.transaction() as tx:
        tx.memories.add(memory("m1"))
        assert [m.id for m in tx.memories.list("bard")] == ["m1"]
        assert list(tx.memories.get_many(["m1"])) == ["m1"]
    with store.driver_transaction() as tx:
        tx.memories.add(memory("m2"))
        assert [m.id for m in tx.memories.list("bard")] == ["m1", "m2"]
