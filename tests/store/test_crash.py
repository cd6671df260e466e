"""SIGKILL a process while it appends turns: every turn it reported committed is in the store,
and a restarted process continues after the last one without duplicating any."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from personae.store import open_store
from tests.store.builders import turn

REPOSITORY = Path(__file__).resolve().parents[2]
KILL_AFTER = 40
WRITER = [sys.executable, "-m", "tests.store.turn_writer"]


def test_sigkill_loses_no_committed_turn_and_resume_duplicates_none(store_url: str) -> None:
    writer = subprocess.Popen(
        [*WRITER, store_url, "c1", "1000000"],
        cwd=REPOSITORY,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert writer.stdout is not None
    reported = [int(writer.stdout.readline()) for _ in range(KILL_AFTER)]
    os.kill(writer.pid, signal.SIGKILL)
    writer.wait(timeout=30)
    assert writer.returncode == -signal.SIGKILL

    with open_store(store_url) as store:
        stored = store.turns.list("c1")
    # Every turn reported committed survived; what is stored is an unbroken run of turns.
    assert [t.index for t in stored] == list(range(len(stored)))
    assert len(stored) >= KILL_AFTER
    assert reported == list(range(KILL_AFTER))
    assert stored == [turn(i) for i in range(len(stored))]

    stop_at = len(stored) + 15
    resumed = subprocess.run(
        [*WRITER, store_url, "c1", str(stop_at)],
        cwd=REPOSITORY,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    lines = resumed.stdout.splitlines()
    assert lines[0] == f"replayed {len(stored) - 1} False"
    assert [int(line) for line in lines[1:]] == list(range(len(stored), stop_at))
    with open_store(store_url) as store:
        assert store.turns.list("c1") == [turn(i) for i in range(stop_at)]
