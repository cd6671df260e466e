from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from personae.cards.exporter import export_card
from personae.cards.importer import decode_card, read_card
from personae.cards.limits import CardLimits
from personae.domain.profile import CardRecord
from personae.errors import InputError
from tests.cards.builders import FIXTURE_CARDS, b64, png_with_chunks, tiny_png, v2_card, v3_card


def _json(card: Any) -> bytes:
    return json.dumps(card).encode("utf-8")


@pytest.mark.parametrize("path", FIXTURE_CARDS, ids=lambda p: p.name)
def test_fixture_cards_import_with_their_image(path: Path) -> None:
    imported = read_card(path)
    assert imported.source_format == "png"
    assert imported.persona.name in {"Coding Sensei", "Flux the Cat"}
    assert imported.image is not None
    assert imported.image.startswith(b"\x89PNG")
    assert imported.warnings == []


def test_coding_sensei_maps_card_fields_onto_the_persona() -> None:
    persona = read_card(next(p for p in FIXTURE_CARDS if "Coding" in p.name)).persona
    assert persona.id == "coding_sensei"
    assert persona.profile.tags == ["coding", "utility", "assistant"]
    assert persona.profile.creator == "RossAscends"
    assert persona.profile.version == "v1.010102"
    assert persona.profile.greeting.startswith('"Hello world!"')
    assert persona.extensions["depth_prompt"] == {"prompt": "", "depth": 4, "role": "system"}
    assert persona.card is not None
    assert persona.card.top_level_extra["fav"] is False


def test_v1_card_imports_from_top_level_fields() -> None:
    card = {
        "name": "Old Tom",
        "description": "A ferryman.",
        "personality": "gruff",
        "scenario": "",
        "first_mes": "Fare's two coins.",
        "mes_example": "",
        "creatorcomment": "classic",
        "talkativeness": "0.4",
    }
    persona = decode_card(_json(card), "tom.json").persona
    assert (persona.name, persona.profile.greeting) == ("Old Tom", "Fare's two coins.")
    assert persona.profile.creator_notes == "classic"
    assert persona.card == CardRecord(
        spec="chara_card_v1", spec_version="1.0", top_level_extra={"talkativeness": "0.4"}
    )


def test_v3_fields_import() -> None:
    card = v3_card(
        nickname="Ari",
        source=["https://example.org/aria"],
        group_only_greetings=["Hi all"],
        creation_date=1700000000,
        creator_notes_multilingual={"fr": "une barde"},
        assets=[{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}],
    )
    profile = decode_card(_json(card), "aria.json").persona.profile
    assert profile.nickname == "Ari"
    assert profile.group_only_greetings == ["Hi all"]
    assert profile.creation_date == 1700000000
    assert profile.creator_notes_multilingual == {"fr": "une barde"}
    assert profile.assets[0]["uri"] == "ccdefault:"


def test_hybrid_card_takes_data_over_stale_top_level_fields() -> None:
    card = v2_card(description="new text")
    card.update(name="Aria", description="stale text", chat="Aria - 2023")
    persona = decode_card(_json(card), "aria.json").persona
    assert persona.description == "new text"
    assert persona.card is not None
    assert persona.card.top_level_extra == {"chat": "Aria - 2023"}


def test_real_world_oddities_import_cleanly() -> None:
    card = v2_card(
        tags="fantasy, bard",
        character_version=2,
        alternate_greetings=None,
        creation_date="2023-4-8 @14h 12m 43s 738ms",
        modification_date="1700000000000",
        character_book={
            "entries": [
                {"keys": "song, lute", "content": "Lore", "insertion_order": "5", "enabled": "true"}
            ]
        },
    )
    del card["data"]["scenario"], card["data"]["mes_example"]
    persona = decode_card(_json(card), "aria.json").persona
    assert persona.profile.tags == ["fantasy", "bard"]
    assert persona.profile.version == "2"
    assert persona.profile.creation_date == 1680963163
    assert persona.profile.modification_date == 1700000000
    assert persona.lorebook is not None
    entry = persona.lorebook.entries[0]
    assert (entry.keys, entry.insertion_order, entry.enabled) == (["song", "lute"], 5, True)


def test_unreadable_date_is_kept_verbatim_with_a_warning() -> None:
    decoded = decode_card(_json(v3_card(creation_date="last tuesday")), "aria.json")
    assert decoded.persona.profile.creation_date is None
    assert decoded.persona.card is not None
    assert decoded.persona.card.data_extra["creation_date"] == "last tuesday"
    assert "not a date" in decoded.warnings[0]


@pytest.mark.parametrize("chunk_type", ["tEXt", "zTXt", "iTXt"])
@pytest.mark.parametrize("keyword", ["chara", "Chara", "CCV3"])
def test_png_card_is_found_in_any_text_chunk_with_either_keyword(
    chunk_type: str, keyword: str
) -> None:
    data = png_with_chunks([(chunk_type, keyword, b64(v2_card("Zed")))])
    assert decode_card(data, "zed.png").persona.name == "Zed"


def test_png_prefers_ccv3_over_chara() -> None:
    data = png_with_chunks(
        [("tEXt", "chara", b64(v2_card("Old"))), ("tEXt", "ccv3", b64(v3_card("New")))]
    )
    assert decode_card(data, "card.png").persona.name == "New"


def test_png_falls_back_to_chara_when_ccv3_is_broken_and_says_so() -> None:
    data = png_with_chunks(
        [("tEXt", "ccv3", "%%%not base64%%%"), ("tEXt", "chara", b64(v2_card("Old")))]
    )
    imported = decode_card(data, "card.png")
    assert imported.persona.name == "Old"
    assert "'ccv3' chunk cannot be read" in imported.warnings[0]


def test_png_with_raw_json_in_the_chunk_imports() -> None:
    data = png_with_chunks([("iTXt", "chara", json.dumps(v2_card("Raw")))])
    assert decode_card(data, "raw.png").persona.name == "Raw"


def test_png_image_keeps_its_image_chunks_and_loses_the_card_chunks() -> None:
    data = png_with_chunks([("tEXt", "chara", b64(v2_card()))])
    assert decode_card(data, "card.png").image == tiny_png()


def _charx(files: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return out.getvalue()


def test_charx_imports_the_card_and_its_main_icon() -> None:
    card = v3_card(
        assets=[
            {
                "type": "icon",
                "uri": "embeded://assets/icon/images/main.png",
                "name": "main",
                "ext": "png",
            }
        ]
    )
    data = _charx({"card.json": _json(card), "assets/icon/images/main.png": tiny_png()})
    imported = decode_card(data, "aria.charx")
    assert (imported.source_format, imported.persona.name) == ("charx", "Aria")
    assert imported.image == tiny_png()


def test_charx_without_card_json_is_refused() -> None:
    with pytest.raises(InputError, match=r"aria\.charx: .*no card\.json"):
        decode_card(_charx({"readme.txt": b"hi"}), "aria.charx")


BAD_CARDS: list[tuple[str, bytes, str]] = [
    ("not a card", b"GIF89a\x01\x00", "not a character card"),
    ("empty", b"", "empty"),
    ("png without chunk", tiny_png(), "no character card"),
    ("bad base64", png_with_chunks([("tEXt", "chara", "@@@@")]), "not valid base64"),
    ("bad json in png", png_with_chunks([("tEXt", "chara", "eyJuYW1lIjo=")]), "not valid JSON"),
    ("bad json", b'{"name": ', "not valid JSON"),
    ("json list", b"[1, 2]", "not a character card"),
    ("wrong type", _json(v2_card(tags={"a": 1})), "field data.tags: expected a list"),
    ("name is a list", _json(v2_card(name=["x"])), "field data.name: expected text"),
    ("no name", _json(v2_card(name="  ")), "has no name"),
    ("path-like name", _json(v2_card(name="../../etc/passwd")), "looks like a file path"),
    ("backslash name", _json(v2_card(name="C:\\evil")), "looks like a file path"),
    ("control chars", _json(v2_card(name="a\x00b")), "control characters"),
    ("lorebook", _json({"spec": "lorebook_v3", "data": {"entries": []}}), "lorebook"),
    (
        "bad personae extension",
        _json(v2_card(extensions={"personae": {"status": 99}})),
        "data.extensions.personae.status",
    ),
    (
        "bad selective logic",
        _json(
            v2_card(
                character_book={
                    "entries": [{"keys": ["a"], "content": "", "extensions": {"selectiveLogic": 9}}]
                }
            )
        ),
        "expected 0-3",
    ),
    ("NaN", b'{"spec": "chara_card_v2", "data": {"name": NaN}}', "NaN"),
    ("deep nesting", b'{"name": "x", "extensions": ' + b"[" * 5000 + b"]" * 5000 + b"}", "nested"),
]


@pytest.mark.parametrize(("label", "data", "problem"), BAD_CARDS, ids=[c[0] for c in BAD_CARDS])
def test_bad_cards_raise_an_input_error_naming_file_and_problem(
    label: str, data: bytes, problem: str
) -> None:
    with pytest.raises(InputError) as raised:
        decode_card(data, "bad-card.png")
    assert str(raised.value).startswith("bad-card.png: ")
    assert problem in str(raised.value)


def test_oversized_payload_is_refused() -> None:
    limits = CardLimits(payload_bytes=1000)
    data = png_with_chunks([("tEXt", "chara", b64(v2_card(description="x" * 5000)))])
    with pytest.raises(InputError, match="is refused"):
        decode_card(data, "big.png", limits)


def test_oversized_file_is_refused_before_reading(tmp_path: Path) -> None:
    path = tmp_path / "big.json"
    path.write_bytes(_json(v2_card(description="x" * 5000)))
    with pytest.raises(InputError, match=r"big\.json: the file has \d+ bytes"):
        read_card(path, CardLimits(file_bytes=1000))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_card(tmp_path / "nope.png")


@pytest.mark.parametrize(
    ("name", "expected"),
    [("Zoë Quinn", "zoe_quinn"), ("CON", "con_persona"), ("Persona", "persona")],
)
def test_ids_from_names_are_file_name_safe(name: str, expected: str) -> None:
    assert decode_card(_json(v2_card(name)), "x.json").persona.id == expected


def test_names_without_latin_letters_get_distinct_ids() -> None:
    first = decode_card(_json(v2_card("ユキ")), "x.json").persona.id
    second = decode_card(_json(v2_card("ハル")), "x.json").persona.id
    assert first != second
    assert first.startswith("persona_")


def test_a_date_too_large_even_in_milliseconds_is_kept_verbatim_and_round_trips() -> None:
    # Read as milliseconds it is still beyond any Unix time in seconds: exported in seconds, it
    # would read back as milliseconds (found by the round-trip fuzz test).
    decoded = decode_card(_json(v3_card(creation_date="100000000000001")), "aria.json")
    assert decoded.persona.profile.creation_date is None
    assert decoded.persona.card is not None
    assert decoded.persona.card.data_extra["creation_date"] == "100000000000001"
    again = decode_card(export_card(decoded.persona, "v3"), "again.json").persona
    assert again.model_dump(exclude={"card"}) == decoded.persona.model_dump(exclude={"card"})
