from __future__ import annotations

from personae.store import Store


def test_a_pair_that_never_talked_need_not_wait(store: Store) -> None:
    assert store.cooldowns.until("bard", "smith") == 0.0
    assert store.cooldowns.all() == {}


def test_block_keeps_the_later_time_in_either_order(store: Store) -> None:
    store.cooldowns.block("smith", "bard", 400.0)
    store.cooldowns.block("bard", "smith", 250.0)
    assert store.cooldowns.until("bard", "smith") == 400.0
    store.cooldowns.block("bard", "smith", 900.5)
    assert store.cooldowns.all() == {("bard", "smith"): 900.5}


def test_cooldowns_belong_to_their_run(store: Store) -> None:
    store.for_run("r1").cooldowns.block("bard", "smith", 60.0)
    assert store.cooldowns.until("bard", "smith") == 0.0
    assert store.for_run("r1").cooldowns.until("bard", "smith") == 60.0
