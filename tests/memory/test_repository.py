"""The in-memory `MemoryRepository`: the contract the SQL store implements too."""

from __future__ import annotations

import numpy as np
import pytest

from personae.memory.repository import (
    DuplicateMemoryError,
    InMemoryMemoryRepository,
    MemoryRepository,
    StoredEmbedding,
    UnknownMemoryError,
)
from tests.memory.factories import make_memory


def test_it_satisfies_the_protocol() -> None:
    assert isinstance(InMemoryMemoryRepository(), MemoryRepository)


def test_an_id_can_only_be_added_once() -> None:
    repository = InMemoryMemoryRepository([make_memory("m")])
    with pytest.raises(DuplicateMemoryError, match="'m' exists"):
        repository.add(make_memory("m"))


def test_superseding_keeps_the_old_memory_in_history() -> None:
    repository = InMemoryMemoryRepository([make_memory("old"), make_memory("new")])
    repository.supersede("old", "new")
    old = repository.get("old")
    assert old is not None
    assert old.superseded_by == "new"
    assert [m.id for m in repository.by_owner("anna")] == ["new"]
    assert [m.id for m in repository.by_owner("anna", include_superseded=True)] == ["new", "old"]


def test_superseding_needs_both_memories() -> None:
    repository = InMemoryMemoryRepository([make_memory("old")])
    with pytest.raises(UnknownMemoryError, match="'ghost'"):
        repository.supersede("old", "ghost")


def test_memories_are_listed_per_owner_in_time_order() -> None:
    repository = InMemoryMemoryRepository(
        [
            make_memory("late", created_at_s=9.0),
            make_memory("bobs", owner_id="bob"),
            make_memory("early", created_at_s=1.0),
        ]
    )
    assert [m.id for m in repository.by_owner("anna")] == ["early", "late"]
    assert [m.id for m in repository.all_memories()] == ["bobs", "early", "late"]


def test_updating_an_unknown_memory_is_an_error() -> None:
    with pytest.raises(UnknownMemoryError):
        InMemoryMemoryRepository().update(make_memory("ghost"))


def test_embeddings_are_kept_with_their_model() -> None:
    repository = InMemoryMemoryRepository()
    vector = np.array([0.6, 0.8], dtype=np.float32)
    repository.add(make_memory("m"), StoredEmbedding("toy", vector))
    stored = repository.embeddings(["m", "unknown"])
    assert list(stored) == ["m"]
    assert stored["m"].model == "toy"


def test_embeddings_round_trip_through_bytes() -> None:
    embedding = StoredEmbedding("toy", np.array([0.25, -1.5, 3.0], dtype=np.float32))
    blob = embedding.to_bytes()
    assert len(blob) == 12
    restored = StoredEmbedding.from_bytes("toy", blob)
    np.testing.assert_array_equal(restored.vector, embedding.vector)
