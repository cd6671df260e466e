"""A `RunData` from a stored run: the edge where the reports meet the database."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from personae.analytics.run_data import FactLearned, RunData
from personae.domain.memory import MemoryKind
from personae.domain.world import Room
from personae.memory.facts import normalise_text
from personae.store.store import Store


def run_data_from_store(store: Store, run_id: str, facts: Sequence[FactLearned] = ()) -> RunData:
    """Everything the reports need about run `run_id`, read from `store` (the run keeps its
    world's rooms and description in its settings)."""
    run = store.runs.require(run_id)
    rooms = [Room.model_validate(room) for room in run.settings.get("rooms", [])]
    scoped_personas = store.for_run(run_id).personas.list()
    traced = list(facts) or seeded_facts(
        store, run_id, run.settings.get("facts", []), [p.id for p in scoped_personas]
    )
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
        personas=tuple(scoped_personas),
        conversations=tuple(conversations),
        turns=tuple(turn for c in conversations for turn in store.turns.list(c.id)),
        relationships=tuple(scoped.relationships.book()),
        migrations=tuple(scoped.world.migrations()),
        snapshots=tuple(scoped.world.snapshots()),
        facts=tuple(traced),
    )


def seeded_facts(
    store: Store, run_id: str, seeds: Sequence[dict[str, Any]], persona_ids: Sequence[str]
) -> list[FactLearned]:
    """Who came to know each fact the world seeded: every persona's memory with the same text
    (the seed's own persona first-hand, the others told by someone)."""
    if not seeds:
        return []
    scoped = store.for_run(run_id).memories
    wanted = {normalise_text(str(seed["text"])): f"fact-{i}" for i, seed in enumerate(seeds)}
    found: list[FactLearned] = []
    for persona_id in persona_ids:
        for memory in scoped.list(persona_id, kind=MemoryKind.FACT, include_superseded=True):
            fact_id = wanted.get(normalise_text(memory.text))
            if fact_id is not None:
                found.append(FactLearned.from_memory(memory, fact_id))
    return found
