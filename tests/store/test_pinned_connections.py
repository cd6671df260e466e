"""The per-turn write path keeps one SQLite connection per thread checked out, and gives them
all back when the store closes."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from personae.store import NotFoundError, open_store
from tests.store.builders import conversation, turn


def test_threads_write_turns_on_their_own_pinned_connections(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "talks.db"))
    for n in range(4):
        store.conversations.create(conversation(f"c{n}"))
    errors: list[BaseException] = []

    def talk(conversation_id: str) -> None:
        try:
            for index in range(25):
                store.turns.append(turn(index, conversation_id=conversation_id))
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    threads = [threading.Thread(target=talk, args=(f"c{n}",)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    pool = store.database.engine.pool
    assert pool.checkedout() >= 4  # type: ignore[attr-defined]  # one pinned per thread
    for n in range(4):
        assert [t.index for t in store.turns.list(f"c{n}")] == list(range(25))
    store.close()
    assert pool.checkedout() == 0  # type: ignore[attr-defined]


def test_a_failed_write_leaves_the_pinned_connection_usable(tmp_path: Path) -> None:
    with open_store(str(tmp_path / "talks.db")) as store:
        store.conversations.create(conversation())
        store.turns.append(turn(0))
        with pytest.raises(NotFoundError):  # rolled back inside the driver's transaction
            store.turns.append(turn(0, conversation_id="ghost"))
        assert store.turns.append(turn(1))
        assert [t.index for t in store.turns.list("c1")] == [0, 1]
