"""The wizard's `Asker` on a terminal (or piped stdin): click prompts that re-ask on bad input."""

from __future__ import annotations

from collections.abc import Sequence

import click
import typer


class TerminalAsker:
    """Asks on stdout, reads stdin; works the same with a person or a piped script."""

    def say(self, text: str) -> None:
        typer.echo(text)

    def text(self, prompt: str, default: str | None = None) -> str:
        value: str = click.prompt(prompt, default=default, show_default=bool(default))
        return value

    def choice(self, prompt: str, choices: Sequence[str], default: str) -> str:
        value: str = click.prompt(prompt, type=click.Choice(list(choices)), default=default)
        return value

    def integer(self, prompt: str, default: int, low: int, high: int) -> int:
        value: int = click.prompt(prompt, type=click.IntRange(low, high), default=default)
        return value

    def number(self, prompt: str, default: float, low: float, high: float) -> float:
        value: float = click.prompt(prompt, type=click.FloatRange(low, high), default=default)
        return value

    def confirm(self, prompt: str, default: bool) -> bool:
        return click.confirm(prompt, default=default)
