"""`personae converse`, run as a user runs it: a real process, a real database file."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.cli.process import personae


def test_converse_prints_json_with_turns_and_an_exit_reason(tmp_path: Path) -> None:
    db = str(tmp_path / "t.db")
    done = personae(
        "converse", "mara", "lyralei", "--llm", "scripted", "--db", db, "--json", "--room", "tavern"
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert [p["id"] for p in result["participants"]] == ["mara", "lyralei"]
    assert result["room"] == "ai_tavern"
    assert result["topic"] == "gossip"
    assert result["exit_reason"] in {"bored", "tired", "urgent", "budget", "time"}
    assert result["turns"]
    assert {"speaker", "text", "tier", "score", "scores"} <= set(result["turns"][0])
    assert result["cost_usd"] == 0


def test_converse_prints_each_turn_and_the_end(tmp_path: Path) -> None:
    done = personae(
        "converse",
        "king_aldric",
        "tom",
        "--topic",
        "grain_prices",
        "--llm",
        "scripted",
        "--db",
        str(tmp_path / "t.db"),
    )
    assert done.returncode == 0, done.stderr
    assert "King Aldric → Farmer Tom" in done.stdout
    assert "ended: urgent" in done.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mara", "dragon"], "no persona 'dragon'"),
        (["mara", "mara"], "at least two different personas"),
        (["mara", "gorin", "--room", "moon"], "no room 'moon'"),
    ],
)
def test_bad_arguments_are_one_line_and_exit_code_2(
    tmp_path: Path, args: list[str], message: str
) -> None:
    done = personae("converse", *args, "--llm", "scripted", "--db", str(tmp_path / "t.db"))
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr


def committed(db: Path) -> list[tuple[str, int, str]]:
    with sqlite3.connect(db) as connection:
        return connection.execute(
            "SELECT conversation_id, turn_index, text FROM turns ORDER BY turn_index"
        ).fetchall()


def test_a_conversation_killed_mid_way_resumes_without_losing_or_repeating_a_turn(
    tmp_path: Path,
) -> None:
    """The real embedded model, SIGKILL after two committed turns, then --resume."""
    db = tmp_path / "talks.db"
    args = [
        sys.executable,
        "-m",
        "personae",
        "converse",
        "mara",
        "lyralei",
        "--room",
        "tavern",
        "--llm",
        "embedded",
        "--db",
        str(db),
        "--seed",
        "3",
        "--token-budget",
        "450",
    ]
    running = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline:
        try:
            if db.exists() and len(committed(db)) >= 2:
                break
        except sqlite3.OperationalError:  # the schema is not there yet
            pass
        if running.poll() is not None:
            pytest.fail(f"converse ended before it could be killed: {running.stderr}")
        time.sleep(0.2)
    os.kill(running.pid, signal.SIGKILL)
    running.wait()
    before = committed(db)
    assert len(before) >= 2
    conversation_id = before[0][0]

    done = personae(
        "converse",
        "mara",
        "lyralei",
        "--llm",
        "embedded",
        "--db",
        str(db),
        "--resume",
        conversation_id,
        "--json",
    )
    assert done.returncode == 0, done.stderr
    after = committed(db)
    assert after[: len(before)] == before  # nothing committed was lost or rewritten
    assert [index for _, index, _ in after] == list(range(len(after)))  # no gap, no duplicate
    assert len(after) > len(before)
    result = json.loads(done.stdout)
    assert result["exit_reason"] is not None
    assert [t["text"] for t in result["turns"]] == [text for _, _, text in after]


def test_a_persona_files_conversation_settings_reach_the_conversation(tmp_path: Path) -> None:
    cast = tmp_path / "pair.yaml"
    cast.write_text(
        "personas:\n"
        "  - {name: Mara, topics: {gossip: 90}, state: {available_time_s: 3000}}\n"
        "  - {name: Gorin, topics: {gossip: 80}, state: {available_time_s: 3000}}\n"
        "conversation: {max_turns: 2}\n",
        encoding="utf-8",
    )
    done = personae(
        "converse", "mara", "gorin", "--file", str(cast), "--llm", "scripted", "--json",
        "--db", str(tmp_path / "t.db"),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert len(result["turns"]) == 2
    assert result["exit_reason"] == "time"


def test_the_same_conversation_command_twice_on_one_database_stores_two_talks(
    tmp_path: Path,
) -> None:
    db = str(tmp_path / "t.db")
    for _ in range(2):
        done = personae("converse", "mara", "gorin", "--llm", "scripted", "--db", db, "--json")
        assert done.returncode == 0, done.stderr
    with sqlite3.connect(db) as connection:
        talks = connection.execute("SELECT count(*) FROM conversations").fetchone()[0]
        spoken = connection.execute("SELECT count(DISTINCT conversation_id) FROM turns").fetchone()
    assert talks == 2
    assert spoken == (2,)
