"""`personae llm check`: try the configured (or named) backend once and show what it is."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from personae.llm.check import CHECK_PROMPT, CheckResult, check_backend
from personae.llm.settings import load_llm_settings
from personae.llm.spec import choose_spec, forced_spec

app = typer.Typer(help="LLM backends: check which one is used and that it answers.")

LlmOption = Annotated[
    str | None,
    typer.Option(
        "--llm",
        help="backend spec: embedded, embedded:PATH.gguf, scripted, openai:MODEL, ollama:MODEL, "
        "http(s)://HOST:PORT/v1#MODEL (default: $PERSONAE_LLM, else the config, else embedded)",
    ),
]
ConfigOption = Annotated[
    Path | None,
    typer.Option(
        "--config", help="YAML config file with an llm: section (default: $PERSONAE_CONFIG)"
    ),
]


@app.callback()
def _llm() -> None:
    """LLM backends."""


@app.command("check")
def check(
    llm: LlmOption = None,
    config: ConfigOption = None,
    prompt: Annotated[str, typer.Option("--prompt", help="what to ask")] = CHECK_PROMPT,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Generate one line with the backend and show which backend and model answered, where its
    weights come from, and how fast it was."""
    settings = load_llm_settings(config)
    choice = forced_spec(llm) or choose_spec(
        forced=None, personas={}, purposes={}, default=settings.default
    )
    result = asyncio.run(check_backend(choice, settings, prompt))
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2))
    else:
        render(result)


def render(result: CheckResult) -> None:
    table = Table(show_header=False, box=None, pad_edge=False)
    table.add_column(style="bold")
    table.add_column(overflow="fold")
    table.add_row("backend", f"{result.kind} (spec {result.spec!r} from {result.source})")
    table.add_row("model", result.model)
    table.add_row("weights" if result.kind == "embedded" else "location", result.location)
    table.add_row("from", result.origin)
    table.add_row("cost", "none: runs on this machine" if result.local else "priced per token")
    if result.load_s or result.warmup_s:
        table.add_row(
            "loaded in",
            f"{result.load_s:.2f} s, first evaluation (warm-up) {result.warmup_s:.2f} s",
        )
    table.add_row("line", result.text or "(empty)")
    tokens = f"{result.prompt_tokens} prompt + {result.completion_tokens} completion"
    if result.kind == "scripted":
        table.add_row("tokens", f"{tokens} (estimated; no model, instant)")
    else:
        speed = f"{result.tokens_per_s:.1f} completion tokens/s, prompt processing included"
        table.add_row("tokens", f"{tokens} in {result.latency_s:.2f} s: {speed}")
    Console(highlight=False, soft_wrap=True).print(table)
