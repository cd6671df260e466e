"""Group commit: turns spoken at the same moment by many conversations share one transaction,
and each writer still learns its own outcome only once its turn is committed."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from personae.conversation.journal import StoreJournal
from personae.domain.turn import ConversationRecord, Turn
from personae.store import NotFoundError, Store, TurnConflictError
from personae.store.group_commit import GroupCommit
from tests.store.builders import conversation, turn


class CountedBatches:
    """The store's own `append_many`, noting the size of each batch it commits."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.sizes: list[int] = []

    def __call__(self, batch: Sequence[Turn]) -> list[bool]:
        self.sizes.append(len(batch))
        return self.store.turns.append_many(batch)


@pytest.fixture
def five_talks(store: Store) -> Store:
    for n in range(5):
        store.conversations.create(conversation(f"c{n}"))
    return store


async def test_turns_spoken_at_once_commit_in_one_batch(five_talks: Store) -> None:
    batches = CountedBatches(five_talks)
    group = GroupCommit(batches, five_talks.turns.append)

    async def talk(conversation_id: str) -> None:
        for index in range(3):
            assert await group.commit(turn(index, conversation_id=conversation_id))
            # Resumed only once committed: the store already holds this very line.
            assert five_talks.turns.next_index(conversation_id) == index + 1

    await asyncio.gather(*(talk(f"c{n}") for n in range(5)))
    assert batches.sizes == [5, 5, 5]
    for n in range(5):
        assert [t.index for t in five_talks.turns.list(f"c{n}")] == [0, 1, 2]


async def test_a_lone_writer_commits_each_turn_alone(five_talks: Store) -> None:
    batches = CountedBatches(five_talks)
    group = GroupCommit(batches, five_talks.turns.append)
    for index in range(3):
        await group.commit(turn(index, conversation_id="c0"))
    assert batches.sizes == [1, 1, 1]


async def test_a_bad_turn_fails_only_its_own_writer(five_talks: Store) -> None:
    five_talks.turns.append(turn(0, conversation_id="c1"))
    group = GroupCommit(five_talks.turns.append_many, five_talks.turns.append)
    outcomes = await asyncio.gather(
        group.commit(turn(0, conversation_id="c0")),
        group.commit(turn(0, conversation_id="ghost")),
        group.commit(turn(0, conversation_id="c1", text="Not what was said.")),
        group.commit(turn(0, conversation_id="c2")),
        return_exceptions=True,
    )
    assert outcomes[0] is True
    assert outcomes[3] is True
    assert isinstance(outcomes[1], NotFoundError)
    assert isinstance(outcomes[2], TurnConflictError)
    assert five_talks.turns.list("c0") == [turn(0, conversation_id="c0")]
    assert five_talks.turns.list("c1") == [turn(0, conversation_id="c1")]
    assert five_talks.turns.list("c2") == [turn(0, conversation_id="c2")]


async def test_a_writer_cancelled_while_waiting_still_has_its_turn_committed(
    five_talks: Store,
) -> None:
    group = GroupCommit(five_talks.turns.append_many, five_talks.turns.append)
    waiting = asyncio.ensure_future(group.commit(turn(0, conversation_id="c0")))
    other = asyncio.ensure_future(group.commit(turn(0, conversation_id="c1")))
    await asyncio.sleep(0)  # both queued; the flush is due
    waiting.cancel()
    assert await other is True
    assert waiting.cancelled()
    assert five_talks.turns.list("c0") == [turn(0, conversation_id="c0")]


async def test_a_worlds_digests_share_a_transaction_and_each_is_stored_when_it_returns(
    five_talks: Store,
) -> None:
    # A digest's progress is written every few lines of every conversation: in a world, as
    # many commits as the turns' unless those made in one pass share one.
    sizes: list[int] = []
    save_many = five_talks.conversations.save_progress_many

    def counted(records: Sequence[ConversationRecord]) -> list[None]:
        sizes.append(len(records))
        return save_many(records)

    five_talks.conversations.save_progress_many = counted  # type: ignore[method-assign]
    journal = StoreJournal(five_talks, group_commit=True)

    async def digest(conversation_id: str) -> None:
        record = five_talks.conversations.require(conversation_id)
        record.summary, record.summarized_turns = f"{conversation_id} spoke of mead.", 4
        await journal.digested(record)
        assert five_talks.conversations.require(conversation_id) == record  # durable already

    await asyncio.gather(*(digest(f"c{n}") for n in range(5)))
    assert sizes == [5]
    await digest("c0")  # a lone conversation: its own transaction
    assert sizes == [5, 1]
