from __future__ import annotations

import pytest

from personae.domain import Relationship
from personae.store import Store, StoreError
from tests.store.builders import conversation, persona, turn
from tests.store.test_history import interaction


def test_a_transaction_commits_all_its_calls_together(store: Store) -> None:
    store.conversations.create(conversation())
    with store.transaction() as tx:
        tx.turns.append(turn(0))
        tx.conversations.end("c1", "fatigue", 130.0, tokens_used=432)
    assert len(store.turns.list("c1")) == 1
    assert store.conversations.require("c1").tokens_used == 432


def test_a_failed_transaction_leaves_nothing_behind(store: Store) -> None:
    store.conversations.create(conversation())

    def end_then_crash() -> None:
        with store.transaction() as tx:
            tx.turns.append(turn(0))
            tx.relationships.save(Relationship(a="bard", b="smith", affinity=5))
            raise RuntimeError("crash before the end of the conversation")

    with pytest.raises(RuntimeError, match="crash"):
        end_then_crash()
    assert store.turns.list("c1") == []
    assert store.relationships.get("bard", "smith") is None


def test_resume_returns_the_turns_and_participants_state(store: Store) -> None:
    store.runs.create("r1", "tavern", 3)
    run = store.for_run("r1")
    run.personas.save_many([persona("bard"), persona("smith", charisma=9)])
    run.relationships.save(Relationship(a="bard", b="smith", affinity=20, interactions=4))
    record = conversation(run_id="r1", participants=("bard", "smith", "you"))
    store.conversations.create(record)
    record.departures["smith"] = "fatigue"
    store.conversations.save_departures(record)
    for index in range(3):
        store.turns.append(turn(index))

    point = store.resume("c1")

    assert point.turns == [turn(0), turn(1), turn(2)]
    assert point.next_index == 3
    assert point.personas == {"bard": persona("bard"), "smith": persona("smith", charisma=9)}
    assert point.relationships == [Relationship(a="bard", b="smith", affinity=20, interactions=4)]
    assert point.remaining == ["bard", "you"]


def test_resuming_a_conversation_without_turns_starts_at_zero(store: Store) -> None:
    store.conversations.create(conversation())
    point = store.resume("c1")
    assert (point.turns, point.next_index, point.personas) == ([], 0, {})


def test_a_driver_transaction_commits_its_writes_together(store: Store) -> None:
    with store.driver_transaction() as tx:
        tx.cooldowns.block("bard", "smith", 500.0)
        tx.relationships.record_interaction("bard", "smith", 12.5)
    assert store.cooldowns.until("bard", "smith") == 500.0
    assert store.relationships.get("bard", "smith") is not None


def test_a_failed_write_undoes_the_whole_driver_transaction(store: Store) -> None:
    history = interaction("h1")
    store.history.add(history)

    def block_then_repeat() -> None:
        with store.driver_transaction() as tx:
            tx.cooldowns.block("bard", "smith", 500.0)
            tx.history.add(history)  # the same row again: refused, translated, rolled back

    with pytest.raises(StoreError, match="already stored"):
        block_then_repeat()
    assert store.cooldowns.until("bard", "smith") == 0.0


def test_a_driver_transaction_refuses_sqlalchemy_writes(store: Store) -> None:

    def create_run() -> None:
        with store.driver_transaction() as tx:
            tx.runs.create("r1", "tavern", 1)  # written through SQLAlchemy

    with pytest.raises(TypeError, match="driver-path writes"):
        create_run()
    assert store.runs.get("r1") is None
