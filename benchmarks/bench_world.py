"""World tick time at 100, 1k and 10k personas (10 per room), and the engine's cost per line.

Each size runs a few ticks of a generated world with the scripted backend and a real SQLite file,
so a tick includes everything: selection, every conversation's lines (prompts, quality gates,
committed turns), closings, rest, migrations, snapshots and the tick commit.

Baseline, in the same run: a fresh scripted backend answering the very requests the run made,
with no engine around it. The requests are recorded in an untimed run of the same world and
seed before the timed ones (deterministic, so the same run): recorded during a timed run, tens
of thousands of requests would make the garbage collector's work, billed to the engine, grow
with them; recorded before, each timed run's start freezes them out of the collector's way.
Engine overhead per line = (tick time - backend time) / lines spoken.
The world loop's own time per tick = tick time minus the time inside conversations (opening,
speaking, closing, and writing the openings and endings a tick batches): selection, topics,
rest, migrations, events, snapshots and the tick commit.
It is also given for the first tick alone, where every persona is free and every room fills
(views and choices for the whole cast), and as the mean of the ticks after it.

Each size is timed `--rounds` times (default 3), each round against the backend alone in the
same minute; the figures are the rounds' medians, with the range of the main two.

Usage: python benchmarks/bench_world.py [--sizes 100,1000,10000] [--ticks N] [--rounds N] [--memory]
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personae.conversation.engine import Conversation
from personae.conversation.journal import StoreJournal
from personae.conversation.runtime import open_runtime
from personae.conversation.settings import ConversationSettings
from personae.domain import InteractionState, Persona, Priority
from personae.files.world_file import WorldFile
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.types import ChatRequest, ChatResponse
from personae.world.catalog import shipped_rooms
from personae.world.simulation import Simulation

TOPICS = ["gossip", "rumors", "trade", "politics", "history", "security", "travelers", "prices"]


def generated_world(personas: int, seed: int) -> WorldFile:
    rng = random.Random(seed)
    archetypes = list(shipped_rooms().values())
    rooms = []
    for i in range(max(1, personas // 10)):
        room = dict(archetypes[i % len(archetypes)])
        room["room_id"] = f"room_{i}"
        room["name"] = f"{room['name']} #{i}"
        rooms.append(room)
    cast = [
        Persona(
            id=f"p{i}",
            name=f"Persona {i}",
            charisma=rng.randint(6, 18),
            status=rng.randint(1, 9),
            topics={t: rng.randint(10, 95) for t in rng.sample(TOPICS, 4)},
            state=InteractionState(
                current_priority=rng.choice(list(Priority)),
                available_time_s=rng.uniform(200, 900),
                social_energy=rng.uniform(40, 100),
            ),
        ).model_dump(mode="json")
        for i in range(personas)
    ]
    return WorldFile.model_validate(
        {
            "world": {"name": f"Bench {personas}"},
            "simulation": {"tick_s": 30, "seed": seed},
            "rooms": rooms,
            "personas": cast,
            "starting_rooms": {f"p{i}": f"room_{i // 10}" for i in range(personas)},
        }
    )


async def run_size(
    personas: int, ticks: int, rounds: int, folder: Path, memory: bool
) -> dict[str, Any]:
    world = generated_world(personas, seed=personas)
    # The baseline's requests come from an untimed run of the same world and seed (the same
    # run: the scripted backend is deterministic). Recording them during a timed run would
    # keep every request alive as it is made, and the garbage collector walking them would be
    # billed to the engine (~0.04 ms a line at 10k personas); recorded before, they are frozen
    # out of the collector's way when each timed run starts (`heap.freeze_startup_heap`).
    replay = await simulate(world, ticks, folder / f"w{personas}-{memory}-replay.db", memory)
    measured = []
    for round_ in range(rounds):
        db = folder / f"w{personas}-{memory}-{round_}.db"
        timed = await simulate(world, ticks, db, memory, timed=True)
        if replay.lines != timed.lines:
            raise RuntimeError(f"the replayed run spoke {replay.lines} lines, not {timed.lines}")
        # The baseline in the same minute as its round: this machine's speed drifts.
        backend_s = await backend_alone(replay.requests)
        measured.append(figures_of(timed, backend_s, len(replay.requests), ticks))
    # Rounded again: the median of an even number of rounds is a mean of two.
    median = {key: round(statistics.median(m[key] for m in measured), 4) for key in measured[0]}
    return {
        "personas": personas,
        "rooms": len(world.rooms),
        "ticks": ticks,
        "rounds": rounds,
        "lines": replay.lines,
        "lines_per_tick": round(replay.lines / ticks, 1),
        "llm_calls": len(replay.requests),
        **median,
        **{
            f"{key}_range": [min(m[key] for m in measured), max(m[key] for m in measured)]
            for key in ("ms_per_tick", "engine_ms_per_line")
        },
    }


def figures_of(timed: Run, backend_s: float, calls: int, ticks: int) -> dict[str, float]:
    """One round's figures: the timed run, less the backend alone on its `calls` requests."""
    lines, elapsed = timed.lines, timed.elapsed_s
    later = timed.loop_s[1:]  # the first tick starts everyone's first conversation
    return {
        "ms_per_tick": round(elapsed / ticks * 1000, 1),
        "max_ms_per_tick": round(max(timed.tick_s) * 1000, 1),
        "engine_ms_per_line": round((elapsed - backend_s) / max(1, lines) * 1000, 3),
        "world_loop_ms_per_tick": round((elapsed - timed.in_talks_s) / ticks * 1000, 1),
        "world_loop_ms_first_tick": round(timed.loop_s[0] * 1000, 1),
        "world_loop_ms_later_ticks": round(sum(later) / max(1, len(later)) * 1000, 1),
        "backend_ms_per_call": round(backend_s / max(1, calls) * 1000, 4),
    }


@dataclass
class Run:
    lines: int
    elapsed_s: float
    tick_s: list[float]
    in_talks_s: float
    loop_s: list[float]  # each tick's world-loop time (outside conversations)
    requests: list[ChatRequest]


async def simulate(
    world: WorldFile, ticks: int, db: Path, memory: bool, timed: bool = False
) -> Run:
    """`ticks` ticks of `world` on a fresh store: timed (with the time inside conversations),
    or recording every request the backend answers."""
    async with open_runtime(
        llm="scripted",
        db=str(db),
        dynamics=world.settings,
        settings=ConversationSettings(memory=memory),
    ) as runtime:
        run_id = f"bench-{len(world.personas)}"
        simulation = Simulation(
            world,
            runtime.store,
            run_id,
            lambda settle: runtime.deps(settle=settle, run_id=run_id, concurrent=True),
        )
        simulation.start()
        lines = 0
        tick_times, loop_times = [], []
        with ExitStack() as watching:
            in_talks = watching.enter_context(conversation_time()) if timed else [0.0]
            requests = [] if timed else watching.enter_context(recorded_requests())
            started = time.perf_counter()
            for _ in range(ticks):
                begun, talked = time.perf_counter(), in_talks[0]
                report = await simulation.step()
                tick_times.append(time.perf_counter() - begun)
                loop_times.append(tick_times[-1] - (in_talks[0] - talked))
                lines += len(report.spoken)
            elapsed = time.perf_counter() - started
    return Run(lines, elapsed, tick_times, in_talks[0], loop_times, requests)


@contextmanager
def conversation_time() -> Iterator[list[float]]:
    """Seconds spent inside conversations (open, the concurrent advance, close, and the writes
    of the openings and endings a tick batches) while inside; these calls never overlap one
    another, so their times add up."""
    spent = [0.0]
    places = [
        (Conversation, "open"),
        (Simulation, "_advance"),
        (Conversation, "close"),
        (StoreJournal, "_write_batch"),
    ]
    originals = [vars(owner)[name] for owner, name in places]  # as defined (a classmethod too)

    def timed(call: Callable[..., Any]) -> Callable[..., Any]:
        if inspect.iscoroutinefunction(call):

            async def run_async(*args: Any, **kwargs: Any) -> Any:
                started = time.perf_counter()
                try:
                    return await call(*args, **kwargs)
                finally:
                    spent[0] += time.perf_counter() - started

            return run_async

        def run(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return call(*args, **kwargs)
            finally:
                spent[0] += time.perf_counter() - started

        return run

    for owner, name in places:
        setattr(owner, name, timed(getattr(owner, name)))
    try:
        yield spent
    finally:
        for (owner, name), original in zip(places, originals, strict=True):
            setattr(owner, name, original)


@contextmanager
def recorded_requests() -> Iterator[list[ChatRequest]]:
    """Every request the scripted backend answers while inside, for the baseline to replay."""
    requests: list[ChatRequest] = []
    complete = ScriptedBackend.complete

    async def recording(self: ScriptedBackend, request: ChatRequest) -> ChatResponse:
        requests.append(request)
        return await complete(self, request)

    ScriptedBackend.complete = recording  # type: ignore[method-assign]
    try:
        yield requests
    finally:
        ScriptedBackend.complete = complete  # type: ignore[method-assign]


async def backend_alone(requests: list[ChatRequest]) -> float:
    """Baseline: the same requests answered by a fresh scripted backend, no engine around it."""
    backend = ScriptedBackend(seed=1)
    started = time.perf_counter()
    for request in requests:
        await backend.complete(request)
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="100,1000,10000")
    parser.add_argument("--ticks", type=int, default=3)
    parser.add_argument(
        "--rounds", type=int, default=3, help="timed runs per size; figures are their medians"
    )
    parser.add_argument(
        "--memory",
        action="store_true",
        help="with memory (recall embeds a query per line, digests extract facts)",
    )
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            figures = await run_size(size, args.ticks, args.rounds, Path(folder), args.memory)
            results.append(figures)
            low, high = figures["engine_ms_per_line_range"]
            print(
                f"{size:>6} personas, {figures['rooms']:>5} rooms: "
                f"{figures['ms_per_tick']:>9.1f} ms/tick ({figures['lines']} lines in "
                f"{args.ticks} ticks), engine {figures['engine_ms_per_line']} ms/line "
                f"(rounds {low}-{high}), world loop "
                f"{figures['world_loop_ms_per_tick']} ms/tick (first tick "
                f"{figures['world_loop_ms_first_tick']}, later ticks "
                f"{figures['world_loop_ms_later_ticks']})"
            )
    print(json.dumps({"memory": args.memory, "sizes": results}))


if __name__ == "__main__":
    asyncio.run(main())
