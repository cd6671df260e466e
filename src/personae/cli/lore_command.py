"""`personae lore ...`: inspect a lorebook file and try its activation rules on messages."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from personae.cards.lore_scan import LoreSettings, activate
from personae.cards.lorebook_file import read_lorebook

app = typer.Typer(
    help="Lorebooks: V3 lorebook_v3, SillyTavern World Info, character books.", no_args_is_help=True
)


@app.command("show")
def show(file: Annotated[Path, typer.Argument(help="lorebook JSON file")]) -> None:
    """List a lorebook's entries and their activation settings."""
    book = read_lorebook(file)
    table = Table(title=f"{book.name or file.name}: {len(book.entries)} entries")
    for column in ("#", "entry", "keys", "secondary", "settings", "order", "position"):
        table.add_column(column)
    for index, entry in enumerate(book.entries):
        flags = [
            name
            for name, on in (
                ("constant", entry.constant),
                ("regex", entry.use_regex),
                ("disabled", not entry.enabled),
            )
            if on
        ]
        if entry.probability < 100:
            flags.append(f"{entry.probability:g}%")
        secondary = ""
        if entry.selective and entry.secondary_keys:
            secondary = f"{entry.selective_logic.value}: {', '.join(entry.secondary_keys)}"
        table.add_row(
            str(index),
            entry.label(),
            ", ".join(entry.keys),
            secondary,
            " ".join(flags),
            f"{entry.insertion_order:g}",
            entry.position.value,
        )
    Console(highlight=False).print(table)


@app.command("scan")
def scan(
    file: Annotated[Path, typer.Argument(help="lorebook JSON file")],
    messages: Annotated[
        list[str], typer.Option("--message", "-m", help="a message, oldest first (repeatable)")
    ],
    seed: Annotated[int, typer.Option("--seed", help="seed for probability rolls")] = 0,
    scan_depth: Annotated[int | None, typer.Option("--scan-depth", help="messages scanned")] = None,
    recursive: Annotated[bool | None, typer.Option("--recursive/--no-recursive")] = None,
    budget: Annotated[int | None, typer.Option("--budget", help="token budget")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """Which entries the messages activate, why, and what is left out."""
    book = read_lorebook(file)
    defaults = LoreSettings()
    settings = LoreSettings(
        default_scan_depth=scan_depth if scan_depth is not None else defaults.default_scan_depth,
        recursive=recursive,
        token_budget=budget,
    )
    result = activate(book, messages, random.Random(seed), settings)
    if as_json:
        typer.echo(
            json.dumps(
                {
                    "activated": [
                        {
                            "entry": item.entry.label(),
                            "reason": item.reason,
                            "position": item.position.value,
                            "tokens": item.tokens,
                        }
                        for item in result.entries
                    ],
                    "skipped": [
                        {"entry": item.label, "reason": item.reason} for item in result.skipped
                    ],
                    "tokens": result.tokens,
                },
                indent=2,
                ensure_ascii=False,
            )
        )
        return
    console = Console(highlight=False)
    if not result.entries:
        console.print("no entry activates")
    for item in result.entries:
        console.print(
            f"[bold]{item.entry.label()}[/] ({item.position.value}, {item.tokens} "
            f"tokens): {item.reason}"
        )
    for skipped in result.skipped:
        console.print(f"[yellow]left out[/] {skipped.label}: {skipped.reason}")
