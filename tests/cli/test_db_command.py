from __future__ import annotations

import json
from pathlib import Path

import pytest

from personae.cli.app import INPUT_ERROR_EXIT, main
from personae.store import ENV_VAR
from personae.store.schema import head_revision


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    """Run `personae ARGV` as the console script does; it must succeed."""
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    assert exit_info.value.code == 0, captured.err
    return captured.out


def test_upgrade_creates_the_database_then_finds_it_current(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    db = str(tmp_path / "world.db")
    assert run(["db", "upgrade", "--db", db], capsys).strip() == (
        f"{db}: created at schema revision {head_revision()}"
    )
    assert "already at the latest schema revision" in run(["db", "upgrade", "--db", db], capsys)


def test_info_json_lists_the_revision_and_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    db = tmp_path / "world.db"
    monkeypatch.setenv(ENV_VAR, str(db))
    run(["db", "upgrade"], capsys)
    report = json.loads(run(["db", "info", "--json"], capsys))
    assert report["location"] == str(db)
    assert report["revision"] == head_revision()
    assert report["up_to_date"] is True
    assert report["counts"]["turns"] == 0


def test_info_table_names_the_revision(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "world.db")
    run(["db", "upgrade", "--db", db], capsys)
    out = run(["db", "info", "--db", db], capsys)
    assert f"schema revision: {head_revision()} (latest)" in out
    assert "interaction_history" in out


def test_a_foreign_file_is_one_error_line_and_exit_code_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    junk = tmp_path / "notes.db"
    junk.write_text("shopping list: eggs, flour\n")
    with pytest.raises(SystemExit) as exit_info:
        main(["db", "upgrade", "--db", str(junk)])
    assert exit_info.value.code == INPUT_ERROR_EXIT
    err = capsys.readouterr().err
    assert "is not a SQLite database" in err
    assert len(err.strip().splitlines()) == 1
    assert junk.read_text() == "shopping list: eggs, flour\n"
