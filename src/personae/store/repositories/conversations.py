"""Conversations: who took part, where, about what, and how they ended."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

from sqlalchemy import ColumnElement, delete, select, update
from sqlalchemy.engine import Connection, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Update

from personae.domain.turn import ConversationRecord, ConversationStatus
from personae.store.database import BoundDatabase, Database
from personae.store.driver import prepared
from personae.store.errors import NotFoundError, StoreError
from personae.store.repositories.base import Scope
from personae.store.sql import insert_or_ignore_statement, update_by_key
from personae.store.tables import conversation_participants, conversations

_UNSET: Any = object()


class ConversationRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(self, record: ConversationRecord) -> ConversationRecord:
        """Store a new conversation; its `run_id` must name a stored run (or be None)."""
        if not self._insert(record, if_absent=False):
            raise self._cannot_create(record)
        return record

    def create_if_absent(self, record: ConversationRecord) -> bool:
        """`create`, unless a conversation with this id is stored already (a resumed run opening
        it again): True when created now."""
        return self._insert(record, if_absent=True)

    def _insert(self, record: ConversationRecord, *, if_absent: bool) -> bool:
        row = {"created_at": self._scope.clock(), **_conversation_row(record)}
        database = self._scope.database
        dialect = database.engine.dialect
        if if_absent:
            insert = prepared(
                "create conversation if absent",
                dialect,
                conversations,
                lambda name: insert_or_ignore_statement(name, conversations, ("id",)),
            )
        else:
            insert = prepared(
                "create conversation", dialect, conversations, lambda name: conversations.insert()
            )
        seat = prepared(
            "seat participant",
            dialect,
            conversation_participants,
            lambda name: conversation_participants.insert(),
        )
        try:
            with database.driver_write() as cursor:
                created = insert.run(cursor, row)
                if if_absent and created.fetchone() is None:
                    return False
                seat.run_many(
                    cursor,
                    [
                        {"conversation_id": record.id, "position": n, "persona_id": persona_id}
                        for n, persona_id in enumerate(record.participants)
                    ],
                )
        except IntegrityError:
            raise self._cannot_create(record) from None
        return True

    @staticmethod
    def _cannot_create(record: ConversationRecord) -> StoreError:
        return StoreError(
            f"cannot create conversation {record.id!r}: a conversation with that id exists "
            f"already, or run {record.run_id!r} is not in the store"
        )

    def get(self, conversation_id: str) -> ConversationRecord | None:
        found = self._select(conversations.c.id == conversation_id)
        return found[0] if found else None

    def require(self, conversation_id: str) -> ConversationRecord:
        record = self.get(conversation_id)
        if record is None:
            raise NotFoundError(f"conversation {conversation_id!r} is not in the store")
        return record

    def list(
        self,
        run_id: str | None = None,
        room_id: str | None = None,
        status: ConversationStatus | None = None,
        participant_id: str | None = None,
    ) -> builtins.list[ConversationRecord]:
        """Conversations matching every filter given (None: any), oldest first."""
        c = conversations.c
        conditions: builtins.list[ColumnElement[bool]] = []
        if run_id is not None:
            conditions.append(c.run_id == run_id)
        if room_id is not None:
            conditions.append(c.room_id == room_id)
        if status is not None:
            conditions.append(c.status == status.value)
        if participant_id is not None:
            conditions.append(
                c.id.in_(
                    select(conversation_participants.c.conversation_id).where(
                        conversation_participants.c.persona_id == participant_id
                    )
                )
            )
        return self._select(*conditions)

    def update(self, record: ConversationRecord) -> ConversationRecord:
        """Replace the stored conversation's fields (and participants) with `record`'s."""
        database = self._scope.database
        with database.write() as connection:
            _save_fields(BoundDatabase(database, connection), record)
            connection.execute(
                delete(conversation_participants).where(
                    conversation_participants.c.conversation_id == record.id
                )
            )
            _insert_participants(connection, record.id, record.participants)
        return record

    def save_fields(self, record: ConversationRecord) -> ConversationRecord:
        """`update` without the participants, which never change once a conversation opened:
        how a finished conversation's final numbers are written."""
        _save_fields(self._scope.database, record)
        return record

    def save_progress(self, record: ConversationRecord) -> None:
        """Store how far a running conversation has got (totals, summary, digest), without
        touching its participants: cheap enough to call every few lines."""
        self.save_progress_many([record])

    def save_progress_many(self, records: Sequence[ConversationRecord]) -> builtins.list[None]:
        """`save_progress` for each of `records`, in one transaction (a world's conversations
        digesting in the same pass of the event loop)."""
        database = self._scope.database
        statement = prepared("save progress", database.engine.dialect, conversations, _progress)
        rows = [
            {
                "record_id": record.id,
                "tokens_used": record.tokens_used,
                "cost_usd": record.cost_usd,
                "summary": record.summary,
                "summarized_turns": record.summarized_turns,
                "digested_turns": record.digested_turns,
            }
            for record in records
        ]
        with database.driver_write() as cursor:
            statement.run_many(cursor, rows)
        return [None] * len(records)

    def save_departures(self, record: ConversationRecord) -> None:
        """Store `record.departures` (who left, and why) as they are now: what a running
        conversation writes the moment someone leaves, so a resumed run knows it."""
        database = self._scope.database
        statement = prepared(
            "save departures",
            database.engine.dialect,
            conversations,
            lambda dialect: update_by_key(conversations, ("departures",), "record_id"),
        )
        with database.driver_write() as cursor:
            values = {"record_id": record.id, "departures": record.departures}
            if statement.run(cursor, values).rowcount != 1:
                raise NotFoundError(f"conversation {record.id!r} is not in the store")

    def end(
        self,
        conversation_id: str,
        exit_reason: str,
        ended_at_s: float,
        tokens_used: int | None = None,
        cost_usd: float | None = _UNSET,
    ) -> ConversationRecord:
        """Mark the conversation ended; `tokens_used` and `cost_usd` are updated when given."""
        values: dict[str, Any] = {
            "status": ConversationStatus.ENDED.value,
            "exit_reason": exit_reason,
            "ended_at_s": ended_at_s,
        }
        if tokens_used is not None:
            values["tokens_used"] = tokens_used
        if cost_usd is not _UNSET:
            values["cost_usd"] = cost_usd
        with self._scope.database.write() as connection:
            result = connection.execute(
                update(conversations).where(conversations.c.id == conversation_id).values(values)
            )
            if result.rowcount != 1:
                raise NotFoundError(f"conversation {conversation_id!r} is not in the store")
        return self.require(conversation_id)

    def delete(self, conversation_id: str) -> bool:
        """Remove the conversation and its turns."""
        with self._scope.database.write() as connection:
            result = connection.execute(
                delete(conversations).where(conversations.c.id == conversation_id)
            )
        return result.rowcount == 1

    def _select(self, *conditions: ColumnElement[bool]) -> builtins.list[ConversationRecord]:
        statement = (
            select(conversations)
            .where(*conditions)
            .order_by(conversations.c.started_at_s, conversations.c.created_at, conversations.c.id)
        )
        with self._scope.database.read() as connection:
            rows = connection.execute(statement).mappings().all()
            ids = [row["id"] for row in rows]
            participants: dict[str, list[str]] = {}
            if ids:
                p = conversation_participants.c
                for conversation_id, persona_id in connection.execute(
                    select(p.conversation_id, p.persona_id)
                    .where(p.conversation_id.in_(ids))
                    .order_by(p.conversation_id, p.position)
                ):
                    participants.setdefault(conversation_id, []).append(persona_id)
        return [_record(row, participants.get(row["id"], [])) for row in rows]


def _save_fields(database: Database, record: ConversationRecord) -> None:
    statement = prepared("save fields", database.engine.dialect, conversations, _fields)
    values = _conversation_row(record)
    values["record_id"] = values.pop("id")
    with database.driver_write() as cursor:
        if statement.run(cursor, values).rowcount != 1:
            raise NotFoundError(f"conversation {record.id!r} is not in the store")


def _progress(dialect: str) -> Update:
    names = ("tokens_used", "cost_usd", "summary", "summarized_turns", "digested_turns")
    return update_by_key(conversations, names, "record_id")


def _fields(dialect: str) -> Update:
    names = tuple(c.key for c in conversations.columns if c.key not in ("id", "created_at"))
    return update_by_key(conversations, names, "record_id")


def _conversation_row(record: ConversationRecord) -> dict[str, Any]:
    return {
        "id": record.id,
        "run_id": record.run_id,
        "room_id": record.room_id,
        "topic": record.topic,
        "status": record.status.value,
        "started_at_s": record.started_at_s,
        "ended_at_s": record.ended_at_s,
        "exit_reason": record.exit_reason,
        "departures": record.departures,
        "token_budget": record.token_budget,
        "tokens_used": record.tokens_used,
        "cost_usd": record.cost_usd,
        "seed": record.seed,
        "people": record.people,
        "summary": record.summary,
        "summarized_turns": record.summarized_turns,
        "digested_turns": record.digested_turns,
    }


def _insert_participants(
    connection: Connection, conversation_id: str, participants: Sequence[str]
) -> None:
    connection.execute(
        conversation_participants.insert(),
        [
            {"conversation_id": conversation_id, "position": position, "persona_id": persona_id}
            for position, persona_id in enumerate(participants)
        ],
    )


def _record(row: RowMapping, participants: list[str]) -> ConversationRecord:
    return ConversationRecord(
        id=row["id"],
        participants=participants,
        topic=row["topic"],
        room_id=row["room_id"],
        run_id=row["run_id"],
        status=ConversationStatus(row["status"]),
        started_at_s=row["started_at_s"],
        ended_at_s=row["ended_at_s"],
        exit_reason=row["exit_reason"],
        departures=row["departures"],
        token_budget=row["token_budget"],
        tokens_used=row["tokens_used"],
        cost_usd=row["cost_usd"],
        seed=row["seed"],
        people=row["people"],
        summary=row["summary"],
        summarized_turns=row["summarized_turns"],
        digested_turns=row["digested_turns"],
    )
