from __future__ import annotations

import pytest

from personae.store import NotFoundError, Store, StoreError, open_store
from personae.store.records import RunStatus


def test_a_created_run_comes_back_with_its_settings(store: Store) -> None:
    run = store.runs.create("r1", "tavern", 42, {"budgets": {"token_budget": 800}, "ticks": 3})
    assert run.clock_s == 0
    assert run.status is RunStatus.RUNNING
    assert store.runs.get("r1") == run


def test_a_run_id_cannot_be_reused(store: Store) -> None:
    store.runs.create("r1", "tavern", 1)
    with pytest.raises(StoreError, match="'r1' already exists"):
        store.runs.create("r1", "market", 2)


def test_the_world_clock_only_moves_forward(store: Store) -> None:
    store.runs.create("r1", "tavern", 1)
    store.runs.advance_clock("r1", 120.5)
    assert store.runs.require("r1").clock_s == 120.5
    with pytest.raises(StoreError, match="cannot go back"):
        store.runs.advance_clock("r1", 60.0)


def test_status_changes_are_stored(store: Store) -> None:
    store.runs.create("r1", "tavern", 1)
    store.runs.set_status("r1", RunStatus.FINISHED)
    assert store.runs.require("r1").status is RunStatus.FINISHED


def test_an_unknown_run_is_not_found(store: Store) -> None:
    assert store.runs.get("nope") is None
    with pytest.raises(NotFoundError, match="'nope'"):
        store.runs.set_status("nope", RunStatus.PAUSED)


def test_runs_are_listed_newest_first(store_url: str) -> None:
    times = iter([10.0, 20.0, 30.0])
    with open_store(store_url, clock=lambda: next(times)) as store:
        store.runs.create("old", "tavern", 1)
        store.runs.create("new", "tavern", 2)
        assert [run.id for run in store.runs.list()] == ["new", "old"]
