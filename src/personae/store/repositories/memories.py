"""Memories of one run (or outside any run), their embeddings, and who told whom.

Embeddings are stored beside each memory as little-endian float32 bytes with the name of the
model that made them, so vectors of different models are never compared.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import BindParameter, ColumnElement, Select, bindparam, select, update
from sqlalchemy.engine import Connection, Dialect, RowMapping
from sqlalchemy.exc import IntegrityError
from sqlalchemy.sql.dml import Update

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.store.driver import DriverStatement, prepared
from personae.store.errors import NotFoundError, StoreError
from personae.store.records import FactTelling
from personae.store.repositories.base import Scope
from personae.store.sql import update_by_key
from personae.store.tables import fact_tellings, memories

EMBEDDING_DTYPE = np.dtype("<f4")
_MEMORY_NAMES = tuple(Memory.model_fields)
_MEMORY_COLUMNS = [memories.c[name] for name in _MEMORY_NAMES]
# A chain of tellings longer than this is a cycle in the data, not gossip.
_MAX_CHAIN = 1000


class MemoryRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def add(
        self,
        memory: Memory,
        embedding: npt.ArrayLike | None = None,
        embedding_model: str | None = None,
    ) -> None:
        """Store a new memory, with its embedding when given (then `embedding_model` too)."""
        self.add_many([memory], None if embedding is None else [embedding], embedding_model)

    def add_many(
        self,
        many: Sequence[Memory],
        embeddings: Sequence[npt.ArrayLike] | None = None,
        embedding_model: str | None = None,
    ) -> None:
        if embeddings is not None and len(embeddings) != len(many):
            raise ValueError(f"{len(many)} memories but {len(embeddings)} embeddings")
        rows = [
            {
                "run_id": self._scope.key,
                **_row(memory),
                **_embedding_columns(
                    None if embeddings is None else embeddings[i], embedding_model
                ),
            }
            for i, memory in enumerate(many)
        ]
        if not rows:
            return
        database = self._scope.database
        insert = prepared(
            "add memories", database.engine.dialect, memories, lambda name: memories.insert()
        )
        try:
            with database.driver_write() as cursor:
                insert.run_many(cursor, rows)
        except IntegrityError:
            ids = ", ".join(repr(m.id) for m in many[:5])
            raise StoreError(
                f"cannot add memories {ids}: a memory with one of these ids exists already, or "
                "a memory they are superseded by is not stored"
            ) from None

    def update(self, memory: Memory) -> None:
        """Replace the stored memory with `memory` (same id). Its embedding is kept: call
        `set_embedding` too when the text changed."""
        values = _row(memory)
        with self._scope.database.write() as connection:
            result = connection.execute(
                update(memories).where(memories.c.id == memory.id).values(values)
            )
        if result.rowcount != 1:
            raise NotFoundError(f"memory {memory.id!r} is not in the store")

    def update_many(self, many: Sequence[Memory]) -> None:
        """`update` for several memories in one statement; all or none."""
        if not many:
            return
        rows = [{**_row(memory), "memory_id": memory.id} for memory in many]
        database = self._scope.database
        statement = prepared(
            "update memories", database.engine.dialect, memories, _update_memories_statement
        )
        saved = database.driver_update_every(
            len(rows), lambda cursor: statement.run_many(cursor, rows)
        )
        if not saved:  # an unknown memory: none saved
            stored = self.get_many([m.id for m in many])
            missing = next((m.id for m in many if m.id not in stored), many[0].id)
            raise NotFoundError(f"memory {missing!r} is not in the store")

    def get(self, memory_id: str) -> Memory | None:
        return self.get_many([memory_id]).get(memory_id)

    def get_many(self, memory_ids: Sequence[str]) -> dict[str, Memory]:
        """The stored memories among `memory_ids`, by id (oldest first); unknown ids are left
        out."""
        wanted = sorted(set(memory_ids))
        if not wanted:
            return {}
        database = self._scope.database
        rows: builtins.list[tuple[Any, ...]] = []
        with database.driver_read() as cursor:
            for start in range(0, len(wanted), _IDS_PER_READ):
                chunk = wanted[start : start + _IDS_PER_READ]
                query = _by_ids_query(database.engine.dialect, len(chunk))
                rows += query.fetch(cursor, {f"id{i}": key for i, key in enumerate(chunk)})
        found = sorted(map(_memory, rows), key=lambda m: (m.created_at_s, m.id))
        return {memory.id: memory for memory in found}

    def list(
        self,
        owner_id: str,
        about_id: str | None = None,
        kind: MemoryKind | None = None,
        tier: MemoryTier | None = None,
        include_superseded: bool = False,
    ) -> builtins.list[Memory]:
        """What `owner_id` remembers (optionally only about `about_id`, of one kind or tier),
        oldest first. Superseded memories are history and left out unless asked for."""
        filters = (about_id is not None, kind is not None, tier is not None, include_superseded)
        database = self._scope.database
        query = prepared(
            f"list memories {filters}",
            database.engine.dialect,
            memories,
            lambda name: _list_statement(*filters),
        )
        parameters = {"run_id": self._scope.key, "owner_id": owner_id}
        if about_id is not None:
            parameters["about_id"] = about_id
        if kind is not None:
            parameters["kind"] = kind.value
        if tier is not None:
            parameters["tier"] = tier.value
        with database.driver_read() as cursor:
            return [_memory(row) for row in query.fetch(cursor, parameters)]

    def supersede(self, old_id: str, new_id: str) -> None:
        """`new_id` replaces `old_id`, which stays stored as history."""
        with self._scope.database.write() as connection:
            self._require_ids(connection, [old_id, new_id])
            connection.execute(
                update(memories).where(memories.c.id == old_id).values(superseded_by=new_id)
            )

    def touch(self, memory_ids: Iterable[str], accessed_at_s: float) -> None:
        """The memories were recalled at world time `accessed_at_s` (for recency)."""
        ids = list(memory_ids)
        if ids:
            self._set(ids, last_accessed_s=accessed_at_s)

    def set_tier(self, memory_ids: Iterable[str], tier: MemoryTier) -> None:
        ids = list(memory_ids)
        if ids:
            self._set(ids, tier=tier.value)

    def set_embedding(self, memory_id: str, embedding: npt.ArrayLike, model: str) -> None:
        self._set([memory_id], **_embedding_columns(embedding, model))

    def embeddings(
        self, owner_id: str, model: str, include_superseded: bool = False
    ) -> tuple[builtins.list[str], npt.NDArray[np.float32]]:
        """The ids and a (n, dim) float32 matrix of `owner_id`'s memories embedded by `model`."""
        database = self._scope.database
        query = prepared(
            f"memory embeddings {include_superseded}",
            database.engine.dialect,
            memories,
            lambda name: _embeddings_statement(include_superseded),
        )
        parameters = {"run_id": self._scope.key, "owner_id": owner_id, "model": model}
        with database.driver_read() as cursor:
            rows = query.fetch(cursor, parameters)  # (id, embedding, embedding_dim)
        if not rows:
            return [], np.zeros((0, 0), dtype=np.float32)
        dims = {dim for _, _, dim in rows}
        if len(dims) != 1:
            raise StoreError(
                f"memories of {owner_id!r} embedded by {model!r} have different sizes: "
                f"{sorted(dims)}; re-embed them with one model"
            )
        # bytes on SQLite, memoryview from psycopg: join takes either.
        matrix = np.frombuffer(b"".join(blob for _, blob, _ in rows), dtype=EMBEDDING_DTYPE)
        ids = [memory_id for memory_id, _, _ in rows]
        return ids, matrix.reshape(len(rows), dims.pop()).astype(np.float32)

    def record_telling(self, telling: FactTelling) -> None:
        """Record that a fact passed from teller to listener (the listener's memory exists)."""
        try:
            with self._scope.database.write() as connection:
                connection.execute(fact_tellings.insert().values(telling.model_dump()))
        except IntegrityError:
            raise NotFoundError(
                f"cannot record who told memory {telling.memory_id!r}: it (or its source memory "
                f"{telling.source_memory_id!r}) is not in the store"
            ) from None

    def tellings(self, memory_id: str) -> builtins.list[FactTelling]:
        """How the memory reached its owner (usually one telling)."""
        statement = (
            select(fact_tellings)
            .where(fact_tellings.c.memory_id == memory_id)
            .order_by(fact_tellings.c.world_time_s, fact_tellings.c.id)
        )
        with self._scope.database.read() as connection:
            return [_telling(row) for row in connection.execute(statement).mappings()]

    def provenance(self, memory_id: str) -> builtins.list[FactTelling]:
        """The chain of tellings back to where the fact started: the last hop first."""
        chain: builtins.list[FactTelling] = []
        seen = {memory_id}
        current: str | None = memory_id
        while current is not None and len(chain) < _MAX_CHAIN:
            told = self.tellings(current)
            if not told:
                break
            chain.append(told[0])
            current = told[0].source_memory_id
            if current in seen:
                break
            if current is not None:
                seen.add(current)
        return chain

    def _set(self, memory_ids: builtins.list[str], **values: Any) -> None:
        with self._scope.database.write() as connection:
            result = connection.execute(
                update(memories).where(memories.c.id.in_(memory_ids)).values(values)
            )
            if result.rowcount != len(set(memory_ids)):
                self._require_ids(connection, memory_ids)

    def _require_ids(self, connection: Connection, memory_ids: builtins.list[str]) -> None:
        found = set(
            connection.execute(select(memories.c.id).where(memories.c.id.in_(memory_ids)))
            .scalars()
            .all()
        )
        missing: builtins.list[str] = sorted(set(memory_ids) - found)
        if missing:
            raise NotFoundError(f"memories not in the store: {', '.join(map(repr, missing))}")


# The reads a line makes (an owner's memories when it first speaks, the memories a recall
# found) run on the driver (`store.driver`): through SQLAlchemy each cost ~0.1 ms. Ids are read
# in chunks, so a handful of statements (one per chunk size) serves any number of ids.
_IDS_PER_READ = 16


def _by_ids_query(dialect: Dialect, count: int) -> DriverStatement:
    """The memories whose ids are the bind parameters id0 .. id{count-1}."""

    def build(name: str) -> Select[Any]:
        ids: builtins.list[BindParameter[str]] = [bindparam(f"id{i}") for i in range(count)]
        return select(*_MEMORY_COLUMNS).where(memories.c.id.in_(ids))

    return prepared(f"memories by {count} ids", dialect, memories, build)


def _memory(row: tuple[Any, ...]) -> Memory:
    """A memory from a driver row of `_MEMORY_COLUMNS` (booleans come as 0/1 from SQLite and
    validate as such)."""
    return Memory.model_validate(dict(zip(_MEMORY_NAMES, row, strict=True)))


@functools.cache
def _list_statement(about: bool, kind: bool, tier: bool, include_superseded: bool) -> Select[Any]:
    """An owner's memories in this run, by the bind parameters `run_id` and `owner_id`, and
    `about_id`, `kind` and `tier` for the filters asked for; oldest first."""
    c = memories.c
    conditions: builtins.list[ColumnElement[bool]] = [
        c.run_id == bindparam("run_id"),
        c.owner_id == bindparam("owner_id"),
    ]
    if about:
        conditions.append(c.about_id == bindparam("about_id"))
    if kind:
        conditions.append(c.kind == bindparam("kind"))
    if tier:
        conditions.append(c.tier == bindparam("tier"))
    if not include_superseded:
        conditions.append(c.superseded_by.is_(None))
    return select(*_MEMORY_COLUMNS).where(*conditions).order_by(c.created_at_s, c.id)


@functools.cache
def _embeddings_statement(include_superseded: bool) -> Select[Any]:
    """Ids and embeddings of an owner's memories in this run by one model: the bind parameters
    `run_id`, `owner_id` and `model`; oldest first."""
    c = memories.c
    statement = (
        select(c.id, c.embedding, c.embedding_dim)
        .where(
            c.run_id == bindparam("run_id"),
            c.owner_id == bindparam("owner_id"),
            c.embedding_model == bindparam("model"),
            c.embedding.is_not(None),
        )
        .order_by(c.created_at_s, c.id)
    )
    return statement if include_superseded else statement.where(c.superseded_by.is_(None))


def _update_memories_statement(dialect: str) -> Update:
    """Every field of a memory but its id, by the parameter `memory_id`."""
    names = tuple(name for name in Memory.model_fields if name != "id")
    return update_by_key(memories, names, "memory_id")


def _row(memory: Memory) -> dict[str, Any]:
    return memory.model_dump(mode="json")


def _embedding_columns(embedding: npt.ArrayLike | None, model: str | None) -> dict[str, Any]:
    if embedding is None:
        return {"embedding": None, "embedding_model": None, "embedding_dim": None}
    if not model:
        raise ValueError("an embedding needs the name of the model that made it")
    vector = np.asarray(embedding, dtype=EMBEDDING_DTYPE)
    if vector.ndim != 1 or vector.size == 0:
        raise ValueError(f"an embedding must be one non-empty vector, got shape {vector.shape}")
    return {"embedding": vector.tobytes(), "embedding_model": model, "embedding_dim": vector.size}


def _telling(row: RowMapping) -> FactTelling:
    return FactTelling.model_validate({name: row[name] for name in FactTelling.model_fields})
