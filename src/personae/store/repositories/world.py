"""A world run's geography over time: placements, migrations and per-tick snapshots."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import delete, select

from personae.domain.world import Migration, PersonaSnapshot
from personae.store.repositories.base import Scope
from personae.store.sql import upsert_many
from personae.store.tables import migrations, placements, tick_snapshots
from personae.store.tick_columns import TickColumns, pack, unpack


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
        ticks: dict[int, tuple[float, list[PersonaSnapshot]]] = {}
        for s in taken:
            at_s, of_tick = ticks.setdefault(s.tick, (s.at_s, []))
            if s.at_s != at_s:
                raise ValueError(
                    f"snapshots of tick {s.tick} are taken at {at_s} and at {s.at_s}: a tick "
                    "ends at one world time"
                )
            of_tick.append(s)
        for tick, (at_s, of_tick) in ticks.items():
            self.add_tick(tick, at_s, TickColumns.of(of_tick))

    def add_tick(self, tick: int, at_s: float, columns: TickColumns) -> None:
        """Every persona at the end of `tick`, as columns: one row however many personas (the
        world loop's 10k a tick). Taking a tick again replaces it (a resumed tick)."""
        if not columns.persona_ids:
            return
        key = self._scope.key
        with self._scope.database.write() as connection:
            connection.execute(
                delete(tick_snapshots).where(
                    tick_snapshots.c.run_id == key, tick_snapshots.c.tick == tick
                )
            )
            connection.execute(
                tick_snapshots.insert(),
                {"run_id": key, "tick": tick, "at_s": at_s, **pack(columns)},
            )

    def last_tick(self) -> TickColumns | None:
        """Every persona as the latest tick taken left them; None before the first."""
        statement = (
            select(tick_snapshots)
            .where(tick_snapshots.c.run_id == self._scope.key)
            .order_by(tick_snapshots.c.tick.desc())
            .limit(1)
        )
        with self._scope.database.read() as connection:
            row = connection.execute(statement).mappings().first()
        return None if row is None else unpack(row)

    def snapshots(self, persona_id: str | None = None) -> list[PersonaSnapshot]:
        """Every persona's snapshots (or one persona's), by tick and then persona id."""
        statement = (
            select(tick_snapshots)
            .where(tick_snapshots.c.run_id == self._scope.key)
            .order_by(tick_snapshots.c.tick)
        )
        with self._scope.database.read() as connection:
            stored = connection.execute(statement).mappings().all()
        taken = []
        for row in stored:
            taken.extend(unpack(row).snapshots(row["tick"], row["at_s"], persona_id))
        return taken
