"""`personae simulate WORLD` and `personae demo`: run a world, watch it live, keep the record."""

from __future__ import annotations

import asyncio
import random
import shlex
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console, Group
from rich.live import Live
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from personae.analytics.deliver import deliver_reports
from personae.analytics.from_store import run_data_from_store
from personae.conversation.engine import Deps, Ending
from personae.conversation.runtime import Runtime, open_runtime
from personae.domain.persona import Persona
from personae.domain.turn import Turn
from personae.errors import InputError, PersonaeError
from personae.files.cast import default_world_path, world_path
from personae.files.world_file import WorldFile, load_world_file
from personae.store.records import RunStatus
from personae.store.store import Store, open_store
from personae.world.simulation import DepsFactory, Simulation, TickReport

DEMO_OUT = Path("personae-demo")


@dataclass(frozen=True)
class Outputs:
    """Where a finished run's reports go (None: not wanted)."""

    report: Path | None = None
    html: Path | None = None
    discord: str | None = None

    @property
    def wanted(self) -> bool:
        return any(x is not None for x in (self.report, self.html, self.discord))


def simulate(
    world: Annotated[
        str,
        typer.Argument(
            help="world YAML file, or a shipped world: default, college_party, "
            "market_crash, royal_court"
        ),
    ],
    ticks: Annotated[
        int | None, typer.Option("--ticks", help="ticks to run (default: file)")
    ] = None,
    seed: Annotated[int | None, typer.Option("--seed", help="seed (default: the file's)")] = None,
    llm: Annotated[
        str | None, typer.Option("--llm", help="backend spec (default: embedded)")
    ] = None,
    db: Annotated[str | None, typer.Option("--db", help="database URL or SQLite path")] = None,
    run_id: Annotated[str | None, typer.Option("--run-id", help="name of the run")] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="id of an interrupted run to continue")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no live view")] = False,
    report: Annotated[Path | None, typer.Option("--report", help="write the JSON report")] = None,
    html: Annotated[Path | None, typer.Option("--html", help="write the HTML report")] = None,
    discord: Annotated[
        str | None, typer.Option("--discord", help="Discord transcript: a file, or a webhook URL")
    ] = None,
) -> None:
    """Run WORLD tick by tick: rooms fill with conversations, personas move, events happen.

    Every turn is committed as it is spoken; `--resume RUN_ID` continues an interrupted run."""
    loaded = load_world_file(world_path(world))
    outputs = Outputs(report, html, discord)
    run_world(loaded, ticks, seed, llm, db, run_id, resume, quiet, outputs, world_ref=world)


def demo(
    ticks: Annotated[int, typer.Option("--ticks", help="ticks to run")] = 6,
    llm: Annotated[
        str | None, typer.Option("--llm", help="backend spec (default: embedded)")
    ] = None,
    out: Annotated[
        Path, typer.Option("--out", help="folder for the database and the reports")
    ] = DEMO_OUT,
    seed: Annotated[int, typer.Option("--seed")] = 7,
) -> None:
    """Run the shipped default world (five rooms, twelve personas) on the embedded model, and
    write its reports (JSON, HTML, Discord transcript) to --out."""
    world = load_world_file(default_world_path())
    out.mkdir(parents=True, exist_ok=True)
    outputs = Outputs(out / "report.json", out / "report.html", str(out / "transcript.discord.md"))
    run_world(world, ticks, seed, llm, str(out / "demo.db"), None, None, False, outputs, "default")


def run_world(
    world: WorldFile,
    ticks: int | None,
    seed: int | None,
    llm: str | None,
    db: str | None,
    run_id: str | None,
    resume: str | None,
    quiet: bool,
    outputs: Outputs | None = None,
    world_ref: str | None = None,
) -> str:
    """Run (or resume) the world; `world_ref` is how the user named it, for the resume hint a
    Ctrl-C prints."""
    if ticks is not None and ticks < 1:
        raise InputError(f"--ticks must be at least 1, got {ticks}")
    total = ticks or world.simulation.ticks
    chosen_seed = world.simulation.seed if seed is None else seed
    run = resume or run_id or _new_run_id(world, chosen_seed)
    try:
        return asyncio.run(
            _run(world, total, chosen_seed, llm, db, run, bool(resume), quiet, outputs or Outputs())
        )
    except KeyboardInterrupt:
        _interrupted(run, world_ref, db, total, llm)
        raise typer.Exit(INTERRUPTED_EXIT) from None


INTERRUPTED_EXIT = 130  # the shell's code for a process stopped by Ctrl-C


def _interrupted(
    run: str, world_ref: str | None, db: str | None, ticks: int, llm: str | None
) -> None:
    """Say what a Ctrl-C left behind and how to go on: every spoken turn and finished tick is
    stored, and `--resume` continues from there."""
    console = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        with open_store(db) as store:
            stored = store.runs.get(run)
    except PersonaeError:
        stored = None
    if stored is None:
        console.print("interrupted before the run was stored; nothing to resume")
        return
    if stored.status is RunStatus.FINISHED:
        console.print(f"interrupted after run {run} finished; its reports may be missing")
        return
    where = f" --db {shlex.quote(db)}" if db else ""
    if llm:
        where = f" --llm {shlex.quote(llm)}{where}"
    world = shlex.quote(world_ref) if world_ref else "WORLD"
    console.print(
        f"interrupted: run {run} stopped at {_clock(stored.clock_s)} of world time; every "
        f"spoken turn is stored. Continue it with:\n"
        f"  personae simulate {world} --resume {run} --ticks {ticks}{where}"
    )


async def _run(
    world: WorldFile,
    ticks: int,
    seed: int,
    llm: str | None,
    db: str | None,
    run: str,
    resuming: bool,
    quiet: bool,
    outputs: Outputs,
) -> str:
    console = Console(highlight=False)
    async with open_runtime(
        llm=llm or None,
        db=db,
        dynamics=world.settings,
        settings=world.conversation,
        default_llm=world.simulation.llm,
        max_llm_calls=world.simulation.max_llm_calls_in_flight,
    ) as runtime:
        link = runtime.memory(run)
        simulation = Simulation(
            world,
            runtime.store,
            run,
            _deps_factory(runtime, run),
            seed,
            memory=link.memory if link else None,
        )
        if resuming:
            stored = runtime.store.runs.get(run)
            if stored is None:
                raise InputError(
                    f"no run {run!r} in the database to resume; runs: "
                    + ", ".join(r.id for r in runtime.store.runs.list()[:10])
                )
            if stored.status is RunStatus.FINISHED:
                raise InputError(f"run {run!r} has already finished")
            await simulation.resume()
        else:
            simulation.start()
        names = {p.id: p.name for p in world.personas}
        console.print(
            f"[bold]{world.world.name}[/] — run [cyan]{run}[/], seed {seed}, "
            f"{len(world.rooms)} rooms, {len(world.personas)} personas, "
            f"LLM {runtime.llm.spec_for().text} [dim](db {runtime.store.location.describe()})[/]"
        )
        started = time.perf_counter()
        if quiet or not console.is_terminal:
            await simulation.run(ticks, on_tick=lambda r: _print_tick(console, r, names))
        else:
            await _run_live(console, simulation, ticks, names)
        _summary(console, runtime, run, time.perf_counter() - started)
        if outputs.wanted:
            await write_reports(console, runtime.store, run, outputs)
    return run


async def write_reports(console: Console, store: Store, run: str, outputs: Outputs) -> None:
    data = run_data_from_store(store, run)
    delivered = await deliver_reports(
        data, report=outputs.report, html=outputs.html, discord=outputs.discord
    )
    for done in delivered:
        console.print(f"{done.kind}: [cyan]{done.where}[/]")


async def _run_live(
    console: Console, simulation: Simulation, ticks: int, names: dict[str, str]
) -> None:
    progress = Progress(
        TextColumn("tick"),
        MofNCompleteColumn(),
        BarColumn(),
        TextColumn("world {task.fields[clock]}"),
        TimeElapsedColumn(),
    )
    task = progress.add_task(
        "ticks", total=ticks, completed=simulation.tick, clock=_clock(simulation.clock_s)
    )
    latest: dict[str, str] = {}

    def view(report: TickReport | None) -> Group:
        table = Table(expand=True, show_lines=False)
        table.add_column("room", no_wrap=True)
        table.add_column("conversation")
        for room in simulation.rooms.values():
            here = [live for live in simulation.live.values() if live.room_id == room.room_id]
            people = sum(1 for rid, _ in simulation.placement.values() if rid == room.room_id)
            label = f"{room.emoji} {room.name}\n[dim]{people} here[/]"
            lines = [latest.get(live.talk.record.id, "[dim]…opening[/]") for live in here]
            table.add_row(label, "\n".join(lines) or "[dim]quiet[/]")
        return Group(table, progress)

    def on_tick(report: TickReport) -> None:
        for turn in report.spoken:
            latest[turn.conversation_id] = spoken_markup(turn, names)
        progress.update(task, completed=report.tick + 1, clock=_clock(report.end_s))
        live.update(view(report))

    with Live(view(None), console=console, refresh_per_second=4) as live:
        await simulation.run(ticks, on_tick=on_tick)


def _print_tick(console: Console, report: TickReport, names: dict[str, str]) -> None:
    console.print(
        f"[dim]tick {report.tick + 1} ({_clock(report.end_s)}):[/] "
        f"{len(report.opened)} opened, {len(report.spoken)} lines, "
        f"{len(report.ended)} ended, {len(report.migrations)} moved"
    )
    for turn in report.spoken[-3:]:
        console.print(f"  {spoken_markup(turn, names)}")


def spoken_markup(turn: Turn, names: dict[str, str]) -> str:
    """A spoken line as both views show it: speaker → listeners, the line, its score and tier."""
    who = names.get(turn.speaker_id, turn.speaker_id)
    to = ", ".join(names.get(p, p) for p in turn.listener_ids)
    return (
        f"[bold]{escape(who)}[/] → {escape(to)}: [italic]{escape(turn.text)}[/] "
        f"[dim](score {turn.score:.0f}, {turn.tier})[/]"
    )


def _summary(console: Console, runtime: Runtime, run: str, elapsed_s: float) -> None:
    scoped = runtime.store.for_run(run)
    talks = runtime.store.conversations.list(run_id=run)
    turns = sum(len(runtime.store.turns.list(t.id)) for t in talks)
    moves = scoped.world.migrations()
    reasons: dict[str, int] = {}
    for talk in talks:
        if talk.exit_reason:
            reasons[talk.exit_reason] = reasons.get(talk.exit_reason, 0) + 1
    cost = [t.cost_usd for t in talks]
    total_cost = "unknown" if any(c is None for c in cost) else f"${sum(c or 0 for c in cost):.4f}"
    console.print(
        f"[bold]done[/] in {elapsed_s:.0f} s: {len(talks)} conversations, {turns} "
        f"lines, {len(moves)} migrations, cost {total_cost}; endings: "
        + ", ".join(f"{k} {v}" for k, v in sorted(reasons.items()))
    )


def _deps_factory(runtime: Runtime, run_id: str) -> DepsFactory:
    def build(settle: Callable[[Ending], list[Persona]]) -> Deps:
        return runtime.deps(settle=settle, run_id=run_id, concurrent=True)

    return build


def _new_run_id(world: WorldFile, seed: int) -> str:
    from personae.files.persona_file import slug

    suffix = random.Random().getrandbits(24)
    return f"{slug(world.world.name)[:40]}-s{seed}-{suffix:06x}"


def _clock(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"
