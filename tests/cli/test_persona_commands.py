"""The persona, route and lore commands, run as a user runs them (stdin, stdout, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personae.cards.importer import read_card
from personae.cli.app import app, main
from personae.files.persona_library import PersonaLibrary
from tests.cards.builders import ELDORIA, FIXTURE_CARDS

runner = CliRunner()


def _run(*args: str, stdin: str | None = None) -> str:
    result = runner.invoke(app, list(args), input=stdin)
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.stdout


def _fail(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    with pytest.raises(SystemExit) as raised:
        main(list(args))
    assert raised.value.code == 2
    return capsys.readouterr().err


@pytest.fixture
def library(tmp_path: Path) -> Path:
    path = tmp_path / "lib"
    _run("persona", "import", *map(str, FIXTURE_CARDS), "--library", str(path))
    return path


def test_import_list_and_show(library: Path) -> None:
    rows = json.loads(_run("persona", "list", "--library", str(library), "--json"))
    assert [row["id"] for row in rows] == ["coding_sensei", "flux_the_cat"]
    shown = _run("persona", "show", "coding_sensei", "--library", str(library))
    assert shown.startswith("id: coding_sensei\nname: Coding Sensei\n")


def test_the_library_can_come_from_the_environment(
    library: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONAE_LIBRARY", str(library))
    assert "flux_the_cat" in _run("persona", "list")


def test_export_png_then_import_under_another_id(library: Path, tmp_path: Path) -> None:
    out = tmp_path / "flux.png"
    _run(
        "persona",
        "export",
        "flux_the_cat",
        "--format",
        "png",
        "--out",
        str(out),
        "--library",
        str(library),
    )
    exported = read_card(out).persona
    stored = PersonaLibrary(library).load("flux_the_cat")
    assert exported.model_dump(exclude={"card"}) == stored.model_dump(exclude={"card"})
    _run("persona", "import", str(out), "--id", "flux2", "--library", str(library))
    assert PersonaLibrary(library).load("flux2").name == "Flux the Cat"


@pytest.mark.parametrize("card_format", ["v2", "v3"])
def test_export_json(library: Path, tmp_path: Path, card_format: str) -> None:
    out = tmp_path / "card.json"
    _run(
        "persona", "export", "coding_sensei", "-f", card_format, "-o", str(out), "-L", str(library)
    )
    assert json.loads(out.read_text())["spec"] == f"chara_card_{card_format}"


def test_a_bad_card_fails_with_its_name_and_imports_nothing(
    library: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "broken.png"
    bad.write_bytes(b"\x89PNG\r\n\x1a\n garbage")
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"name": "Fresh Face"}))
    error = _fail(capsys, "persona", "import", str(good), str(bad), "--library", str(library))
    assert "broken.png" in error
    assert "damaged PNG" in error
    assert PersonaLibrary(library).ids() == ["coding_sensei", "flux_the_cat"]


def test_reimporting_an_existing_persona_needs_force(
    library: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    error = _fail(capsys, "persona", "import", str(FIXTURE_CARDS[0]), "--library", str(library))
    assert "--force" in error
    _run("persona", "import", str(FIXTURE_CARDS[0]), "--force", "--library", str(library))


def test_compile_caches_until_the_persona_changes(library: Path) -> None:
    first = runner.invoke(app, ["persona", "compile", "coding_sensei", "-L", str(library)])
    assert first.exit_code == 0
    assert "compiled: coding_sensei@neuro" in first.stderr
    assert "You are Coding Sensei." in first.stdout
    assert "llm: temperature 0.7" in first.stdout
    second = runner.invoke(app, ["persona", "compile", "coding_sensei", "-L", str(library)])
    assert "unchanged, from cache" in second.stderr
    assert second.stdout == first.stdout
    path = library / "coding_sensei.yaml"
    path.write_text(path.read_text().replace("name: Coding Sensei", "name: Code Master"))
    third = runner.invoke(app, ["persona", "compile", "coding_sensei", "-L", str(library)])
    assert "compiled:" in third.stderr
    assert "You are Code Master." in third.stdout


def test_compile_json_with_a_context_type(library: Path) -> None:
    compiled = json.loads(
        _run(
            "persona",
            "compile",
            "flux_the_cat",
            "--context",
            "casual",
            "--user",
            "Sam",
            "--json",
            "-L",
            str(library),
        )
    )
    assert compiled["context_type"] == "casual"
    assert "Sam" in compiled["system_prompt"]


def test_route_picks_and_remembers_the_sticky_persona(library: Path) -> None:
    first = json.loads(
        _run(
            "route",
            "Coding Sensei, help!",
            "--channel",
            "dev",
            "--now",
            "100",
            "--json",
            "-L",
            str(library),
        )
    )
    assert first["persona"] == "coding_sensei"
    assert not first["sticky"]
    again = json.loads(
        _run("route", "and now?", "--channel", "dev", "--now", "150", "--json", "-L", str(library))
    )
    assert again["persona"] == "coding_sensei"
    assert again["sticky"]
    later = json.loads(
        _run("route", "and now?", "--channel", "dev", "--now", "500", "--json", "-L", str(library))
    )
    assert later["persona"] == "coding_sensei"
    assert not later["sticky"]
    assert "active participant" in " ".join(later["reasons"])


def test_route_with_nobody_matching(library: Path) -> None:
    out = _run("route", "the weather", "--channel", "x", "--now", "1", "-L", str(library))
    assert "nobody answers" in out


def test_lore_show_and_scan() -> None:
    assert "eldoria" in _run("lore", "show", str(ELDORIA))
    result = json.loads(
        _run("lore", "scan", str(ELDORIA), "-m", "hello", "-m", "tell me of the glade", "--json")
    )
    assert [item["reason"] for item in result["activated"]] == ["key 'glade'"]


WIZARD_TEMPLATE = (
    "\n".join(
        [
            "Mara Brightwater",
            "",
            "Keeps the Prancing Pony.",
            "4",  # basic info
            "template",
            "innkeeper",
            "y",
            "superstitious",
            "80",
            "fears omens",
            "cross a graveyard",
            "-70",
            "n",  # personality
            "y",
            "slow",  # memory
            "caring",
            "gossip=90, ale=70",
            "politics",
            "",
            "0.8",  # behaviour
            "n",
            "n",
            "y",  # privacy
            "y",  # review
        ]
    )
    + "\n"
)


def test_the_wizard_writes_a_persona_from_piped_answers(tmp_path: Path) -> None:
    out = _run("persona", "new", "-L", str(tmp_path), stdin=WIZARD_TEMPLATE)
    assert "Step 6/6: review" in out
    assert "created mara_brightwater" in out
    persona = PersonaLibrary(tmp_path).load("mara_brightwater")
    assert persona.framework == "caring"
    assert persona.status == 4
    assert persona.topics == {"gossip": 90, "ale": 70}
    assert persona.profile.topic_avoidances == ["politics"]
    assert persona.custom_traits[0].influences[0].impact == -70
    assert persona.memory.decay == "slow"
    assert persona.big_five.extraversion == 85


def test_the_wizard_runs_the_quiz_and_writes_nothing_when_declined(tmp_path: Path) -> None:
    answers = [
        "Quizzy",
        "",
        "",
        "5",
        "quiz",
        *["a"] * 8,
        "n",
        "y",
        "normal",
        "neuro",
        "",
        "",
        "",
        "0.7",
        "n",
        "n",
        "y",
        "n",
    ]
    out = _run("persona", "new", "-L", str(tmp_path), stdin="\n".join(answers) + "\n")
    assert "Q8." in out
    assert "nothing written" in out
    assert PersonaLibrary(tmp_path).ids() == []


def test_the_wizard_re_asks_after_an_invalid_answer(tmp_path: Path) -> None:
    answers = [
        "Rando",
        "",
        "",
        "11",
        "5",
        "random",
        "n",
        "y",
        "normal",
        "chaotic",
        "",
        "",
        "",
        "0.7",
        "n",
        "n",
        "y",
        "y",
    ]
    out = _run(
        "persona", "new", "--seed", "3", "-L", str(tmp_path), stdin="\n".join(answers) + "\n"
    )
    assert "11 is not in the range" in out
    assert PersonaLibrary(tmp_path).load("rando").framework == "chaotic"
