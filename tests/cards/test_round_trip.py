"""import -> export -> import gives the same persona, for every fixture card and every format."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from personae.cards.exporter import export_card
from personae.cards.importer import decode_card, read_card
from personae.cards.png_chunks import read_chunks
from personae.domain.lorebook import Lorebook, LoreEntry, LorePosition, SelectiveLogic
from personae.domain.persona import BigFive, Persona
from personae.domain.profile import AITraits, CustomTrait, Profile, TraitInfluence, VoiceSettings
from personae.errors import InputError
from personae.files.persona_library import PersonaLibrary
from tests.cards.builders import FIXTURE_CARDS, v2_card

FORMATS = ["v2", "v3", "png"]


def _same_except_spec(first: Persona, second: Persona) -> bool:
    assert first.card is not None
    assert second.card is not None
    strip = {"card": {"spec", "spec_version"}}
    return bool(first.model_dump(exclude=strip) == second.model_dump(exclude=strip))


@pytest.mark.parametrize("path", FIXTURE_CARDS, ids=lambda p: p.name)
@pytest.mark.parametrize("card_format", FORMATS)
def test_fixture_card_round_trips_without_loss(path: Path, card_format: str) -> None:
    first = read_card(path)
    exported = export_card(first.persona, card_format, first.image)  # type: ignore[arg-type]
    second = decode_card(exported, f"exported.{card_format}")
    assert _same_except_spec(first.persona, second.persona)
    third = decode_card(export_card(second.persona, card_format, second.image), "again")  # type: ignore[arg-type]
    assert third.persona == second.persona


@pytest.mark.parametrize("path", FIXTURE_CARDS, ids=lambda p: p.name)
def test_png_export_keeps_the_image_and_writes_both_card_chunks(path: Path) -> None:
    original = read_chunks(path.read_bytes())
    imported = read_card(path)
    exported = read_chunks(export_card(imported.persona, "png", imported.image))
    image_chunks = [c for c in original if c[0] not in (b"tEXt", b"zTXt", b"iTXt")]
    assert [c for c in exported if c[0] not in (b"tEXt",)] == image_chunks
    keywords = {body.partition(b"\0")[0] for kind, body in exported if kind == b"tEXt"}
    assert keywords == {b"chara", b"ccv3"}


@pytest.mark.parametrize("path", FIXTURE_CARDS, ids=lambda p: p.name)
def test_fixture_card_survives_the_library(path: Path, tmp_path: Path) -> None:
    imported = read_card(path)
    library = PersonaLibrary(tmp_path)
    library.save(imported.persona, imported.image)
    assert library.load(imported.persona.id) == imported.persona
    assert library.image(imported.persona.id) == imported.image


def test_unknown_extension_keys_are_never_dropped() -> None:
    extensions = {
        "agnai/voice": {"pitch": 1.2},
        "talkativeness": "0.5",
        "depth_prompt": None,
        "nested": {"a": [1, {"b": True}]},
    }
    card = v2_card(extensions=extensions, future_field={"x": 1})
    card["top_level_custom"] = 42
    first = decode_card(json.dumps(card).encode(), "in.json").persona
    for card_format in FORMATS:
        again = json.loads(export_card(first, "v2").decode()) if card_format != "png" else None
        if again is not None:
            assert again["data"]["extensions"]["agnai/voice"] == {"pitch": 1.2}
            assert again["data"]["future_field"] == {"x": 1}
            assert again["top_level_custom"] == 42
        second = decode_card(export_card(first, card_format), "out").persona  # type: ignore[arg-type]
        assert second.extensions == extensions


def _full_persona() -> Persona:
    book = Lorebook(
        name="World",
        scan_depth=3,
        token_budget=500,
        recursive_scanning=True,
        extensions={"x": 1},
        extra={"unknown_book_field": "kept"},
        entries=[
            LoreEntry(
                keys=["dragon", "/wyrm/i"],
                secondary_keys=["fire"],
                content="Dragons nest in the peaks.",
                selective=True,
                selective_logic=SelectiveLogic.NOT_ANY,
                probability=40,
                case_sensitive=True,
                match_whole_words=True,
                use_regex=False,
                insertion_order=7,
                priority=3,
                scan_depth=5,
                exclude_recursion=True,
                prevent_recursion=True,
                position=LorePosition.AFTER_CHAR,
                name="dragons",
                comment="c",
                id=12,
                extensions={"group": "beasts"},
                extra={"display_index": 4},
            )
        ],
    )
    return Persona(
        id="aria_the_bard",
        name="Aria",
        description="A bard.",
        status=3,
        charisma=16,
        intelligence=70,
        big_five=BigFive(openness=90, extraversion=85),
        ai_traits=AITraits(creativity=92, humor=80),
        custom_traits=[
            CustomTrait(
                name="superstitious",
                value=80,
                description="knocks on wood",
                influences=[TraitInfluence(behavior="avoid cats", impact=70, context="at night")],
            )
        ],
        topics={"music": 95, "gossip": 60},
        framework="chaotic",
        profile=Profile(
            personality="bright",
            scenario="a tavern",
            greeting="Hi {{user}}",
            alternate_greetings=["Yo"],
            group_only_greetings=["Hi all"],
            example_messages="<START>",
            creator_notes="notes",
            creator_notes_multilingual={"de": "Notizen"},
            system_prompt="{{original}}",
            post_history_instructions="stay brief",
            nickname="Ari",
            tags=["bard"],
            creator="me",
            version="1.2",
            source=["https://example.org"],
            assets=[{"type": "icon", "uri": "ccdefault:", "name": "main", "ext": "png"}],
            creation_date=1700000000,
            modification_date=1700000100,
            quirks=["hums"],
            knowledge_domains=["songs"],
            topic_avoidances=["debt"],
            voice=VoiceSettings(temperature=0.9, max_tokens=300, style="sing-song"),
        ),
        lorebook=book,
        extensions={"other_app": {"keep": True}},
    )


@pytest.mark.parametrize("card_format", FORMATS)
def test_every_personae_field_travels_in_the_card(card_format: str) -> None:
    persona = _full_persona()
    first = decode_card(export_card(persona, card_format), "a").persona  # type: ignore[arg-type]
    assert first.model_dump(exclude={"card"}) == persona.model_dump(exclude={"card"})


def test_exported_card_keeps_personae_fields_under_extensions_personae() -> None:
    card = json.loads(export_card(_full_persona(), "v3"))
    own = card["data"]["extensions"]["personae"]
    assert own["id"] == "aria_the_bard"
    assert own["framework"] == "chaotic"
    assert own["big_five"]["openness"] == 90
    assert card["spec"] == "chara_card_v3"
    assert card["data"]["nickname"] == "Ari"
    entry = card["data"]["character_book"]["entries"][0]
    assert entry["extensions"]["selectiveLogic"] == 2
    assert entry["extensions"]["probability"] == 40


def test_a_persona_marked_not_exportable_is_refused() -> None:
    persona = Persona(id="secret", name="Secret")
    hidden = persona.model_copy(
        update={"privacy": persona.privacy.model_copy(update={"exportable": False})}
    )
    with pytest.raises(InputError, match="not exportable"):
        export_card(hidden, "v2")
