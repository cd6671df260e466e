"""Group commit: writes that many coroutines make at the same moment share one transaction.

A world advances hundreds of conversations at once, and each commits its line before it goes
on, so that a crash loses no committed turn. Committed one by one, that is a transaction per
line. Here each writer awaits the commit of its own item, and every item queued during one
pass of the event loop is committed together: a writer still resumes only once its item is
durable, but a round of lines across a world costs one transaction instead of hundreds. A lone
writer (one conversation) gets a transaction per item, as without it.

    turns = GroupCommit(store.turns.append_many, store.turns.append)
    await turns.commit(turn)        # returns once `turn` is committed (or raises)
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


class GroupCommit(Generic[Item, Result]):
    """Commits items with `many` (one transaction for a batch, a result per item, in order).

    When a batch fails, each of its items is committed again alone with `one`, so an item's
    own error reaches only its writer. That makes `one` run on items `many` may have committed
    before it failed: `one` must be idempotent (as appending a turn is).
    """

    def __init__(
        self,
        many: Callable[[Sequence[Item]], Sequence[Result]],
        one: Callable[[Item], Result],
    ) -> None:
        self._many = many
        self._one = one
        # Per event loop: a batch is flushed by a callback on the loop its writers wait on.
        self._pending: dict[asyncio.AbstractEventLoop, list[tuple[Item, asyncio.Future[Result]]]]
        self._pending = {}

    async def commit(self, item: Item) -> Result:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Result] = loop.create_future()
        batch = self._pending.setdefault(loop, [])
        batch.append((item, future))
        if len(batch) == 1:
            # Runs after every coroutine already ready in this pass has queued its item.
            loop.call_soon(self._flush, loop)
        return await future

    def _flush(self, loop: asyncio.AbstractEventLoop) -> None:
        batch = self._pending.pop(loop, [])
        try:
            results = self._many([item for item, _ in batch])
        except Exception:
            for item, future in batch:
                try:
                    result = self._one(item)
                except Exception as error:  # delivered to its own writer alone
                    _settle(future, error=error)
                else:
                    _settle(future, result=result)
            return
        for (_, future), result in zip(batch, results, strict=True):
            _settle(future, result=result)


def _settle(
    future: asyncio.Future[Result],
    *,
    result: Result | None = None,
    error: BaseException | None = None,
) -> None:
    # A writer cancelled while it waited does not learn the outcome; its item was committed
    # all the same (a resumed conversation finds it in the store).
    if future.cancelled():
        return
    if error is not None:
        future.set_exception(error)
    else:
        future.set_result(result)  # type: ignore[arg-type]
