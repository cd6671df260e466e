"""The `personae` command. Each sub-command lives in its own module and registers itself here."""

from __future__ import annotations

import logging
import os
import sys

import typer
from rich.console import Console

from personae.cli import (
    chat_command,
    compare_command,
    converse_command,
    db_command,
    explain_command,
    llm_command,
    lore_command,
    memory_command,
    persona_command,
    route_command,
    simulate_command,
    usage_command,
)
from personae.errors import PersonaeError

app = typer.Typer(
    name="personae",
    help="AI personas with social dynamics: explain scores, run conversations, simulate worlds.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # Docstrings are wrapped at 100 columns in the source: markdown joins their lines into
    # paragraphs, so help reflows to the terminal instead of breaking mid-sentence.
    rich_markup_mode="markdown",
)


@app.callback()
def _root() -> None:
    """personae: AI personas with social dynamics."""


app.command("explain")(explain_command.explain)
app.command("converse")(converse_command.converse)
app.command("chat")(chat_command.chat)
app.command("simulate")(simulate_command.simulate)
app.command("demo")(simulate_command.demo)
app.command("compare")(compare_command.compare)
app.add_typer(db_command.app, name="db")
app.add_typer(llm_command.app, name="llm")
app.command("usage")(usage_command.usage)
app.add_typer(persona_command.app, name="persona")
app.command("route")(route_command.route_command)
app.add_typer(lore_command.app, name="lore")
app.add_typer(memory_command.memory_app, name="memory")

INPUT_ERROR_EXIT = 2


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; an error the user caused is one line on stderr and exit code 2.

    Usage errors (unknown option, missing argument) are click's, also with exit code 2.
    """
    # Library warnings (a skipped fact extraction, a retried call) are for PERSONAE_LOG=INFO or
    # WARNING; a user sees errors only.
    logging.basicConfig(
        level=os.environ.get("PERSONAE_LOG", "ERROR").upper(),
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        app(args=argv, prog_name="personae")
    except PersonaeError as error:
        Console(stderr=True, highlight=False, soft_wrap=True).print(
            f"[bold red]error:[/] {error}", markup=True
        )
        sys.exit(INPUT_ERROR_EXIT)
