from __future__ import annotations

from pathlib import Path

import pytest

from personae.domain import Priority
from personae.errors import InputError, UnknownPersonaError
from personae.files import load_persona_file

EXAMPLES = Path(__file__).parents[2] / "examples" / "personas.yaml"

GOOD = """\
personas:
  - id: king
    name: King Aldric
    charisma: 16
    state: {current_priority: urgent, available_time_s: 60}
  - name: Farmer Tom
    topics: {grain_prices: 90}
relationships:
  - between: [king, farmer_tom]
    affinity: 10
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "personas.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_shipped_examples_load() -> None:
    loaded = load_persona_file(EXAMPLES)
    ids = {p.id for p in loaded.personas}
    assert {"king_at_war", "tavern_keeper", "merchant", "noble", "farmer"} <= ids
    assert loaded.persona("king_at_war").state.current_priority is Priority.URGENT


def test_ids_default_to_a_slug_of_the_name(tmp_path: Path) -> None:
    loaded = load_persona_file(write(tmp_path, GOOD))
    assert loaded.persona("farmer_tom").name == "Farmer Tom"
    assert loaded.relationship_book().affinity("farmer_tom", "king") == 10


def test_an_unknown_persona_id_is_named(tmp_path: Path) -> None:
    loaded = load_persona_file(write(tmp_path, GOOD))
    with pytest.raises(UnknownPersonaError, match=r"'queen'.*known: king, farmer_tom"):
        loaded.persona("queen")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            GOOD.replace("charisma: 16", "charisma: 25"),
            r"personas\.yaml:4: persona 'king', field 'charisma': .*less than or equal to 18.*\(got 25\)",
        ),
        (
            GOOD.replace("urgent", "panicky"),
            r"personas\.yaml:5: persona 'king', field 'state.current_priority': .*'urgent'.*\(got 'panicky'\)",
        ),
        (
            GOOD.replace("    name: King Aldric\n", ""),
            r"personas\.yaml:2: persona 'king', field 'name': Field required",
        ),
        (
            GOOD.replace("{grain_prices: 90}", "{grain_prices: 190}"),
            r"yaml:7: persona 'farmer_tom', field 'topics': interest in topic 'grain_prices' must be 0-100",
        ),
        (
            GOOD.replace("charisma: 16", "charisma: 16\n    charm: 3"),
            r"personas\.yaml:5: persona 'king', field 'charm': Extra inputs are not permitted",
        ),
        (
            GOOD.replace("affinity: 10", "affinity: 300"),
            r"personas\.yaml:10: relationship #1, field 'affinity'",
        ),
        (
            GOOD.replace("[king, farmer_tom]", "[king, queen]"),
            r"relationship names unknown persona 'queen'",
        ),
        (
            GOOD + "rule_sets: [space_opera]\n",
            r"unknown rule set 'space_opera'; known: college_party",
        ),
        (
            GOOD + "settings: {score: {continue_threshold: high}}\n",
            r"personas\.yaml:11: field 'settings.score.continue_threshold'",
        ),
        (
            GOOD + "conversation:\n  quality: {rehash_share: 1.5}\n",
            r"personas\.yaml:12: field 'conversation.quality.rehash_share': .*less than or "
            r"equal to 1",
        ),
        (
            GOOD + "conversation: {window_size: 8}\n",
            r"personas\.yaml:11: field 'conversation.window_size': Extra inputs",
        ),
        ("personas: [\n  {name: x\n", r"personas\.yaml:3: not valid YAML"),
        ("- just\n- a list\n", r"a persona file is a mapping: a 'personas:' list or one persona"),
        ("personas: []\n", r"field 'personas': List should have at least 1 item"),
    ],
)
def test_bad_files_get_one_clear_line_naming_file_line_persona_and_field(
    tmp_path: Path, text: str, expected: str
) -> None:
    with pytest.raises(InputError, match=expected) as raised:
        load_persona_file(write(tmp_path, text))
    assert "\n" not in str(raised.value)


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"nothing\.yaml: no such file"):
        load_persona_file(tmp_path / "nothing.yaml")


def test_duplicate_ids_are_refused(tmp_path: Path) -> None:
    twice = GOOD.replace("  - name: Farmer Tom", "  - name: Farmer Tom\n    id: king")
    with pytest.raises(InputError, match="persona id 'king' is defined twice"):
        load_persona_file(write(tmp_path, twice))


def test_the_conversation_engine_is_tuned_under_conversation(tmp_path: Path) -> None:
    tuned = load_persona_file(
        write(
            tmp_path,
            GOOD + "conversation:\n  dry_after_rejected_lines: 0\n  quality: {min_words: 2}\n",
        )
    )
    assert tuned.conversation.dry_after_rejected_lines == 0
    assert tuned.conversation.quality.min_words == 2
    assert tuned.conversation.quality.rehash_share == 0.6  # the rest keep their defaults
    assert load_persona_file(write(tmp_path, GOOD)).conversation.dry_after_rejected_lines == 3
