"""The heap policy `open_runtime` applies: a frozen start-up heap, fewer and larger collections,
and cyclic garbage still collected."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from personae.heap import YOUNG_COLLECTION_EVERY, freeze_startup_heap, tune_collector


@pytest.fixture
def restored_collector() -> Iterator[None]:
    thresholds = gc.get_threshold()
    yield
    gc.set_threshold(*thresholds)
    gc.unfreeze()


class Node:
    def __init__(self) -> None:
        self.other: Node | None = None


def test_the_tuned_collector_still_frees_cyclic_garbage(restored_collector: None) -> None:
    freeze_startup_heap()
    assert gc.get_freeze_count() > 0
    tune_collector()
    assert gc.get_threshold()[0] == YOUNG_COLLECTION_EVERY
    a, b = Node(), Node()
    a.other, b.other = b, a  # a cycle: reference counting alone never frees it
    gone = weakref.ref(a)
    del a, b
    # Objects kept alive: the collector counts net allocations, and these make a young collection
    # due without any explicit gc.collect().
    kept = [Node() for _ in range(2 * YOUNG_COLLECTION_EVERY)]
    assert gone() is None
    assert len(kept) == 2 * YOUNG_COLLECTION_EVERY
