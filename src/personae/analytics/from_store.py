"""A `RunData` from a stored run: the edge where the reports meet the database."""

from __future__ import annotations

from collections.abc import Sequence

from personae.analytics.run_data import FactLearned, RunData
from personae.domain.world import Room
from personae.store.store import Store


def run_data_from_store(store: Store, run_id: str, facts: Sequence[FactLearned] = ()) -> RunData:
    """Everything the reports need about run `run_id`, read from `store` (the run keeps its
    world's rooms and description in its settings)."""
    run = store.runs.require(run_id)
    rooms = [Room.model_validate(room) for room in run.settings.get("rooms", [])]
    scoped = store.for_run(run_id)
    conversations = store.conversations.list(run_id=run_id)
    settings = run.settings.get("simulation", {})
    return RunData(
        world_name=run.world,
        world_description=str(run.settings.get("description", "")),
        seed=run.seed,
        run_id=run.id,
        tick_s=float(settings.get("tick_s", 30.0)),
        clock_s=run.clock_s,
        rooms=tuple(rooms),
        personas=tuple(scoped.personas.list()),
        conversations=tuple(conversations),
        turns=tuple(turn for c in conversations for turn in store.turns.list(c.id)),
        relationships=tuple(scoped.relationships.book()),
        migrations=tuple(scoped.world.migrations()),
        snapshots=tuple(scoped.world.snapshots()),
        facts=tuple(facts),
    )
