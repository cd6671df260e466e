"""`personae memory health PERSONA` and `personae memory show PERSONA [--about NAME]`.

The commands read the store through `memory_source.open_memories`; everything below works on any
`MemoryRepository`, so the rendering is the same for the SQL store and the in-memory one.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from personae.cli import memory_source
from personae.domain.memory import Memory
from personae.files.persona_file import person_id
from personae.memory.decay import last_used_s
from personae.memory.health import MemoryHealth, memory_health
from personae.memory.repository import MemoryRepository
from personae.memory.settings import DEFAULT_MEMORY_SETTINGS, SECONDS_PER_DAY, MemorySettings

memory_app = typer.Typer(
    name="memory",
    help="What a persona remembers: its memory health and its facts and episodes.",
    no_args_is_help=True,
)

PersonaArgument = Annotated[str, typer.Argument(help="id of the persona whose memory to read")]
DbOption = Annotated[
    str | None,
    typer.Option(
        "--db", help="SQLite path or postgresql:// URL (default: $PERSONAE_DB, else ./personae.db)"
    ),
]
RunOption = Annotated[
    str | None,
    typer.Option("--run", help="read the memories of this simulation run (default: outside runs)"),
]
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of tables")]


@memory_app.command("health")
def health(
    persona: PersonaArgument,
    db: DbOption = None,
    run: RunOption = None,
    now: Annotated[
        float | None,
        typer.Option("--now", help="world time in seconds (default: the persona's latest memory)"),
    ] = None,
    as_json: JsonOption = False,
) -> None:
    """How PERSONA's memories spread across the hot, warm and cold tiers, the oldest ones, and
    what to do about anything out of bounds."""
    with memory_source.open_memories(db, run) as repository:
        report = health_report(repository, persona, now)
    if as_json:
        typer.echo(json.dumps(health_json(report), indent=2))
    else:
        render_health(report, Console(highlight=False))


@memory_app.command("show")
def show(
    persona: PersonaArgument,
    about: Annotated[
        str | None, typer.Option("--about", help="only memories about this persona or person id")
    ] = None,
    history: Annotated[
        bool, typer.Option("--history", help="also list facts superseded by newer ones")
    ] = False,
    db: DbOption = None,
    run: RunOption = None,
    as_json: JsonOption = False,
) -> None:
    """Everything PERSONA knows, oldest first: what, about whom, who told it, when."""
    with memory_source.open_memories(db, run) as repository:
        memories = memories_of(repository, persona, about, history=history)
    if as_json:
        typer.echo(json.dumps([memory_json(m) for m in memories], indent=2))
    else:
        render_memories(memories, persona, about, Console(highlight=False))


def health_report(
    repository: MemoryRepository,
    persona: str,
    now_s: float | None = None,
    settings: MemorySettings = DEFAULT_MEMORY_SETTINGS,
) -> MemoryHealth:
    """The health of `persona`'s memory at `now_s`; by default at its latest memory's time, the
    last moment the store knows the persona was active."""
    memories = repository.list(persona, include_superseded=True)
    if now_s is None:
        now_s = max((last_used_s(m) for m in memories), default=0.0)
    return memory_health(persona, memories, now_s, settings)


def memories_of(
    repository: MemoryRepository, persona: str, about: str | None, *, history: bool
) -> list[Memory]:
    """What `persona` remembers, or only what it remembers about `about`: a persona id, a
    person's id, or the name a person chatted under (`chat --user NAME` stores them as
    `person_id(NAME)`)."""
    if about is None:
        return repository.list(persona, include_superseded=history)
    found = repository.list(persona, about_id=about, include_superseded=history)
    if not found and person_id(about) != about:
        found = repository.list(persona, about_id=person_id(about), include_superseded=history)
    return found


def world_time(seconds: float) -> str:
    """World seconds as 'day D HH:MM' (day 0 is the start of the world)."""
    day, rest = divmod(int(seconds), int(SECONDS_PER_DAY))
    return f"day {day} {rest // 3600:02d}:{rest % 3600 // 60:02d}"


def health_json(report: MemoryHealth) -> dict[str, Any]:
    data = report.model_dump(mode="json")
    data["healthy"] = report.healthy
    for use, tier in zip(data["tiers"], report.tiers, strict=True):
        use["utilisation"] = tier.utilisation
    return data


def memory_json(memory: Memory) -> dict[str, Any]:
    return memory.model_dump(mode="json")


def render_health(report: MemoryHealth, console: Console) -> None:
    console.print(
        f"[bold]{escape(report.owner_id)}[/]: {report.total} memories "
        f"({', '.join(_counted(count, kind.value) for kind, count in report.by_kind.items())}), "
        f"{report.superseded} superseded, {report.pinned} pinned, "
        f"{report.exempt_from_decay} exempt from decay — at {world_time(report.now_s)}"
    )
    tiers = Table(title="tiers")
    tiers.add_column("tier")
    tiers.add_column("memories", justify="right")
    tiers.add_column("capacity", justify="right")
    tiers.add_column("used", justify="right")
    for use in report.tiers:
        used = "" if use.utilisation is None else f"{use.utilisation:.1%}"
        capacity = "-" if use.capacity is None else str(use.capacity)
        tiers.add_row(use.tier.value, str(use.count), capacity, used)
    console.print(tiers)
    if report.oldest:
        oldest = Table(title="oldest memories")
        oldest.add_column("learned")
        oldest.add_column("age (days)", justify="right")
        oldest.add_column("unused (days)", justify="right")
        oldest.add_column("tier")
        oldest.add_column("memory")
        for item in report.oldest:
            oldest.add_row(
                world_time(item.created_at_s),
                f"{item.age_days:.1f}",
                f"{item.days_unused:.1f}",
                item.tier.value,
                escape(item.text),
            )
        console.print(oldest)
    if report.healthy:
        console.print("[green]healthy[/]: nothing to do")
    for advice in report.recommendations:
        console.print(f"[yellow]recommendation[/]: {escape(advice)}")


def _counted(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def render_memories(
    memories: Sequence[Memory], persona: str, about: str | None, console: Console
) -> None:
    subject = f" about {about}" if about else ""
    if not memories:
        console.print(escape(f"{persona} remembers nothing{subject}"))
        return
    table = Table(title=escape(f"what {persona} remembers{subject}"))
    table.add_column("learned")
    table.add_column("kind")
    table.add_column("imp.", justify="right")
    table.add_column("tier")
    table.add_column("about")
    table.add_column("told by")
    table.add_column("memory")
    for memory in memories:
        text = escape(memory.text)
        if memory.superseded_by is not None:
            text = f"[dim strike]{text}[/] (superseded)"
        elif memory.pinned:
            text = f"{text} (pinned)"
        table.add_row(
            world_time(memory.created_at_s),
            memory.kind.value,
            str(memory.importance),
            memory.tier.value,
            escape(memory.about_id or ""),
            escape(memory.told_by or ""),
            text,
        )
    console.print(table)
