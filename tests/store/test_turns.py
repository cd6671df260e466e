from __future__ import annotations

import pytest

from personae.store import NotFoundError, Store, TurnConflictError
from tests.store.builders import conversation, turn


@pytest.fixture
def talking(store: Store) -> Store:
    store.conversations.create(conversation())
    return store


def test_appended_turns_come_back_equal_and_in_order(talking: Store) -> None:
    for index in (0, 1, 2):
        assert talking.turns.append(turn(index))
    assert talking.turns.list("c1") == [turn(0), turn(1), turn(2)]


def test_every_turn_field_survives_the_round_trip(talking: Store) -> None:
    full = turn(
        0,
        listener_ids=["smith", "abbot"],
        interrupted_id="abbot",
        is_fallback=True,
        is_exit=True,
        cost_usd=None,
        scores={"bard": 0.1 + 0.2, "smith": 1e-9},
    )
    talking.turns.append(full)
    assert talking.turns.list("c1") == [full]


def test_appending_the_same_turn_again_changes_nothing(talking: Store) -> None:
    assert talking.turns.append(turn(0))
    assert not talking.turns.append(turn(0))
    assert talking.turns.list("c1") == [turn(0)]


def test_a_different_turn_at_a_used_index_is_refused(talking: Store) -> None:
    talking.turns.append(turn(0))
    with pytest.raises(TurnConflictError, match=r"differs in text\).*continue at turn 1"):
        talking.turns.append(turn(0, text="Something else entirely."))
    assert talking.turns.list("c1") == [turn(0)]


def test_a_turn_of_an_unknown_conversation_is_refused(store: Store) -> None:
    with pytest.raises(NotFoundError, match="'ghost' is not in the store"):
        store.turns.append(turn(0, conversation_id="ghost"))


def test_next_index_follows_the_last_stored_turn(talking: Store) -> None:
    assert talking.turns.next_index("c1") == 0
    talking.turns.append(turn(0))
    talking.turns.append(turn(1))
    assert talking.turns.next_index("c1") == 2


def test_list_from_an_index_skips_earlier_turns(talking: Store) -> None:
    for index in range(4):
        talking.turns.append(turn(index))
    assert [t.index for t in talking.turns.list("c1", from_index=2)] == [2, 3]


def test_turns_of_two_conversations_do_not_mix(talking: Store) -> None:
    talking.conversations.create(conversation("c2"))
    talking.turns.append(turn(0))
    talking.turns.append(turn(0, conversation_id="c2", text="Other talk."))
    assert [t.text for t in talking.turns.list("c2")] == ["Other talk."]


def test_a_turn_of_an_unknown_conversation_is_refused_inside_a_transaction(store: Store) -> None:
    refused = pytest.raises(NotFoundError, match="'c1' is not in the store")
    with refused, store.transaction() as tx:
        tx.turns.append(turn(0))
    assert store.turns.list("c1") == []


def test_a_batch_of_turns_commits_together_and_says_which_were_new(talking: Store) -> None:
    talking.conversations.create(conversation("c2"))
    talking.turns.append(turn(0))
    stored = talking.turns.append_many([turn(0), turn(1), turn(0, conversation_id="c2")])
    assert stored == [False, True, True]
    assert talking.turns.list("c1") == [turn(0), turn(1)]
    assert talking.turns.list("c2") == [turn(0, conversation_id="c2")]


def test_a_batch_with_an_unknown_conversation_commits_nothing(talking: Store) -> None:
    with pytest.raises(NotFoundError, match="one of c1, ghost"):
        talking.turns.append_many([turn(0), turn(0, conversation_id="ghost")])
    assert talking.turns.list("c1") == []
