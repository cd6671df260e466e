"""Whole runs of the shipped worlds with the scripted backend, a real SQLite file and seeds.

Invariants that must hold whatever the seed; determinism; events and migrations doing their work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib import resources
from pathlib import Path
from statistics import mean

import pytest

from personae.analytics.from_store import run_data_from_store
from personae.conversation.engine import Ending
from personae.conversation.runtime import open_runtime
from personae.conversation.settings import ConversationSettings
from personae.domain.persona import InteractionState, Priority
from personae.files.world_file import WorldFile, load_world_file
from personae.store import open_store
from personae.store.records import RunStatus
from personae.store.repositories.runs import RunRepository
from personae.world.simulation import Simulation

WORLDS = Path(str(resources.files("personae") / "data" / "worlds"))


def world(name: str) -> WorldFile:
    return load_world_file(WORLDS / f"{name}.yaml")


@asynccontextmanager
async def simulation_in(
    loaded: WorldFile, db: Path, seed: int, run_id: str = "run", memory: bool = False
) -> AsyncIterator[Simulation]:
    """A simulation of `loaded` over the SQLite file `db` on the scripted backend, not yet
    started or resumed; memory (embeddings, fact extraction) only where a test is about it."""
    settings = ConversationSettings(memory=memory)
    async with open_runtime(
        llm="scripted", db=str(db), dynamics=loaded.settings, settings=settings
    ) as runtime:
        link = runtime.memory(run_id)
        yield Simulation(
            loaded,
            runtime.store,
            run_id,
            lambda settle: runtime.deps(settle=settle, run_id=run_id, concurrent=True),
            seed,
            memory=link.memory if link else None,
        )


async def run_world(
    loaded: WorldFile,
    db: Path,
    seed: int,
    ticks: int = 20,
    run_id: str = "run",
    memory: bool = False,
) -> tuple[list[Ending], Simulation]:
    """A whole run."""
    async with simulation_in(loaded, db, seed, run_id, memory) as simulation:
        simulation.start()
        return await simulation.run(ticks), simulation


KEYS = [
    (name, seed)
    for name in ("default", "college_party", "market_crash", "royal_court")
    for seed in (1, 2, 3)
]


@pytest.fixture(scope="module")
def run_dbs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], Path]:
    folder = tmp_path_factory.mktemp("runs")
    return {key: folder / f"{key[0]}-{key[1]}.db" for key in KEYS}


@pytest.fixture(scope="module")
def runs(run_dbs: dict[tuple[str, int], Path]) -> dict[tuple[str, int], list[Ending]]:
    """Each shipped world under three seeds."""
    return {key: asyncio.run(run_world(world(key[0]), run_dbs[key], key[1]))[0] for key in KEYS}


def all_endings(runs: dict[tuple[str, int], list[Ending]]) -> list[Ending]:
    return [ending for endings in runs.values() for ending in endings]


def test_every_world_talks(runs: dict[tuple[str, int], list[Ending]]) -> None:
    for key, endings in runs.items():
        assert len(endings) >= 3, key


def test_nobody_speaks_beyond_their_available_time(
    runs: dict[tuple[str, int], list[Ending]], run_dbs: dict[tuple[str, int], Path]
) -> None:
    for key, endings in runs.items():
        with open_store(str(run_dbs[key])) as store:
            for ending in endings:
                started = ending.record.started_at_s
                for turn in store.turns.list(ending.record.id):
                    if turn.is_exit:
                        continue  # a goodbye may be said as time runs out
                    available = ending.starting[turn.speaker_id].state.available_time_s
                    assert turn.world_time_s - started < available, (key, turn)


def test_no_conversation_runs_past_its_token_budget(
    runs: dict[tuple[str, int], list[Ending]],
) -> None:
    for ending in all_endings(runs):
        assert ending.budget_left >= 0, ending.record.id


def test_no_pair_talks_again_inside_its_cooldown(runs: dict[tuple[str, int], list[Ending]]) -> None:
    for endings in runs.values():
        last_end: dict[frozenset[str], tuple[float, float]] = {}
        for ending in sorted(endings, key=lambda e: e.record.started_at_s):
            record = ending.record
            people = record.participants
            for i, a in enumerate(people):
                for b in people[i + 1 :]:
                    pair = frozenset((a, b))
                    if pair in last_end:
                        ended_at, cooldown = last_end[pair]
                        assert record.started_at_s >= ended_at + cooldown, (pair, record.id)
                    cooldown = max(ending.outcome.cooldowns_s[a], ending.outcome.cooldowns_s[b])
                    last_end[pair] = (record.ended_at_s or 0.0, cooldown)


def test_urgent_conversations_are_clearly_shorter(
    runs: dict[tuple[str, int], list[Ending]],
) -> None:
    def duration(e: Ending) -> float:
        return (e.record.ended_at_s or 0) - e.record.started_at_s

    urgent, relaxed = [], []
    for ending in all_endings(runs):
        priorities = {p.state.current_priority for p in ending.starting.values()}
        if Priority.URGENT in priorities:
            urgent.append(duration(ending))
        elif priorities <= {Priority.CASUAL, Priority.SOCIAL, Priority.NONE}:
            relaxed.append(duration(ending))
    assert urgent
    assert relaxed
    assert mean(urgent) < 0.6 * mean(relaxed)


def test_the_same_world_and_seed_replay_identically(tmp_path: Path) -> None:
    def transcript(endings: list[Ending], db: Path) -> list[tuple[str, str, str, float]]:
        with open_store(str(db)) as store:
            return [
                (t.speaker_id, t.text, t.tier, t.score)
                for e in sorted(
                    endings, key=lambda e: (e.record.started_at_s, e.record.participants)
                )
                for t in store.turns.list(e.record.id)
            ]

    first, _ = asyncio.run(run_world(world("default"), tmp_path / "a.db", 4, run_id="a"))
    again, _ = asyncio.run(run_world(world("default"), tmp_path / "b.db", 4, run_id="b"))
    other, _ = asyncio.run(run_world(world("default"), tmp_path / "c.db", 5, run_id="c"))
    assert transcript(first, tmp_path / "a.db") == transcript(again, tmp_path / "b.db")
    assert transcript(first, tmp_path / "a.db") != transcript(other, tmp_path / "c.db")


async def stopped_after(loaded: WorldFile, db: Path, seed: int, ticks: int, memory: bool) -> int:
    """Run `ticks` ticks, then stop as a crash between two ticks would: nothing is closed or
    finished. Returns how many conversations were mid-way."""
    async with simulation_in(loaded, db, seed, memory=memory) as simulation:
        simulation.start()
        while simulation.tick < ticks:
            await simulation.step()
        return len(simulation.live)


async def resumed(loaded: WorldFile, db: Path, seed: int, ticks: int, memory: bool) -> None:
    async with simulation_in(loaded, db, seed, memory=memory) as simulation:
        await simulation.resume()
        await simulation.run(ticks)


@pytest.mark.parametrize("memory", [False, True])
@pytest.mark.parametrize(("seed", "stop"), [(3, 4), (1, 3)])
def test_a_run_stopped_between_two_ticks_resumes_exactly_as_it_would_have_gone_on(
    tmp_path: Path, memory: bool, seed: int, stop: int
) -> None:
    """With memory, recall, extracted facts, episodes and gossip must carry over too: memory ids
    are made of where and when, so the reloaded memories tie-break as before, and gossip asks
    the store what a listener knows."""
    party = world("college_party")

    def said(db: Path) -> list[tuple[str, int, str, str, str]]:
        with open_store(str(db)) as store:
            return [
                (c.id, t.index, t.speaker_id, t.text, t.tier)
                for c in store.conversations.list(run_id="run")
                for t in store.turns.list(c.id)
            ]

    asyncio.run(run_world(party, tmp_path / "whole.db", seed, ticks=16, memory=memory))
    mid_way = asyncio.run(stopped_after(party, tmp_path / "parts.db", seed, stop, memory))
    assert mid_way  # conversations were mid-way at the stop: they resume from their turns
    asyncio.run(resumed(party, tmp_path / "parts.db", seed, 16, memory))
    assert said(tmp_path / "parts.db") == said(tmp_path / "whole.db")


def everyone_now(simulation: Simulation) -> dict[str, InteractionState]:
    """Every persona's whole state as the simulation holds it."""
    return {pid: simulation.persona(pid).state for pid in simulation.order}


async def states_after(
    loaded: WorldFile, db: Path, seed: int, ticks: int
) -> dict[str, InteractionState]:
    async with simulation_in(loaded, db, seed) as simulation:
        simulation.start()
        while simulation.tick < ticks:
            await simulation.step()
        return everyone_now(simulation)


async def states_resumed(loaded: WorldFile, db: Path, seed: int) -> dict[str, InteractionState]:
    async with simulation_in(loaded, db, seed) as simulation:
        await simulation.resume()
        return everyone_now(simulation)


def test_a_resumed_run_rests_from_where_its_last_tick_left_everyone(tmp_path: Path) -> None:
    # Ticks save resting numbers only in their snapshots: resuming must read them back there.
    # Seed 1: talks end in ticks 3, 5 and 6, and their participants rest afterwards.
    default = world("default")
    expected = asyncio.run(states_after(default, tmp_path / "run.db", 1, 8))
    assert asyncio.run(states_resumed(default, tmp_path / "run.db", 1)) == expected


class Crash(Exception):
    pass


async def crashed_in_a_tick(
    loaded: WorldFile, db: Path, seed: int, ticks: int
) -> dict[str, InteractionState]:
    """Commit `ticks` ticks, then crash in the next one after its conversations closed but
    before it committed. Returns the state each persona who settled in that tick was left."""
    async with simulation_in(loaded, db, seed) as simulation:
        simulation.start()
        while simulation.tick < ticks:
            await simulation.step()

        def crash(*_: object) -> None:
            raise Crash

        settled: dict[str, InteractionState] = {}
        ended = simulation._ended

        def settling(conversation_id: str, ending: Ending) -> None:
            for pid in ending.record.participants:
                settled[pid] = simulation.persona(pid).state
            ended(conversation_id, ending)

        simulation._ended = settling  # type: ignore[method-assign]
        simulation._commit = crash  # type: ignore[method-assign]
        with pytest.raises(Crash):
            await simulation.step()
        return settled


@pytest.mark.parametrize(
    ("name", "seed", "ticks"),
    [
        ("college_party", 1, 5),  # talks going on since the first tick end in the sixth
        ("royal_court", 2, 14),  # a talk opens and ends in the fifteenth
    ],
)
def test_who_settled_in_a_tick_that_crashed_keeps_what_their_talk_left_them(
    tmp_path: Path, name: str, seed: int, ticks: int
) -> None:
    loaded = world(name)
    at_last_tick = asyncio.run(states_after(loaded, tmp_path / "whole.db", seed, ticks))
    settled = asyncio.run(crashed_in_a_tick(loaded, tmp_path / "run.db", seed, ticks))
    assert settled  # conversations ended in the tick that did not commit
    resumed = asyncio.run(states_resumed(loaded, tmp_path / "run.db", seed))
    # The settled keep what their talk left them (committed with its end); everyone else
    # resumes from the last committed tick: the crashed tick's rest was never committed.
    assert resumed == {**at_last_tick, **settled}


async def closing_crashed(
    loaded: WorldFile, db: Path, ticks: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Run `ticks` ticks and crash as the run finishes, after its last conversations closed."""
    set_status = RunRepository.set_status

    def crash(self: RunRepository, run_id: str, status: RunStatus) -> None:
        if status is RunStatus.FINISHED:
            raise Crash
        set_status(self, run_id, status)

    async with simulation_in(loaded, db, 1) as simulation:
        simulation.start()
        with monkeypatch.context() as patched:
            patched.setattr(RunRepository, "set_status", crash)
            with pytest.raises(Crash):
                await simulation.run(ticks)


async def finished_states(loaded: WorldFile, db: Path, resume: bool) -> dict[str, InteractionState]:
    async with simulation_in(loaded, db, 1) as simulation:
        if resume:
            await simulation.resume()
        else:
            simulation.start()
        await simulation.run(4)
    with open_store(str(db)) as store:
        stored = store.for_run("run").personas.get_many(simulation.order)
    return {pid: stored[pid].state for pid in simulation.order}


def test_a_run_that_crashed_while_finishing_ends_with_everyones_final_state(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The stored states catch up with the ticks at the end; the last conversations' closes
    # are committed before that, and must not be undone by resuming from the last tick.
    party = world("college_party")
    expected = asyncio.run(finished_states(party, tmp_path / "whole.db", resume=False))
    asyncio.run(closing_crashed(party, tmp_path / "run.db", 4, monkeypatch))
    assert asyncio.run(finished_states(party, tmp_path / "run.db", resume=True)) == expected


def test_personas_migrate_between_rooms(tmp_path: Path) -> None:
    _, simulation = asyncio.run(run_world(world("default"), tmp_path / "m.db", 1, ticks=30))
    moves = simulation.store.world.migrations()
    assert moves
    assert all(m.from_room != m.to_room for m in moves)
    placed = simulation.store.world.placements()
    assert {room for room, _ in placed.values()} <= set(simulation.rooms)


def test_an_active_event_changes_what_is_talked_about_and_how(tmp_path: Path) -> None:
    crash = world("market_crash")
    endings, _ = asyncio.run(run_world(crash, tmp_path / "e.db", 2))
    in_market = [e for e in endings if e.record.room_id == "ai_market"]
    assert in_market
    assert all(e.record.topic in {"prices", "debts", "panic", "trade"} for e in in_market)
    assert all(
        p.state.current_priority is Priority.URGENT for e in in_market for p in e.starting.values()
    )
    calm = crash.model_copy(update={"events": []})
    calm_endings, _ = asyncio.run(run_world(calm, tmp_path / "f.db", 2))
    calm_market = [e for e in calm_endings if e.record.room_id == "ai_market"]

    def mean_duration(es: list[Ending]) -> float:
        return mean((e.record.ended_at_s or 0) - e.record.started_at_s for e in es)

    assert mean_duration(in_market) < mean_duration(calm_market)


def test_snapshots_trace_every_persona_every_tick(tmp_path: Path) -> None:
    loaded = world("royal_court")
    _, simulation = asyncio.run(run_world(loaded, tmp_path / "s.db", 1, ticks=5))
    snapshots = simulation.store.world.snapshots()
    assert len(snapshots) == 5 * len(loaded.personas)
    assert {s.tick for s in snapshots} == set(range(5))


def test_a_seeded_fact_spreads_by_gossip_with_who_told_whom(tmp_path: Path) -> None:
    db = tmp_path / "g.db"
    asyncio.run(run_world(world("default"), db, 1, ticks=20, run_id="g", memory=True))
    with open_store(str(db)) as store:
        data = run_data_from_store(store, "g")
    lights = [f for f in data.facts if f.text.startswith("Strange lights")]
    learners = {f.learner_id: f for f in lights}
    assert learners["lyralei"].told_by is None  # the seed's own knowledge
    told = [f for f in lights if f.learner_id != "lyralei"]
    assert told  # it spread
    assert all(f.told_by in learners and f.at_s > 0 for f in told)
    with open_store(str(db)) as store:
        memories = store.for_run("g").memories
        first = told[0]
        heard = [m for m in memories.list(first.learner_id) if m.text == first.text]
        assert heard
        assert heard[0].told_by == first.told_by
        assert memories.tellings(heard[0].id)  # the store keeps who told whom
