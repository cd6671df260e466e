"""`personae explain`, run as a user runs it: a real process, real files."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cli.process import personae

EXAMPLES = Path(__file__).parents[2] / "examples" / "personas.yaml"


def test_explain_shows_every_component_the_tier_and_the_decision() -> None:
    done = personae(
        "explain",
        str(EXAMPLES),
        "--speaker",
        "king_at_war",
        "--listener",
        "farmer",
        "--topic",
        "grain_prices",
        "--duration",
        "10",
    )
    assert done.returncode == 0, done.stderr
    for part in (
        "time pressure",
        "topic alignment",
        "social fit",
        "fatigue penalty",
        "history",
        "resources",
        "continue score",
        "tier: constrained",
        "stays",
    ):
        assert part in done.stdout


def test_explain_json_says_the_king_leaves_on_urgent_business() -> None:
    done = personae(
        "explain",
        str(EXAMPLES),
        "-a",
        "king_at_war",
        "-b",
        "farmer",
        "-t",
        "grain_prices",
        "-d",
        "25",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["leaves"] is True
    assert result["exit_reason"] == "urgent"
    assert result["score"] < result["threshold"] == 40
    assert result["tier"]["name"] == "template"
    assert result["components"][0]["name"] == "time pressure"
    assert result["score"] == round(sum(c["points"] for c in result["components"]), 2)


def test_a_small_token_budget_ends_the_talk_for_budget_reasons() -> None:
    done = personae(
        "explain",
        str(EXAMPLES),
        "-a",
        "tavern_keeper",
        "-b",
        "merchant",
        "-t",
        "gossip",
        "--token-budget",
        "80",
        "--json",
    )
    result = json.loads(done.stdout)
    assert result["exit_reason"] == "budget"


def test_a_bad_persona_file_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("personas:\n  - id: king\n    name: King\n    charisma: 40\n", encoding="utf-8")
    done = personae("explain", str(bad), "-a", "king", "-b", "x")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "bad.yaml:4" in lines[0]
    assert "persona 'king', field 'charisma'" in lines[0]


def test_an_unknown_persona_is_one_line_and_exit_code_2() -> None:
    done = personae("explain", str(EXAMPLES), "-a", "king_at_war", "-b", "dragon")
    assert done.returncode == 2
    assert "no persona 'dragon'" in done.stderr
    assert "Traceback" not in done.stderr
