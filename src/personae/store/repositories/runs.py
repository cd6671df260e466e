"""Simulation runs: which world, which seed and settings, how far the world clock has got."""

from __future__ import annotations

import builtins
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.engine import RowMapping
from sqlalchemy.exc import IntegrityError

from personae.store.errors import NotFoundError, StoreError
from personae.store.records import Run, RunStatus
from personae.store.repositories.base import Scope
from personae.store.tables import runs


class RunRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def create(
        self, run_id: str, world: str, seed: int, settings: dict[str, Any] | None = None
    ) -> Run:
        """Start a run at world time 0."""
        now = self._scope.clock()
        run = Run(
            id=run_id,
            world=world,
            seed=seed,
            settings=settings or {},
            created_at=now,
            updated_at=now,
        )
        try:
            with self._scope.database.write() as connection:
                connection.execute(runs.insert().values(run.model_dump(mode="json")))
        except IntegrityError:
            raise StoreError(
                f"a run with id {run_id!r} already exists; choose another id or resume it"
            ) from None
        return run

    def get(self, run_id: str) -> Run | None:
        with self._scope.database.read() as connection:
            row = connection.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
        return None if row is None else _run(row)

    def require(self, run_id: str) -> Run:
        run = self.get(run_id)
        if run is None:
            raise NotFoundError(f"run {run_id!r} is not in the store")
        return run

    def list(self) -> builtins.list[Run]:
        """Every run, the most recently started first."""
        statement = select(runs).order_by(runs.c.created_at.desc(), runs.c.id)
        with self._scope.database.read() as connection:
            return [_run(row) for row in connection.execute(statement).mappings()]

    def advance_clock(self, run_id: str, clock_s: float) -> None:
        """Move the run's world clock to `clock_s`; world time never goes back."""
        with self._scope.database.write() as connection:
            result = connection.execute(
                update(runs)
                .where(runs.c.id == run_id, runs.c.clock_s <= clock_s)
                .values(clock_s=clock_s, updated_at=self._scope.clock())
            )
        if result.rowcount != 1:
            current = self.require(run_id).clock_s
            raise StoreError(
                f"run {run_id!r} is at world time {current:g} s; it cannot go back to {clock_s:g} s"
            )

    def set_status(self, run_id: str, status: RunStatus) -> None:
        self._update(run_id, status=status.value)

    def _update(self, run_id: str, **values: Any) -> None:
        with self._scope.database.write() as connection:
            result = connection.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(updated_at=self._scope.clock(), **values)
            )
        if result.rowcount != 1:
            raise NotFoundError(f"run {run_id!r} is not in the store")


def _run(row: RowMapping) -> Run:
    return Run(
        id=row["id"],
        world=row["world"],
        seed=row["seed"],
        settings=row["settings"],
        clock_s=row["clock_s"],
        status=RunStatus(row["status"]),
        created_at=row["created_at"],
        updated_at=row["updated_at"],
    )
