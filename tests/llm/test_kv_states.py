"""The store of evaluated prompts: one state per lineage, least recently used out first."""

from __future__ import annotations

import ctypes

import numpy as np

from personae.llm.backends.kv_states import KVState, KVStates

MIB = 2**20


def _state(key: str, mib: int = 1) -> KVState:
    return KVState(key, np.zeros(3, dtype=np.intc), (ctypes.c_uint8 * (mib * MIB))())


def test_the_state_sharing_the_longest_prefix_is_found() -> None:
    states = KVStates(10 * MIB, worthwhile_chars=4)
    states.keep(_state("mara: hello"))
    states.keep(_state("gorin: prices"))
    found, shared = states.best("mara: hello there")
    assert found is not None
    assert found.key == "mara: hello"
    assert shared == len("mara: hello")
    assert states.best("nobody")[0] is None


def test_a_longer_prompt_of_the_same_lineage_replaces_the_kept_one() -> None:
    states = KVStates(10 * MIB, worthwhile_chars=4)
    states.keep(_state("mara: hello"))
    states.keep(_state("mara: hello, and then"))
    assert len(states) == 1
    assert states.held_bytes == MIB
    states.keep(_state("ma"))  # shares too little with it to be its lineage
    assert len(states) == 2


def test_the_least_recently_used_state_goes_first_past_the_budget() -> None:
    states = KVStates(2 * MIB, worthwhile_chars=4)
    states.keep(_state("first speaker"))
    states.keep(_state("second speaker"))
    states.best("first speaker again")  # used: now the second is the least recent
    states.keep(_state("third speaker"))
    kept = {states.best(key)[0].key for key in ("first speaker", "third speaker")}  # type: ignore[union-attr]
    assert kept == {"first speaker", "third speaker"}
    assert states.best("second speaker")[1] < len("second")
    assert states.held_bytes == 2 * MIB


def test_a_state_larger_than_the_budget_or_a_zero_budget_keeps_nothing() -> None:
    assert len(_kept(KVStates(MIB, 4), _state("big", mib=2))) == 0
    assert len(_kept(KVStates(0, 4), _state("any"))) == 0


def _kept(states: KVStates, state: KVState) -> KVStates:
    states.keep(state)
    return states
