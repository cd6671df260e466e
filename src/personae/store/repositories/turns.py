"""Turns: every spoken line, committed the moment it is spoken.

`append` is idempotent on (conversation, index): a process that crashed after committing a turn
but before learning so may append it again on resume, harmlessly. A different line at a used
index is refused: the store never rewrites what was said.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from personae.domain.turn import Turn
from personae.store.driver import prepared
from personae.store.errors import NotFoundError, TurnConflictError
from personae.store.repositories.base import Scope
from personae.store.sql import insert_or_ignore_statement
from personae.store.tables import turns

_KEY = ("conversation_id", "turn_index")


class TurnRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def append(self, turn: Turn) -> bool:
        """Commit `turn`. True when stored now, False when this very turn was already stored.

        Raises `TurnConflictError` when the index holds a different turn and `NotFoundError`
        when the conversation is not stored.
        """
        return self.append_many([turn])[0]

    def append_many(self, batch: Sequence[Turn]) -> builtins.list[bool]:
        """Commit `batch` in one transaction (turns of many conversations spoken at once): for
        each turn, what `append` would say. A turn whose conversation is not stored fails the
        whole batch (`NotFoundError`, nothing committed); a conflicting turn raises
        `TurnConflictError` after the others are committed."""
        now = self._scope.clock()
        database = self._scope.database
        insert = prepared(
            "append turn",
            database.engine.dialect,
            turns,
            lambda dialect: insert_or_ignore_statement(dialect, turns, _KEY),
        )
        try:
            with database.driver_write() as cursor:
                stored_now = [
                    insert.run(cursor, {**_row(turn), "created_at": now}).fetchone() is not None
                    for turn in batch
                ]
        except IntegrityError:
            named = sorted({turn.conversation_id for turn in batch})
            which = repr(named[0]) if len(named) == 1 else f"(one of {', '.join(named)})"
            raise NotFoundError(
                f"conversation {which} is not in the store: create it before appending its turns"
            ) from None
        for turn, new in zip(batch, stored_now, strict=True):
            if not new:
                self._require_same(turn)
        return stored_now

    def _require_same(self, turn: Turn) -> None:
        """`turn` was not inserted because its index is taken: fine if by this very turn."""
        with self._scope.database.read() as connection:
            stored = (
                connection.execute(
                    select(turns).where(
                        turns.c.conversation_id == turn.conversation_id,
                        turns.c.turn_index == turn.index,
                    )
                )
                .mappings()
                .one()
            )
        existing = _turn(stored)
        if existing != turn:
            differing = sorted(
                name for name in Turn.model_fields if getattr(existing, name) != getattr(turn, name)
            )
            raise TurnConflictError(
                f"conversation {turn.conversation_id!r} already has a different turn "
                f"{turn.index} (differs in {', '.join(differing)}); a resumed conversation must "
                f"continue at turn {self.next_index(turn.conversation_id)}"
            )

    def list(self, conversation_id: str, from_index: int = 0) -> builtins.list[Turn]:
        """The conversation's turns from `from_index` on, in order."""
        statement = (
            select(turns)
            .where(turns.c.conversation_id == conversation_id, turns.c.turn_index >= from_index)
            .order_by(turns.c.turn_index)
        )
        with self._scope.database.read() as connection:
            return [_turn(row) for row in connection.execute(statement).mappings()]

    def next_index(self, conversation_id: str) -> int:
        """The index the next turn of the conversation takes (0 for a new conversation)."""
        statement = select(func.max(turns.c.turn_index)).where(
            turns.c.conversation_id == conversation_id
        )
        with self._scope.database.read() as connection:
            last = connection.execute(statement).scalar()
        return 0 if last is None else int(last) + 1


def _row(turn: Turn) -> dict[str, Any]:
    # The fields as they are (all plain values already): `model_dump` cost more than the
    # insert's own Python on the per-turn path.
    row = dict(turn.__dict__)
    row["turn_index"] = row.pop("index")
    return row


def _turn(row: RowMapping) -> Turn:
    fields = {name: row[name] for name in Turn.model_fields if name != "index"}
    return Turn.model_validate({**fields, "index": row["turn_index"]})
