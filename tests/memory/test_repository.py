"""The `MemoryRepository` contract, on the in-memory repository and on the store (SQLite and
PostgreSQL): the memory layer relies on exactly this behaviour from both."""

from __future__ import annotations

import numpy as np
import pytest

from personae.domain.memory import MemoryKind, MemoryTier
from personae.errors import PersonaeError
from personae.memory.repository import MemoryRepository
from tests.memory.factories import make_memory


def test_it_satisfies_the_protocol(repository: MemoryRepository) -> None:
    assert isinstance(repository, MemoryRepository)


def test_an_id_can_only_be_added_once(repository: MemoryRepository) -> None:
    repository.add(make_memory("m"))
    with pytest.raises(PersonaeError, match="'m'"):
        repository.add(make_memory("m"))


def test_a_stored_memory_comes_back_equal(repository: MemoryRepository) -> None:
    memory = make_memory("m", "Bob likes ale", about_id="bob", told_by="carl", importance=7)
    repository.add(memory)
    assert repository.get("m") == memory
    assert repository.get("ghost") is None


def test_several_memories_are_read_and_updated_at_once(repository: MemoryRepository) -> None:
    for memory_id in ("m1", "m2", "m3"):
        repository.add(make_memory(memory_id))
    used = [
        make_memory("m1", last_accessed_s=50.0),
        make_memory("m3", tier=MemoryTier.WARM),
    ]
    repository.update_many(used)
    assert repository.get_many(["m3", "m1", "ghost"]) == {"m1": used[0], "m3": used[1]}
    with pytest.raises(PersonaeError, match="'ghost'"):
        repository.update_many([make_memory("m2", importance=9), make_memory("ghost")])
    assert repository.get("m2") == make_memory("m2")  # nothing of the refused call was written


def test_superseding_keeps_the_old_memory_in_history(repository: MemoryRepository) -> None:
    repository.add(make_memory("old", created_at_s=1.0))
    repository.add(make_memory("new", created_at_s=2.0))
    repository.supersede("old", "new")
    old = repository.get("old")
    assert old is not None
    assert old.superseded_by == "new"
    assert [m.id for m in repository.list("anna")] == ["new"]
    assert [m.id for m in repository.list("anna", include_superseded=True)] == ["old", "new"]


def test_superseding_needs_both_memories(repository: MemoryRepository) -> None:
    repository.add(make_memory("old"))
    with pytest.raises(PersonaeError, match="'ghost'"):
        repository.supersede("old", "ghost")


def test_memories_are_listed_per_owner_in_time_order(repository: MemoryRepository) -> None:
    repository.add(make_memory("late", created_at_s=9.0))
    repository.add(make_memory("bobs", owner_id="bob"))
    repository.add(make_memory("early", created_at_s=1.0))
    assert [m.id for m in repository.list("anna")] == ["early", "late"]


def test_lists_filter_by_subject_kind_and_tier(repository: MemoryRepository) -> None:
    repository.add(make_memory("a", about_id="bob"))
    repository.add(make_memory("b", kind=MemoryKind.EPISODE, created_at_s=1.0))
    repository.add(make_memory("c", tier=MemoryTier.COLD, created_at_s=2.0))
    assert [m.id for m in repository.list("anna", about_id="bob")] == ["a"]
    assert [m.id for m in repository.list("anna", kind=MemoryKind.EPISODE)] == ["b"]
    assert [m.id for m in repository.list("anna", tier=MemoryTier.COLD)] == ["c"]


def test_updates_replace_the_fields_and_keep_the_vector(repository: MemoryRepository) -> None:
    repository.add(make_memory("m"), np.array([0.6, 0.8]), "toy")
    changed = make_memory("m", importance=9, tier=MemoryTier.WARM, last_accessed_s=50.0)
    repository.update(changed)
    assert repository.get("m") == changed
    ids, matrix = repository.embeddings("anna", "toy")
    assert ids == ["m"]
    np.testing.assert_allclose(matrix, [[0.6, 0.8]])


def test_updating_an_unknown_memory_is_an_error(repository: MemoryRepository) -> None:
    with pytest.raises(PersonaeError, match="'ghost'"):
        repository.update(make_memory("ghost"))


def test_vectors_are_returned_per_model_as_float32(repository: MemoryRepository) -> None:
    repository.add(make_memory("a", created_at_s=1.0), np.array([1.0, 0.0, 0.0]), "toy")
    repository.add(make_memory("b", created_at_s=2.0), np.array([0.0, 1.0, 0.0]), "other")
    repository.add(make_memory("c", created_at_s=3.0))
    ids, matrix = repository.embeddings("anna", "toy")
    assert ids == ["a"]
    assert matrix.dtype == np.float32
    assert matrix.shape == (1, 3)


def test_no_vectors_of_a_model_give_an_empty_list(repository: MemoryRepository) -> None:
    repository.add(make_memory("a"))
    ids, matrix = repository.embeddings("anna", "toy")
    assert ids == []
    assert matrix.size == 0


def test_a_vector_can_be_replaced_with_another_models(repository: MemoryRepository) -> None:
    repository.add(make_memory("a"), np.array([1.0, 0.0]), "old-model")
    repository.set_embedding("a", np.array([0.0, 0.5, 0.5]), "new-model")
    assert repository.embeddings("anna", "old-model")[0] == []
    ids, matrix = repository.embeddings("anna", "new-model")
    assert ids == ["a"]
    np.testing.assert_allclose(matrix, [[0.0, 0.5, 0.5]])


def test_superseded_vectors_are_left_out_unless_asked(repository: MemoryRepository) -> None:
    repository.add(make_memory("old", created_at_s=1.0), np.array([1.0, 0.0]), "toy")
    repository.add(make_memory("new", created_at_s=2.0), np.array([0.0, 1.0]), "toy")
    repository.supersede("old", "new")
    assert repository.embeddings("anna", "toy")[0] == ["new"]
    assert repository.embeddings("anna", "toy", include_superseded=True)[0] == ["old", "new"]
