"""Run the `personae` command as a user does: a real process, its output and exit code."""

from __future__ import annotations

import subprocess
import sys


def personae(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "personae", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
