"""`personae route`: which persona of the library answers a message in a channel, and why."""

from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from personae.cards.exporter import write_export
from personae.cards.router import RouteDecision, RouterState, route
from personae.cli.persona_command import LibraryOption
from personae.errors import InputError
from personae.files.persona_library import PersonaLibrary, library_dir

STATE_FILE = ".router-state.json"


def route_command(
    message: Annotated[str, typer.Argument(help="the message to answer")],
    channel: Annotated[str, typer.Option("--channel", "-c", help="channel the message is in")],
    library: LibraryOption = None,
    active: Annotated[
        list[str] | None, typer.Option("--active", help="persona id taking part (repeatable)")
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="seed for breaking near-ties")] = 0,
    now: Annotated[
        float | None, typer.Option("--now", help="time in seconds (default: the clock)")
    ] = None,
    state_file: Annotated[
        Path | None,
        typer.Option(
            "--state", help=f"router state (default: {STATE_FILE} in the persona library)"
        ),
    ] = None,
    record: Annotated[
        bool, typer.Option("--record/--no-record", help="remember the answer (sticky persona)")
    ] = True,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Choose the persona that answers MESSAGE in --channel, with its reasons and all scores."""
    store = PersonaLibrary(library_dir(library))
    personas = store.load_all()
    if not personas:
        raise InputError(f"no personas in {store.root}; import or create some first")
    path = state_file or store.root / STATE_FILE
    state = _read_state(path)
    moment = time.time() if now is None else now
    decision = route(
        message, channel, personas, state, moment, random.Random(seed), active=active or ()
    )
    if record and decision.persona_id is not None:
        state.record(channel, decision.persona_id, moment)
        write_export(path, json.dumps(state.to_json(), indent=2).encode("utf-8"))
    if as_json:
        typer.echo(json.dumps(decision_json(decision), indent=2, ensure_ascii=False))
    else:
        _render(decision)


def decision_json(decision: RouteDecision) -> dict[str, object]:
    return {
        "persona": decision.persona_id,
        "sticky": decision.sticky,
        "reasons": list(decision.reasons),
        "candidates": [
            {
                "id": c.persona_id,
                "name": c.name,
                "score": c.score,
                "signals": [
                    {"signal": s.name, "points": s.points, "detail": s.detail} for s in c.signals
                ],
            }
            for c in decision.candidates
        ],
    }


def _read_state(path: Path) -> RouterState:
    try:
        return RouterState.from_json(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError):
        return RouterState()  # no state yet, or unreadable: start fresh (it is only a cache)


def _render(decision: RouteDecision) -> None:
    console = Console(highlight=False, soft_wrap=True)
    if decision.persona_id is None:
        console.print("[bold]nobody answers[/]")
    else:
        console.print(f"[bold green]{decision.persona_id}[/] answers")
    for reason in decision.reasons:
        console.print(f"  - {escape(reason)}")
    table = Table(title="scores")
    for column in ("persona", "score", "signals"):
        table.add_column(column)
    for c in decision.candidates:
        signals = "; ".join(f"{s.name} {s.points:+g} ({s.detail})" for s in c.signals) or "-"
        table.add_row(c.persona_id, f"{c.score:g}", signals)
    console.print(table)
