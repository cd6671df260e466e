"""A run's geography: placements, migrations and per-tick snapshots, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest

from personae.domain.world import Migration, PersonaSnapshot
from personae.store import Store
from personae.store.driver import prepared
from personae.store.tables import conversations
from personae.store.tick_columns import TickColumns


def snapshot(tick: int, persona_id: str, energy: float, talking: bool = False) -> PersonaSnapshot:
    return PersonaSnapshot(
        tick=tick,
        at_s=30.0 * (tick + 1),
        persona_id=persona_id,
        room_id="tavern",
        social_energy=energy,
        interaction_fatigue=12.5,
        available_time_s=600.0,
        talking=talking,
    )


def columns(*personas: tuple[str, float, bool]) -> TickColumns:
    return TickColumns(
        persona_ids=[pid for pid, _, _ in personas],
        room_ids=["tavern" for _ in personas],
        social_energy=[energy for _, energy, _ in personas],
        interaction_fatigue=[12.5 for _ in personas],
        available_time_s=[600.0 for _ in personas],
        talking=[talking for _, _, talking in personas],
    )


def test_snapshots_come_back_by_tick_and_persona(store: Store) -> None:
    world = store.for_run("r1").world
    world.add_snapshots([snapshot(0, "mara", 80.0, talking=True), snapshot(0, "gorin", 55.5)])
    world.add_snapshots([snapshot(1, "gorin", 60.0), snapshot(1, "mara", 70.25)])
    assert world.snapshots() == [
        snapshot(0, "gorin", 55.5),
        snapshot(0, "mara", 80.0, talking=True),
        snapshot(1, "gorin", 60.0),
        snapshot(1, "mara", 70.25),
    ]
    assert world.snapshots("mara")[1] == snapshot(1, "mara", 70.25)


def test_taking_a_tick_again_replaces_it(store: Store) -> None:
    world = store.for_run("r1").world
    world.add_snapshots([snapshot(0, "mara", 80.0), snapshot(0, "gorin", 55.5)])
    world.add_snapshots([snapshot(0, "mara", 10.0)])  # a resumed run retakes tick 0
    assert world.snapshots() == [snapshot(0, "mara", 10.0)]


def test_runs_keep_their_own_snapshots_placements_and_migrations(store: Store) -> None:
    first, second = store.for_run("r1").world, store.for_run("r2").world
    first.add_snapshots([snapshot(0, "mara", 80.0)])
    first.place({"mara": ("tavern", 0.0)})
    second.place({"mara": ("market", 30.0)})
    move = Migration(persona_id="mara", from_room="tavern", to_room="market", at_s=30.0)
    second.add_migrations([move])
    assert second.snapshots() == []
    assert first.placements() == {"mara": ("tavern", 0.0)}
    assert second.placements() == {"mara": ("market", 30.0)}
    assert first.migrations() == []
    assert second.migrations() == [move]


def test_a_tick_written_as_columns_reads_back_as_snapshots(store: Store) -> None:
    # The world loop's path: one tick, every persona, as columns.
    world = store.for_run("r1").world
    world.add_tick(0, 30.0, columns(("mara", 80.0, True)))
    world.add_tick(1, 60.0, columns(("mara", 70.25, False)))
    world.add_tick(1, 60.0, columns(("gorin", 60.0, False)))  # retaken
    assert world.snapshots() == [
        snapshot(0, "mara", 80.0, talking=True),
        snapshot(1, "gorin", 60.0),
    ]


def test_numbers_read_back_exactly(store: Store) -> None:
    # A resumed run rests from these numbers: they must come back bit for bit.
    awkward = [0.1 + 0.2, 1 / 3, 5e-324, 1.7976931348623157e308, -0.0, 99.99999999999999]
    world = store.for_run("r1").world
    ids = [f"p{i}" for i in range(len(awkward))]
    world.add_tick(
        0,
        30.0,
        TickColumns(ids, ["tavern"] * len(ids), awkward, awkward, awkward, [False] * len(ids)),
    )
    back = world.snapshots()
    assert [s.social_energy for s in back] == awkward
    assert [str(s.available_time_s) for s in back] == [str(x) for x in awkward]


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="talking has 1"):
        TickColumns(["a", "b"], ["t", "t"], [1.0, 2.0], [0.0, 0.0], [5.0, 5.0], [True])


def test_an_id_with_a_newline_is_refused(store: Store) -> None:
    world = store.for_run("r1").world
    with pytest.raises(ValueError, match="room id cannot hold a newline"):
        world.add_tick(0, 30.0, TickColumns(["a"], ["tav\nern"], [1.0], [0.0], [5.0], [False]))
    assert world.snapshots() == []


def test_rows_of_values_refuse_json_columns(store: Store) -> None:
    statement = prepared(
        "test insert",
        store.database.engine.dialect,
        conversations,
        lambda _: conversations.insert(),
    )
    json_column = next(iter(statement.json_names))
    with pytest.raises(ValueError, match=json_column):
        statement.bind_rows(("id", json_column), [("c1", {})])


def test_snapshots_of_one_tick_at_two_times_are_refused(store: Store) -> None:
    world = store.for_run("r1").world
    late = snapshot(0, "gorin", 55.5).model_copy(update={"at_s": 99.0})
    with pytest.raises(ValueError, match="tick 0"):
        world.add_snapshots([snapshot(0, "mara", 80.0), late])
    assert world.snapshots() == []
