"""`personae simulate`, run as a user runs it, including a SIGKILL mid-run and --resume."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import psycopg
import pytest

from tests.cli.process import personae


def test_simulate_a_shipped_world_and_summarise(tmp_path: Path) -> None:
    done = personae(
        "simulate",
        "royal_court",
        "--ticks",
        "4",
        "--llm",
        "scripted",
        "--db",
        str(tmp_path / "w.db"),
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    assert "Royal Court Session" in done.stdout
    assert "tick 4 (0:02:00)" in done.stdout
    assert "done in" in done.stdout


def test_a_broken_world_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "world.yaml"
    bad.write_text("rooms: [{use: tavern}]\npersonas: [{name: A, room: moon}]\n", encoding="utf-8")
    done = personae("simulate", str(bad), "--llm", "scripted", "--db", str(tmp_path / "w.db"))
    assert done.returncode == 2
    assert "starts in unknown room 'moon'" in done.stderr
    assert "Traceback" not in done.stderr


TWO_IN_A_TAVERN = """\
world: {name: Two in a tavern}
rooms: [{use: tavern}]
personas:
  - {name: Mara, topics: {gossip: 90}, state: {available_time_s: 3000}}
  - {name: Gorin, topics: {gossip: 80}, state: {available_time_s: 3000}}
"""


@pytest.mark.parametrize(
    ("tuning", "most_turns", "remembers"),
    [("", None, True), ("conversation: {memory: false, max_turns: 3}\n", 3, False)],
)
def test_a_world_files_conversation_settings_reach_its_conversations(
    tmp_path: Path, tuning: str, most_turns: int | None, remembers: bool
) -> None:
    world = tmp_path / "world.yaml"
    world.write_text(TWO_IN_A_TAVERN + tuning, encoding="utf-8")
    db = tmp_path / "w.db"
    done = personae("simulate", str(world), "--ticks", "3", "--llm", "scripted", "--db", str(db))
    assert done.returncode == 0, done.stderr
    longest = read(
        db, "SELECT max(n) FROM (SELECT count(*) AS n FROM turns GROUP BY conversation_id)"
    )
    if most_turns is not None:
        assert longest == [(most_turns,)]
    else:
        assert longest[0][0] > 3
    assert bool(read(db, "SELECT count(*) FROM memories")[0][0]) is remembers


def read(db: Path | str, sql: str) -> list[tuple[object, ...]]:
    """Rows of `sql` in a SQLite file or, given a postgresql:// URL, on PostgreSQL."""
    if str(db).startswith("postgresql://"):
        with psycopg.connect(str(db)) as connection:
            return list(connection.execute(sql).fetchall())
    with sqlite3.connect(db, timeout=30) as connection:
        return connection.execute(sql).fetchall()


def wait_for_clock(db: Path | str, world_s: float, running: subprocess.Popen[str]) -> None:
    """Wait until the run 'party' running in `running` has committed `world_s` of world time."""
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            clock = read(db, "SELECT clock_s FROM runs WHERE id = 'party'")
        except (sqlite3.OperationalError, psycopg.Error):  # not created yet
            clock = []
        if clock and clock[0][0] >= world_s:
            return
        if running.poll() is not None:
            pytest.fail(
                f"the run ended too soon: {running.stderr.read() if running.stderr else ''}"
            )
        time.sleep(0.05)
    pytest.fail(f"the run did not reach {world_s} s of world time in 300 s")


@pytest.fixture(params=["sqlite", "postgresql"])
def run_db(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """Where a run is stored: a new SQLite file, or a new schema on the local PostgreSQL."""
    if request.param == "sqlite":
        return str(tmp_path / "party.db")
    url: str = request.getfixturevalue("postgresql_url")
    return url


def test_a_run_killed_mid_way_resumes_and_finishes_without_lost_or_doubled_turns(
    run_db: str,
) -> None:
    db = run_db
    args = [
        sys.executable,
        "-m",
        "personae",
        "simulate",
        "college_party",
        "--ticks",
        "60",
        "--llm",
        "scripted",
        "--db",
        str(db),
        "--run-id",
        "party",
        "--quiet",
    ]
    running = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wait_for_clock(db, 300, running)
    os.kill(running.pid, signal.SIGKILL)
    running.wait()
    turns_sql = "SELECT conversation_id, turn_index, speaker_id, text FROM turns ORDER BY 1, 2"
    before = read(db, turns_sql)
    killed_at = read(db, "SELECT clock_s, status FROM runs WHERE id = 'party'")[0]
    assert killed_at[1] == "running"
    assert before

    done = personae(
        "simulate",
        "college_party",
        "--ticks",
        "60",
        "--llm",
        "scripted",
        "--db",
        str(db),
        "--resume",
        "party",
        "--quiet",
    )
    assert done.returncode == 0, done.stderr
    after = read(db, turns_sql)
    assert set(before) <= set(after)  # nothing committed was lost or rewritten
    by_conversation: dict[object, list[object]] = {}
    for conversation_id, index, _, _ in after:
        by_conversation.setdefault(conversation_id, []).append(index)
    for indexes in by_conversation.values():
        assert indexes == list(range(len(indexes)))  # no gap, no duplicate
    assert read(db, "SELECT clock_s, status FROM runs WHERE id = 'party'")[0] == (
        1800.0,
        "finished",
    )
    assert read(db, "SELECT count(*) FROM conversations WHERE status = 'active'")[0][0] == 0


def test_a_world_says_the_same_on_postgresql_as_on_sqlite(
    tmp_path: Path, postgresql_url: str
) -> None:
    reports = []
    for db in (str(tmp_path / "court.db"), postgresql_url):
        report = tmp_path / f"report-{len(reports)}.json"
        done = personae(
            "simulate", "royal_court", "--ticks", "6", "--llm", "scripted", "--db", db,
            "--run-id", "court", "--report", str(report), "--quiet",
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        reports.append(json.loads(report.read_text(encoding="utf-8")))
    sqlite_run, postgresql_run = reports
    assert postgresql_run["conversations"] == sqlite_run["conversations"]
    assert postgresql_run["migrations"] == sqlite_run["migrations"]
    assert sum(len(c["turns"]) for c in sqlite_run["conversations"]) > 20


def test_ctrl_c_stops_a_run_and_says_how_to_resume_it(tmp_path: Path) -> None:
    db = tmp_path / "party.db"
    command = ["simulate", "college_party", "--ticks", "60", "--llm", "scripted",
               "--db", str(db), "--run-id", "party", "--quiet"]  # fmt: skip
    # Ctrl-C as a terminal delivers it: Python turns SIGINT into KeyboardInterrupt unless the
    # process was started with SIGINT ignored (as background jobs are), so make sure it does.
    as_in_a_terminal = (
        "import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
        f"sys.argv = ['personae', *{command!r}]; runpy.run_module('personae', run_name='__main__')"
    )
    running = subprocess.Popen(
        [sys.executable, "-c", as_in_a_terminal],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    wait_for_clock(db, 120, running)
    running.send_signal(signal.SIGINT)
    _, stderr = running.communicate(timeout=120)
    assert running.returncode == 130
    assert "Traceback" not in stderr
    hint = next(line.strip() for line in stderr.splitlines() if "--resume" in line)
    assert hint == (
        f"personae simulate college_party --resume party --ticks 60 --llm scripted --db {db}"
    )

    done = personae(*hint.split()[1:], "--quiet")
    assert done.returncode == 0, done.stderr
    assert read(db, "SELECT clock_s, status FROM runs WHERE id = 'party'")[0] == (
        1800.0,
        "finished",
    )
