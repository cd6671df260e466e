"""A world run's geography over time: placements, migrations and per-tick snapshots."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from sqlalchemy import bindparam, delete, select
from sqlalchemy.sql.dml import Delete

from personae.domain.world import Migration, PersonaSnapshot
from personae.store.driver import prepared
from personae.store.repositories.base import Scope
from personae.store.sql import upsert_many
from personae.store.tables import migrations, placements, snapshots

SNAPSHOT_COLUMNS = (
    "persona_id",
    "room_id",
    "social_energy",
    "interaction_fatigue",
    "available_time_s",
    "talking",
)
SnapshotRow = tuple[str, str, float, float, float, bool]
"""One persona at the end of a tick, in `SNAPSHOT_COLUMNS` order."""


def _clear_tick(dialect: str) -> Delete:
    return delete(snapshots).where(
        snapshots.c.run_id == bindparam("run_id"), snapshots.c.tick == bindparam("tick")
    )


class WorldRepository:
    def __init__(self, scope: Scope) -> None:
        self._scope = scope

    def place(self, placements_: dict[str, tuple[str, float]]) -> None:
        """Persona id -> (room id, arrived at world second); replaces each one's placement."""
        rows = [
            {
                "run_id": self._scope.key,
                "persona_id": persona_id,
                "room_id": room_id,
                "arrived_at_s": arrived_at_s,
            }
            for persona_id, (room_id, arrived_at_s) in placements_.items()
        ]
        with self._scope.database.write() as connection:
            upsert_many(connection, placements, rows, keys=["run_id", "persona_id"])

    def placements(self) -> dict[str, tuple[str, float]]:
        statement = select(placements).where(placements.c.run_id == self._scope.key)
        with self._scope.database.read() as connection:
            rows = connection.execute(statement).mappings().all()
        return {row["persona_id"]: (row["room_id"], row["arrived_at_s"]) for row in rows}

    def add_migrations(self, moves: Iterable[Migration]) -> None:
        rows = [{"run_id": self._scope.key, **m.model_dump()} for m in moves]
        if rows:
            with self._scope.database.write() as connection:
                connection.execute(migrations.insert(), rows)

    def migrations(self) -> list[Migration]:
        statement = (
            select(migrations)
            .where(migrations.c.run_id == self._scope.key)
            .order_by(migrations.c.at_s, migrations.c.id)
        )
        with self._scope.database.read() as connection:
            rows = connection.execute(statement).mappings().all()
        return [
            Migration(
                persona_id=r["persona_id"],
                from_room=r["from_room"],
                to_room=r["to_room"],
                at_s=r["at_s"],
                reason=r["reason"],
            )
            for r in rows
        ]

    def add_snapshots(self, taken: Iterable[PersonaSnapshot]) -> None:
        """Snapshots of one or more ticks; taking a tick again replaces it (a resumed tick)."""
        ticks: dict[int, tuple[float, list[SnapshotRow]]] = {}
        for s in taken:
            at_s, rows = ticks.setdefault(s.tick, (s.at_s, []))
            if s.at_s != at_s:
                raise ValueError(
                    f"snapshots of tick {s.tick} are taken at {at_s} and at {s.at_s}: a tick "
                    "ends at one world time"
                )
            rows.append(
                (
                    s.persona_id,
                    s.room_id,
                    s.social_energy,
                    s.interaction_fatigue,
                    s.available_time_s,
                    s.talking,
                )
            )
        for tick, (at_s, rows) in ticks.items():
            self.add_tick(tick, at_s, rows)

    def add_tick(self, tick: int, at_s: float, rows: Sequence[SnapshotRow]) -> None:
        """Every persona's snapshot at the end of `tick`, as `SNAPSHOT_COLUMNS` tuples: the
        world loop's 10k rows a tick go to the driver's executemany without a model or a dict
        each. Taking a tick again replaces it (a resumed tick)."""
        if not rows:
            return
        database = self._scope.database
        dialect = database.engine.dialect
        clear = prepared("clear tick", dialect, snapshots, _clear_tick)
        insert = prepared("add snapshots", dialect, snapshots, lambda name: snapshots.insert())
        key = self._scope.key
        with database.driver_write() as cursor:
            clear.run(cursor, {"run_id": key, "tick": tick})
            insert.run_rows(
                cursor,
                ("run_id", "tick", "at_s", *SNAPSHOT_COLUMNS),
                [(key, tick, at_s, *row) for row in rows],
            )

    def snapshots(self, persona_id: str | None = None) -> list[PersonaSnapshot]:
        statement = select(snapshots).where(snapshots.c.run_id == self._scope.key)
        if persona_id is not None:
            statement = statement.where(snapshots.c.persona_id == persona_id)
        statement = statement.order_by(snapshots.c.tick, snapshots.c.persona_id)
        with self._scope.database.read() as connection:
            rows = connection.execute(statement).mappings().all()
        return [PersonaSnapshot(**{k: v for k, v in row.items() if k != "run_id"}) for row in rows]
