"""A model's line as the terminal views print it: text, never markup."""

from __future__ import annotations

import io

from rich.console import Console

from personae.cli.converse_command import print_turn
from personae.cli.simulate_command import spoken_markup
from tests.builders import persona
from tests.store.builders import turn

# Seen from the embedded model: stage directions in brackets, which rich reads as its own
# style tags (one closing a tag never opened raised MarkupError and stopped the run's view).
LINE = "[smiling] Welcome, traveller. [/smiling] Sit by the fire [bold]now[/]."


def plain_console() -> tuple[Console, io.StringIO]:
    out = io.StringIO()
    return Console(file=out, width=200, color_system=None), out


def test_simulate_prints_a_line_with_brackets_as_it_was_said() -> None:
    console, out = plain_console()
    console.print(spoken_markup(turn(0, text=LINE), {"bard": "Bard Lyralei", "smith": "Smith"}))
    assert out.getvalue().strip() == f"Bard Lyralei → Smith: {LINE} (score 71, full)"


def test_converse_prints_a_line_with_brackets_as_it_was_said() -> None:
    console, out = plain_console()
    cast = {"bard": persona("bard", name="Bard [of] Lyra"), "smith": persona("smith")}
    print_turn(console, turn(0, text=LINE), cast)
    assert out.getvalue().splitlines() == [
        "Bard [of] Lyra → Smith (full, score 71)",
        f"  {LINE}",
    ]
