"""`personae --help` and each group's help, as a user reads them in a wide terminal."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

GROUPS = ["", "db", "llm", "persona", "lore", "memory"]


def help_of(group: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "personae", *group.split(), "--help"],
        capture_output=True,
        text=True,
        env={**os.environ, "COLUMNS": "250"},
        check=True,
    )
    return done.stdout


@pytest.mark.parametrize("group", GROUPS)
def test_each_commands_summary_reads_as_one_line_in_a_wide_terminal(group: str) -> None:
    """A docstring's line breaks are the source's, not sentences': they must not show."""
    panel = help_of(group).split("Commands")[1]
    rows = [re.sub(r"[│╰─╯]", "", line).strip() for line in panel.splitlines()[1:]]
    rows = [row for row in rows if row]
    assert rows
    for row in rows:
        name, _, summary = row.partition(" ")
        assert re.fullmatch(r"[a-z]+", name), f"a summary broke onto its own line: {row!r}"
        assert summary.strip().endswith("."), f"a summary was cut short: {row!r}"
