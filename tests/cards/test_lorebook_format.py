from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from personae.cards.lore_scan import activate
from personae.cards.lorebook_file import lorebook_from_json, read_lorebook
from personae.cards.lorebook_format import book_from_card, book_to_card, lorebook_v3_json
from personae.domain.lorebook import LorePosition, SelectiveLogic
from personae.errors import InputError
from tests.cards.builders import ELDORIA


def test_sillytavern_world_info_fixture_loads_every_entry() -> None:
    book = read_lorebook(ELDORIA)
    assert [entry.id for entry in book.entries] == [0, 1, 2, 3]
    assert book.entries[0].keys == ["eldoria", "wood", "forest", "magical forest"]
    assert all(entry.enabled and entry.insertion_order == 100 for entry in book.entries)


def test_world_info_fixture_activates_on_its_keys() -> None:
    book = read_lorebook(ELDORIA)
    result = activate(book, ["Are there monsters in the forest?"], random.Random(0))
    assert [item.entry.id for item in result.entries] == [0, 1]


def test_world_info_fields_map_onto_the_entry() -> None:
    raw = {
        "entries": {
            "7": {
                "uid": 7,
                "key": ["a"],
                "keysecondary": ["b"],
                "content": "c",
                "selective": True,
                "selectiveLogic": 3,
                "order": 5,
                "position": 1,
                "disable": True,
                "probability": 30,
                "useProbability": True,
                "caseSensitive": True,
                "matchWholeWords": False,
                "scanDepth": 4,
                "excludeRecursion": True,
                "preventRecursion": True,
                "group": "g",
                "displayIndex": 2,
            }
        }
    }
    entry = lorebook_from_json(raw).entries[0]
    assert entry.selective_logic is SelectiveLogic.AND_ALL
    assert entry.position is LorePosition.AFTER_CHAR
    assert (entry.enabled, entry.probability, entry.scan_depth) == (False, 30, 4)
    assert (entry.case_sensitive, entry.match_whole_words) == (True, False)
    assert entry.exclude_recursion
    assert entry.prevent_recursion
    assert entry.extra == {"group": "g", "displayIndex": 2}


def test_use_probability_off_means_always() -> None:
    raw = {
        "entries": {"1": {"key": ["a"], "content": "x", "probability": 10, "useProbability": False}}
    }
    assert lorebook_from_json(raw).entries[0].probability == 100


def test_character_book_round_trips_including_sillytavern_extensions() -> None:
    raw = {
        "name": "Book",
        "scan_depth": 4,
        "token_budget": 300,
        "recursive_scanning": False,
        "extensions": {"k": 1},
        "future": "kept",
        "entries": [
            {
                "keys": ["a"],
                "content": "x",
                "enabled": True,
                "insertion_order": 3,
                "secondary_keys": ["b"],
                "selective": True,
                "position": "after_char",
                "id": 4,
                "comment": "note",
                "unknown_field": [1],
                "extensions": {
                    "selectiveLogic": 1,
                    "probability": 25,
                    "match_whole_words": True,
                    "exclude_recursion": True,
                    "group": "g",
                    "position": 4,
                },
            }
        ],
    }
    book = book_from_card(raw, "book")
    entry = book.entries[0]
    assert entry.selective_logic is SelectiveLogic.NOT_ALL
    assert (entry.probability, entry.match_whole_words) == (25, True)
    assert entry.position is LorePosition.AFTER_CHAR
    assert entry.extensions == {"group": "g", "position": 4}
    assert entry.extra == {"unknown_field": [1]}
    assert book.extra == {"future": "kept"}
    for v3 in (False, True):
        assert book_from_card(book_to_card(book, v3=v3), "book") == book


def test_sillytavern_numeric_position_wins_over_the_spec_field() -> None:
    raw = {
        "entries": [
            {
                "keys": ["a"],
                "content": "x",
                "position": "before_char",
                "extensions": {"position": 1},
            }
        ]
    }
    assert book_from_card(raw, "b").entries[0].position is LorePosition.AFTER_CHAR


def test_lorebook_v3_file_round_trips(tmp_path: Path) -> None:
    book = read_lorebook(ELDORIA)
    path = tmp_path / "book.json"
    path.write_text(json.dumps(lorebook_v3_json(book)))
    again = read_lorebook(path)
    assert [e.model_dump(exclude={"extra"}) for e in again.entries] == [
        e.model_dump(exclude={"extra"}) for e in book.entries
    ]


def test_a_card_file_can_be_read_for_its_lorebook() -> None:
    card = {
        "spec": "chara_card_v2",
        "data": {"name": "x", "character_book": {"entries": [{"keys": ["k"], "content": "c"}]}},
    }
    assert lorebook_from_json(card).entries[0].keys == ["k"]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("[]", "a lorebook is a JSON object"),
        ('{"a": 1}', "not a lorebook"),
        ('{"entries": {"0": {"key": 5}}}', "entries.0.key: expected a list"),
        ("{", "not valid JSON"),
    ],
)
def test_bad_lorebooks_name_file_and_problem(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.json"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        read_lorebook(path)
    assert str(raised.value).startswith(f"{path}: ")
    assert problem in str(raised.value)
