"""`personae chat` driven through stdin, as a script or a bot would use it."""

from __future__ import annotations

import asyncio
import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from personae.cli.chat_command import _chat
from personae.domain.usage import Purpose
from personae.files.cast import find_persona, load_cast
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.types import ChatRequest, ChatResponse
from tests.cli.process import personae


def chat(db: Path, lines: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "personae",
            "chat",
            "lyralei",
            "--user",
            "Ana",
            "--llm",
            "scripted",
            "--db",
            str(db),
        ],
        input=lines,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_persona_greets_answers_each_line_and_remembers_the_person(tmp_path: Path) -> None:
    db = tmp_path / "chat.db"
    first = chat(db, "Hello, what news?\nAny rumors from the road?\n/quit\n")
    assert first.returncode == 0, first.stderr
    replies = [line for line in first.stdout.splitlines() if line.startswith("Bard Lyralei: ")]
    assert len(replies) == 3  # a greeting, then one answer per line
    second = chat(db, "I am back!\n")  # the end of input ends the chat too
    assert second.returncode == 0, second.stderr
    with sqlite3.connect(db) as connection:
        (interactions,) = connection.execute(
            "SELECT interactions FROM relationships WHERE a = 'lyralei' AND b = 'user_ana'"
        ).fetchone()
        people = connection.execute("SELECT people, exit_reason FROM conversations").fetchall()
        heard = connection.execute(
            "SELECT count(*) FROM turns WHERE speaker_id = 'user_ana' AND tier = 'human'"
        ).fetchone()[0]
    assert interactions == 2
    assert people == [('["user_ana"]', "person"), ('["user_ana"]', "person")]
    assert heard == 3


def test_an_unknown_persona_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "personae",
            "chat",
            "dragon",
            "--llm",
            "scripted",
            "--db",
            str(tmp_path / "c.db"),
        ],
        input="",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 2
    assert "no persona 'dragon'" in done.stderr
    assert "Traceback" not in done.stderr


def test_what_the_persona_remembers_about_a_person_is_found_by_the_name_they_chatted_under(
    tmp_path: Path,
) -> None:
    db = tmp_path / "chat.db"
    assert chat(db, "Hello, I am Ana, a smith from the hills.\n/quit\n").returncode == 0
    shown = personae("memory", "show", "lyralei", "--about", "Ana", "--db", str(db), "--json")
    assert shown.returncode == 0, shown.stderr
    memories = json.loads(shown.stdout)
    assert memories  # the chat's episode, at least
    assert {m["about_id"] for m in memories} == {"user_ana"}


def test_the_next_chat_prompts_the_persona_with_what_it_heard_in_the_last(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """In process, to read the prompts: the second chat's asks carry "You remember: ..." with
    what the person said in the first."""
    asks: list[str] = []
    complete = ScriptedBackend.complete

    async def recording(self: ScriptedBackend, request: ChatRequest) -> ChatResponse:
        if request.context.purpose is Purpose.CONVERSATION:
            asks.append(request.messages[-1].content)
        return await complete(self, request)

    monkeypatch.setattr(ScriptedBackend, "complete", recording)
    cast = load_cast(None)
    lyralei = find_persona(cast, "lyralei")
    db = str(tmp_path / "chat.db")

    def session(lines: str) -> None:
        monkeypatch.setattr(sys, "stdin", io.StringIO(lines))
        asyncio.run(_chat(lyralei, "Sam", None, None, "scripted", db, 1000, 1, cast))

    session("Hello Lyralei, I am Sam, a smith from Ironvale.\n/quit\n")
    first = len(asks)
    assert first
    assert not any("Ironvale" in ask for ask in asks)
    session("Do you remember me?\n/quit\n")
    later = asks[first:]
    assert later
    assert all(ask.startswith("You remember: ") for ask in later)
    assert any("Ironvale" in ask for ask in later)
