"""Many writers at once: asyncio tasks of one process sharing a store, and two stores (as two
processes would) on one SQLite file. Nothing is lost and nobody sees 'database is locked'."""

from __future__ import annotations

import asyncio
import threading

from personae.domain import UsageRecord
from personae.store import Store, open_store
from tests.store.builders import conversation, turn

TASKS = 6
TURNS = 20


async def talk(store: Store, conversation_id: str) -> None:
    await asyncio.to_thread(store.conversations.create, conversation(conversation_id))
    for index in range(TURNS):
        await asyncio.to_thread(store.turns.append, turn(index, conversation_id))
        record = UsageRecord(backend="scripted", model="m", conversation_id=conversation_id)
        await asyncio.to_thread(store.usage.record, record)


async def test_asyncio_tasks_writing_at_once_lose_nothing(store: Store) -> None:
    await asyncio.gather(*(talk(store, f"c{n}") for n in range(TASKS)))
    for n in range(TASKS):
        assert store.turns.list(f"c{n}") == [turn(i, f"c{n}") for i in range(TURNS)]
    assert len(store.usage.query()) == TASKS * TURNS


def test_two_stores_on_one_sqlite_file_write_side_by_side(sqlite_url: str) -> None:
    with open_store(sqlite_url) as first, open_store(sqlite_url) as second:
        errors: list[BaseException] = []

        def write(store: Store, conversation_id: str) -> None:
            try:
                store.conversations.create(conversation(conversation_id))
                for index in range(TURNS):
                    store.turns.append(turn(index, conversation_id))
            except BaseException as error:  # reported by the assertion below
                errors.append(error)

        threads = [
            threading.Thread(target=write, args=(store, f"c{n}"))
            for n, store in enumerate([first, second, first, second])
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        assert [len(first.turns.list(f"c{n}")) for n in range(4)] == [TURNS] * 4
