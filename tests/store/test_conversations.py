from __future__ import annotations

import pytest

from personae.domain import ConversationStatus
from personae.store import NotFoundError, Store, StoreError
from tests.store.builders import conversation, turn


def test_a_created_conversation_comes_back_equal(store: Store) -> None:
    store.runs.create("r1", "tavern", 7)
    record = conversation(participants=("smith", "bard", "abbot"), run_id="r1", cost_usd=None)
    store.conversations.create(record)
    assert store.conversations.get("c1") == record


def test_a_conversation_id_cannot_be_reused(store: Store) -> None:
    store.conversations.create(conversation())
    with pytest.raises(StoreError, match="cannot create conversation 'c1'"):
        store.conversations.create(conversation(topic="mead"))


def test_a_conversation_in_an_unknown_run_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="run 'ghost-run'"):
        store.conversations.create(conversation(run_id="ghost-run"))


def test_list_filters_by_run_room_status_and_participant(store: Store) -> None:
    store.runs.create("r1", "tavern", 7)
    store.conversations.create(conversation("a", run_id="r1", started_at_s=3))
    store.conversations.create(conversation("b", run_id="r1", room_id="market", started_at_s=2))
    store.conversations.create(conversation("c", participants=("abbot", "smith"), started_at_s=1))
    store.conversations.end("a", "fatigue", 50.0)

    def ids(**filters: object) -> list[str]:
        return [c.id for c in store.conversations.list(**filters)]  # type: ignore[arg-type]

    assert ids() == ["c", "b", "a"]
    assert ids(run_id="r1") == ["b", "a"]
    assert ids(run_id="r1", room_id="tavern") == ["a"]
    assert ids(status=ConversationStatus.ACTIVE) == ["c", "b"]
    assert ids(participant_id="abbot") == ["c"]


def test_end_records_the_exit_and_totals(store: Store) -> None:
    store.conversations.create(conversation())
    ended = store.conversations.end("c1", "token_budget", 260.5, tokens_used=812, cost_usd=None)
    assert ended.status is ConversationStatus.ENDED
    assert (ended.exit_reason, ended.ended_at_s, ended.tokens_used, ended.cost_usd) == (
        "token_budget",
        260.5,
        812,
        None,
    )
    assert store.conversations.get("c1") == ended


def test_departures_are_kept_in_the_order_people_left(store: Store) -> None:
    record = conversation(participants=("smith", "bard", "abbot"))
    store.conversations.create(record)
    record.departures["smith"] = "time_pressure"
    store.conversations.save_departures(record)
    record.departures["abbot"] = "fatigue"
    store.conversations.save_departures(record)
    assert list(store.conversations.require("c1").departures.items()) == [
        ("smith", "time_pressure"),
        ("abbot", "fatigue"),
    ]


def test_create_if_absent_creates_once_and_keeps_what_is_stored(store: Store) -> None:
    assert store.conversations.create_if_absent(conversation(topic="mead"))
    assert not store.conversations.create_if_absent(conversation(topic="ale"))
    assert store.conversations.require("c1").topic == "mead"
    with pytest.raises(StoreError, match="run 'nowhere' is not in the store"):
        store.conversations.create_if_absent(conversation("c2", run_id="nowhere"))


def test_a_running_conversation_saves_its_progress_fields_and_departures(store: Store) -> None:
    store.conversations.create(conversation(participants=("smith", "bard", "abbot")))
    record = store.conversations.require("c1")
    record.departures["abbot"] = "fatigue"
    store.conversations.save_departures(record)
    record.tokens_used, record.summary, record.summarized_turns = 120, "They spoke of mead.", 4
    store.conversations.save_progress(record)
    assert store.conversations.require("c1") == record
    record.exit_reason, record.ended_at_s = "bored", 42.0
    store.conversations.save_fields(record)
    assert store.conversations.require("c1") == record
    assert store.conversations.require("c1").participants == ["smith", "bard", "abbot"]


def test_update_replaces_fields_and_participants(store: Store) -> None:
    store.conversations.create(conversation())
    changed = conversation(participants=("bard", "smith", "abbot"), topic="mead", tokens_used=90)
    store.conversations.update(changed)
    assert store.conversations.require("c1") == changed


def test_changing_an_unknown_conversation_is_an_error(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.conversations.end("ghost", "fatigue", 1.0)
    with pytest.raises(NotFoundError):
        store.conversations.save_departures(conversation("ghost"))
    with pytest.raises(NotFoundError):
        store.conversations.update(conversation("ghost"))
    with pytest.raises(NotFoundError):
        store.conversations.save_fields(conversation("ghost"))


def test_deleting_a_conversation_deletes_its_turns(store: Store) -> None:
    store.conversations.create(conversation())
    store.turns.append(turn(0))
    assert store.conversations.delete("c1")
    assert store.conversations.get("c1") is None
    assert store.turns.list("c1") == []
