from __future__ import annotations

import pytest

from personae.domain import InteractionState, Priority
from personae.store import NotFoundError, Store
from tests.store.builders import persona


def test_a_saved_persona_comes_back_equal(store: Store) -> None:
    bard = persona()
    store.personas.save(bard)
    assert store.personas.get("bard") == bard


def test_topic_order_is_kept(store: Store) -> None:
    store.personas.save(persona(topics={"zebras": 1, "apples": 2, "mead": 3}))
    assert list(store.personas.require("bard").topics) == ["zebras", "apples", "mead"]


def test_saving_again_replaces_profile_topics_and_state(store: Store) -> None:
    store.personas.save(persona())
    changed = persona(name="Old Bard", topics={"mead": 40}, state=InteractionState())
    store.personas.save(changed)
    assert store.personas.get("bard") == changed


def test_save_state_changes_only_the_state(store: Store) -> None:
    store.personas.save(persona())
    tired = InteractionState(interaction_fatigue=80, current_priority=Priority.URGENT)
    store.personas.save_state("bard", tired)
    assert store.personas.require("bard") == persona(state=tired)


def test_save_state_of_an_unknown_persona_is_an_error(store: Store) -> None:
    with pytest.raises(NotFoundError, match="'ghost' is not in the store"):
        store.personas.save_state("ghost", InteractionState())


def test_save_states_writes_many_states_or_none(store: Store) -> None:
    store.personas.save_many([persona("smith"), persona("bard")])
    tired = InteractionState(interaction_fatigue=80)
    keen = InteractionState(social_energy=95)
    store.personas.save_states({"smith": tired, "bard": keen})
    assert store.personas.require("smith") == persona("smith", state=tired)
    assert store.personas.require("bard") == persona("bard", state=keen)
    assert store.personas.ids() == {"smith", "bard"}
    assert store.for_run("elsewhere").personas.ids() == set()
    with pytest.raises(NotFoundError, match="'ghost' is not in the store"):
        store.personas.save_states({"bard": InteractionState(), "ghost": InteractionState()})
    assert store.personas.require("bard") == persona("bard", state=keen)  # nothing written


def test_an_unknown_persona_is_none_and_require_says_so(store: Store) -> None:
    assert store.personas.get("ghost") is None
    with pytest.raises(NotFoundError, match="ghost"):
        store.personas.require("ghost")


def test_list_and_get_many_return_stored_personas_by_id(store: Store) -> None:
    store.personas.save_many([persona("smith"), persona("bard"), persona("abbot", topics={})])
    assert [p.id for p in store.personas.list()] == ["abbot", "bard", "smith"]
    assert set(store.personas.get_many(["smith", "ghost", "abbot"])) == {"smith", "abbot"}
    assert store.personas.get("abbot") == persona("abbot", topics={})


def test_each_run_has_its_own_personas(store: Store) -> None:
    store.personas.save(persona(description="outside any run"))
    store.for_run("run-1").personas.save(persona(description="in run 1"))
    assert store.personas.require("bard").description == "outside any run"
    assert store.for_run("run-1").personas.require("bard").description == "in run 1"
    assert store.for_run("run-2").personas.get("bard") is None


def test_delete_removes_the_persona_with_its_state_and_topics(store: Store) -> None:
    store.personas.save(persona())
    assert store.personas.delete("bard")
    assert store.personas.get("bard") is None
    assert not store.personas.delete("bard")
