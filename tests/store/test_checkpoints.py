"""SQLite checkpoints run in the store's background thread, never inside a turn's commit."""

from __future__ import annotations

import gc
import sqlite3
import threading
import time
from pathlib import Path

from personae.store import open_store
from personae.store.checkpoints import WalCheckpointer
from tests.store.builders import conversation, turn


def checkpoint_threads() -> list[threading.Thread]:
    return [t for t in threading.enumerate() if t.name == "personae-wal-checkpoint"]


def test_commits_leave_checkpoints_to_the_background_thread(tmp_path: Path) -> None:
    path = tmp_path / "talks.db"
    with open_store(str(path)) as store:
        with store.database.engine.connect() as connection:
            setting = connection.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar()
        assert setting == 0
        store.conversations.create(conversation())
        for index in range(400):  # ~1,200 WAL pages: SQLite's default would checkpoint here
            store.turns.append(turn(index))
        checkpointer = store.database.checkpointer
        assert checkpointer is not None
        deadline = time.monotonic() + 30
        while checkpointer.checkpoints == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert checkpointer.checkpoints >= 1
        assert len(store.turns.list("c1")) == 400


def test_closing_the_store_checkpoints_and_stops_the_thread(tmp_path: Path) -> None:
    path = tmp_path / "talks.db"
    before = len(checkpoint_threads())
    store = open_store(str(path))
    assert len(checkpoint_threads()) == before + 1
    store.conversations.create(conversation())
    store.turns.append(turn(0))
    store.close()
    assert len(checkpoint_threads()) == before
    with sqlite3.connect(path) as reader:  # everything committed is in the file
        assert reader.execute("SELECT count(*) FROM turns").fetchone() == (1,)


def test_a_store_dropped_without_closing_does_not_keep_its_thread(tmp_path: Path) -> None:
    store = open_store(str(tmp_path / "dropped.db"))
    checkpointer = store.database.checkpointer
    assert isinstance(checkpointer, WalCheckpointer)
    del store
    gc.collect()
    assert checkpointer.checkpoint() is False  # its engine is gone: the thread's next beat ends


def test_an_in_memory_store_has_no_checkpointer() -> None:
    with open_store("sqlite://") as store:
        assert store.database.checkpointer is None
