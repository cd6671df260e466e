"""`personae compare WORLD_A WORLD_B --seeds 1-10`: seed 000's A/B test of two world setups."""

from __future__ import annotations

import asyncio
import json
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from personae.analytics.compare import RunSummary, WorldComparison, compare_worlds, summarize_run
from personae.analytics.from_store import run_data_from_store
from personae.conversation.runtime import open_runtime
from personae.errors import InputError
from personae.files.cast import world_path
from personae.files.world_file import WorldFile, load_world_file
from personae.world.simulation import Simulation


def parse_seeds(text: str) -> list[int]:
    """`1-10`, `3,5,8` or a mix (`1-3,7`) into a sorted list of distinct seeds."""
    seeds: set[int] = set()
    try:
        for part in filter(None, (p.strip() for p in text.split(","))):
            if "-" in part[1:]:
                low, high = part.split("-", 1) if not part.startswith("-") else ("", part)
                first, last = int(low), int(high)
                if last < first:
                    raise ValueError
                seeds.update(range(first, last + 1))
            else:
                seeds.add(int(part))
    except ValueError:
        raise InputError(f"--seeds {text!r}: give seeds like 1-10, 3,5,8 or 1-3,7") from None
    if not seeds:
        raise InputError("--seeds names no seed; give seeds like 1-10")
    return sorted(seeds)


def compare(
    world_a: Annotated[str, typer.Argument(help="first world file (or shipped world name)")],
    world_b: Annotated[str, typer.Argument(help="second world file (or shipped world name)")],
    seeds: Annotated[str, typer.Option("--seeds", help="seeds to run each world with")] = "1-10",
    ticks: Annotated[int | None, typer.Option("--ticks", help="ticks per run")] = None,
    llm: Annotated[
        str,
        typer.Option(
            "--llm",
            help="backend; the comparison is of dynamics, so scripted "
            "by default (pass embedded for real words)",
        ),
    ] = "scripted",
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Run WORLD_A and WORLD_B once per seed and compare them: conversations per hour, mean
    duration, mean continue score and topic shares, as mean differences with 95% intervals."""
    chosen = parse_seeds(seeds)
    a, b = load_world_file(world_path(world_a)), load_world_file(world_path(world_b))
    console = Console(highlight=False, stderr=as_json)
    result = asyncio.run(_compare(a, b, chosen, ticks, llm, console))
    if as_json:
        typer.echo(json.dumps(result.to_dict(), indent=2))
    else:
        _print(console, result)


async def _compare(
    a: WorldFile, b: WorldFile, seeds: list[int], ticks: int | None, llm: str, console: Console
) -> WorldComparison:
    with tempfile.TemporaryDirectory(prefix="personae-compare-") as folder:
        summaries_a = [
            await _one(a, seed, ticks, llm, Path(folder) / f"a{seed}.db") for seed in seeds
        ]
        console.print(f"[dim]{a.world.name}: {len(seeds)} runs done[/]")
        summaries_b = [
            await _one(b, seed, ticks, llm, Path(folder) / f"b{seed}.db") for seed in seeds
        ]
        console.print(f"[dim]{b.world.name}: {len(seeds)} runs done[/]")
    return compare_worlds(summaries_a, summaries_b, world_a=a.world.name, world_b=b.world.name)


async def _one(world: WorldFile, seed: int, ticks: int | None, llm: str, db: Path) -> RunSummary:
    async with open_runtime(
        llm=llm, db=str(db), dynamics=world.settings, settings=world.conversation
    ) as runtime:
        run_id = f"compare-{seed}"
        simulation = Simulation(
            world,
            runtime.store,
            run_id,
            lambda settle: runtime.deps(settle=settle, run_id=run_id, concurrent=True),
            seed,
        )
        simulation.start()
        await simulation.run(ticks or world.simulation.ticks)
        return summarize_run(run_data_from_store(runtime.store, run_id), seed)


def _print(console: Console, result: WorldComparison) -> None:
    table = Table(title=f"{result.world_a} (A) vs {result.world_b} (B)")
    for column in ("metric", "A", "B", "A - B", "95% interval"):
        table.add_column(column, justify="right" if column != "metric" else "left")
    for m in result.metrics:
        interval = (
            "-" if m.ci_low is None or m.ci_high is None else f"{m.ci_low:+.2f} .. {m.ci_high:+.2f}"
        )
        table.add_row(
            m.metric, _num(m.mean_a), _num(m.mean_b), _num(m.difference, signed=True), interval
        )
    console.print(table)


def _num(value: float | None, signed: bool = False) -> str:
    if value is None:
        return "-"
    return f"{value:+.2f}" if signed else f"{value:.2f}"
