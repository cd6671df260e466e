from __future__ import annotations

import json
import random
import time
from pathlib import Path

import pytest

from personae.cli.app import INPUT_ERROR_EXIT, main
from personae.domain import Outcome, Purpose, UsageRecord
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.settings import LLMSettings
from personae.llm.stack import LLMStack
from personae.llm.types import CallContext, ChatRequest, user
from personae.store import open_store


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    assert exit_info.value.code == 0, captured.err
    return captured.out


@pytest.fixture
def db(tmp_path: Path) -> str:
    path = str(tmp_path / "usage.db")
    now = time.time()
    rows = [
        UsageRecord(
            player_id="ann",
            backend="openai",
            model="gpt-4o-mini",
            cost_usd=4.5,
            prompt_tokens=1000,
            completion_tokens=200,
            created_at=now - 60,
        ),
        UsageRecord(
            player_id="ann",
            backend="http",
            model="mystery",
            cost_usd=None,
            purpose=Purpose.SUMMARIZATION,
            prompt_tokens=50,
            completion_tokens=10,
            created_at=now - 30,
        ),
        UsageRecord(
            player_id="bob",
            backend="fallback",
            model="fallback-lines",
            cost_usd=0.0,
            outcome=Outcome.FALLBACK,
            created_at=now - 10,
        ),
    ]
    with open_store(path) as store:
        store.usage.record_many(rows)
    return path


def test_usage_json_groups_by_purpose_with_budgets(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    report = json.loads(run(["usage", "--db", db, "--json"], capsys))
    assert set(report["groups"]) == {"conversation", "summarization"}
    assert report["totals"]["calls"] == 3
    assert report["totals"]["unpriced_calls"] == 1
    ann = next(b for b in report["budgets"] if b["player_id"] == "ann")
    assert ann["spent_usd"] == 4.5
    assert ann["warning"]


def test_usage_for_one_player_by_model(db: str, capsys: pytest.CaptureFixture[str]) -> None:
    report = json.loads(
        run(["usage", "--db", db, "--player", "ann", "--by", "model", "--json"], capsys)
    )
    assert set(report["groups"]) == {"openai:gpt-4o-mini", "http:mystery"}


def test_usage_table_warns_about_unpriced_calls(
    db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    out = run(["usage", "--db", db, "--by", "player"], capsys)
    assert "ann" in out
    assert "without a known price" in out
    assert "warning" in out


def test_usage_of_a_missing_database_is_an_input_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["usage", "--db", str(tmp_path / "none.db")])
    assert exit_info.value.code == INPUT_ERROR_EXIT
    assert "no database at" in capsys.readouterr().err


async def test_stack_calls_land_in_the_store_and_in_the_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = str(tmp_path / "run.db")
    with open_store(path) as store:
        stack = LLMStack(
            LLMSettings(), sink=store.usage, chain=[ScriptedBackend()], rng=random.Random(0)
        )
        for i in range(3):
            context = CallContext(player_id="cara", conversation_id="c1")
            await stack.complete(ChatRequest.of([user(f"line {i}")], context=context))
    report = json.loads(run(["usage", "--db", path, "--by", "player", "--json"], capsys))
    assert report["groups"]["cara"]["calls"] == 3
    assert report["groups"]["cara"]["cost_usd"] == 0.0
