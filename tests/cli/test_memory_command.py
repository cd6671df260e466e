"""`personae memory health` and `personae memory show` over a repository of memories."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personae.cli.app import app, main
from personae.cli.memory_command import health_report, world_time
from personae.domain.memory import MemoryKind, MemoryTier
from personae.memory.settings import SECONDS_PER_DAY
from personae.store import open_store
from tests.memory.factories import make_memory

DAY = SECONDS_PER_DAY


MEMORIES = [
    make_memory("m1", "Bob lives in Paris", about_id="bob"),
    make_memory("m2", "Bob lives in Lyon", about_id="bob", created_at_s=2 * DAY),
    make_memory("m3", "The [mill] burned down", told_by="carl", created_at_s=3 * DAY + 3600),
    make_memory(
        "m4", "Talked with Bob about grain", kind=MemoryKind.EPISODE, created_at_s=40 * DAY
    ),
    make_memory("b1", "Anna is kind", owner_id="bob", created_at_s=5 * DAY),
]


@pytest.fixture
def db(tmp_path: Path) -> str:
    """A SQLite store holding anna's and bob's memories; m2 superseded m1."""
    path = str(tmp_path / "campaign.db")
    with open_store(path) as store:
        for memory in MEMORIES:
            store.memories.add(memory)
        store.memories.supersede("m1", "m2")
    return path


def run(*args: str) -> str:
    result = CliRunner().invoke(
        app, list(args), catch_exceptions=False, env={"COLUMNS": "200", "PERSONAE_DB": ""}
    )
    assert result.exit_code == 0, result.output
    return result.output


def test_a_missing_database_is_one_clear_error_and_is_not_created(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.db"
    with pytest.raises(SystemExit) as exit_info:
        main(["memory", "health", "anna", "--db", str(missing)])
    assert exit_info.value.code == 2
    assert f"no database at {missing}" in capsys.readouterr().err
    assert not missing.exists()


def test_health_counts_tiers_as_of_the_latest_memory(db: str) -> None:
    report = json.loads(run("memory", "health", "anna", "--db", db, "--json"))
    assert report["now_s"] == 40 * DAY
    assert {t["tier"]: t["count"] for t in report["tiers"]} == {"hot": 1, "warm": 0, "cold": 2}
    assert report["superseded"] == 1
    assert report["tiers"][0]["utilisation"] == 1 / 200
    assert report["healthy"] is False


def test_health_at_a_given_time(db: str) -> None:
    with open_store(db) as store:
        report = health_report(store.memories, "anna", now_s=12 * DAY)
    assert report.tier(MemoryTier.WARM).count == 2


def test_health_prints_tiers_oldest_and_recommendations(db: str) -> None:
    output = run("memory", "health", "anna", "--db", db)
    assert "anna: 3 memories" in output
    assert "oldest memories" in output
    assert "The [mill] burned down" in output
    assert "recommendation" in output


def test_show_lists_current_memories_oldest_first(db: str) -> None:
    listed = json.loads(run("memory", "show", "anna", "--db", db, "--json"))
    assert [m["id"] for m in listed] == ["m2", "m3", "m4"]
    assert listed[1]["told_by"] == "carl"


def test_show_with_history_includes_superseded_facts(db: str) -> None:
    listed = json.loads(run("memory", "show", "anna", "--db", db, "--history", "--json"))
    assert [m["id"] for m in listed] == ["m1", "m2", "m3", "m4"]
    assert "(superseded)" in run("memory", "show", "anna", "--db", db, "--history")


def test_show_about_one_subject(db: str) -> None:
    listed = json.loads(run("memory", "show", "anna", "--db", db, "--about", "bob", "--json"))
    assert [m["text"] for m in listed] == ["Bob lives in Lyon"]


def test_show_prints_text_verbatim_with_its_teller(db: str) -> None:
    output = run("memory", "show", "anna", "--db", db)
    assert "The [mill] burned down" in output
    assert "carl" in output
    assert "day 3 01:00" in output


def test_show_says_when_nothing_is_known(db: str) -> None:
    assert "anna remembers nothing about zed" in run(
        "memory", "show", "anna", "--db", db, "--about", "zed"
    )


def test_world_time_counts_days_from_zero() -> None:
    assert world_time(0.0) == "day 0 00:00"
    assert world_time(2 * DAY + 5 * 3600 + 7 * 60 + 30) == "day 2 05:07"
