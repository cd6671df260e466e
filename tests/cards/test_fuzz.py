"""Fuzzing: no card bytes or JSON make the importer fail with anything but an `InputError`, and
whatever imports survives export and re-import unchanged."""

from __future__ import annotations

import json
import random
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from personae.cards.coerce import CardFieldError
from personae.cards.exporter import export_card
from personae.cards.importer import CardProblem, decode_card
from personae.cards.lore_scan import LoreSettings, activate
from personae.cards.lorebook_file import lorebook_from_json
from personae.domain.persona import Persona
from personae.errors import InputError
from personae.files.persona_library import persona_yaml
from tests.cards.builders import b64, png_with_chunks, tiny_png

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
ROUND_TRIP_FUZZ = settings(FUZZ, max_examples=60)  # each example exports three cards

scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**60), 2**60)
    | st.text(max_size=30)
    | st.floats(allow_nan=False, allow_infinity=False)
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=12,
)
CARD_FIELDS = [
    "name",
    "description",
    "personality",
    "scenario",
    "first_mes",
    "mes_example",
    "creator_notes",
    "system_prompt",
    "post_history_instructions",
    "alternate_greetings",
    "tags",
    "creator",
    "character_version",
    "extensions",
    "character_book",
    "nickname",
    "source",
    "assets",
    "group_only_greetings",
    "creation_date",
    "modification_date",
    "creator_notes_multilingual",
]
ENTRY_FIELDS = [
    "keys",
    "secondary_keys",
    "content",
    "enabled",
    "insertion_order",
    "constant",
    "selective",
    "position",
    "use_regex",
    "case_sensitive",
    "priority",
    "id",
    "extensions",
    "name",
    "comment",
]
names = st.text(
    st.characters(categories=["L", "N", "Zs", "P"], exclude_characters="/\\"),
    min_size=1,
    max_size=20,
).filter(lambda name: bool(name.strip()) and name not in {".", ".."})  # path-like: refused
texts = st.text(max_size=40)
text_lists = st.lists(texts, max_size=3)
good_entries = st.fixed_dictionaries(
    {"keys": text_lists, "content": texts},
    optional={
        "secondary_keys": text_lists,
        "enabled": st.booleans(),
        "constant": st.booleans(),
        "selective": st.booleans(),
        "insertion_order": st.integers(-5, 500),
        "position": st.sampled_from(["before_char", "after_char"]),
        "use_regex": st.booleans(),
        "case_sensitive": st.booleans(),
        "extensions": st.dictionaries(
            st.sampled_from(["probability", "selectiveLogic", "match_whole_words", "group"]),
            st.integers(0, 1),
            max_size=3,
        ),
        "unknown": json_values,
    },
)
good_cards = st.fixed_dictionaries(
    {
        "spec": st.sampled_from(["chara_card_v2", "chara_card_v3"]),
        "data": st.fixed_dictionaries(
            {"name": names},
            optional={
                **{
                    field: texts
                    for field in (
                        "description",
                        "personality",
                        "scenario",
                        "first_mes",
                        "mes_example",
                        "creator_notes",
                        "system_prompt",
                        "nickname",
                        "creator",
                    )
                },
                "tags": text_lists | texts,
                "alternate_greetings": text_lists,
                "extensions": st.dictionaries(texts, json_values, max_size=4),
                "character_book": st.fixed_dictionaries(
                    {"entries": st.lists(good_entries, max_size=3)}
                ),
                "creation_date": st.integers(0, 2**40) | texts,
                "future_field": json_values,
            },
        ),
    },
    optional={"extra_top": json_values},
)
entries = st.dictionaries(
    st.sampled_from(ENTRY_FIELDS) | st.text(max_size=6), json_values, max_size=8
)
books = st.fixed_dictionaries(
    {"entries": st.lists(entries, max_size=3)},
    optional={
        "scan_depth": json_values,
        "token_budget": json_values,
        "recursive_scanning": json_values,
    },
)
data = st.fixed_dictionaries(
    {"name": names | json_values},
    optional={
        **{field: json_values for field in CARD_FIELDS if field != "name"},
        "character_book": books | json_values,
    },
)
cards = st.fixed_dictionaries(
    {"data": data},
    optional={
        "spec": st.sampled_from(["chara_card_v2", "chara_card_v3", "chara_card_v9", ""]),
        "spec_version": json_values,
        "extra_top": json_values,
    },
)


def _import(data_bytes: bytes) -> Persona | None:
    try:
        return decode_card(data_bytes, "fuzz").persona
    except InputError as error:
        message = str(error)
    assert message.startswith("fuzz: ")  # the error names the file
    return None


def _assert_round_trips(persona: Persona) -> None:
    for card_format in ("v2", "v3", "png"):
        again = decode_card(export_card(persona, card_format), "again").persona  # type: ignore[arg-type]
        assert again.model_dump(exclude={"card"}) == persona.model_dump(exclude={"card"})
    stored = Persona.model_validate(yaml.safe_load(persona_yaml(persona)))
    assert stored == persona


@FUZZ
@given(st.binary(max_size=400))
def test_arbitrary_bytes_import_or_raise_input_error(blob: bytes) -> None:
    _import(blob)


@FUZZ
@given(st.binary(max_size=200), st.integers(0, 400))
def test_damaged_pngs_import_or_raise_input_error(noise: bytes, at: int) -> None:
    card = png_with_chunks(
        [("tEXt", "chara", b64({"spec": "chara_card_v2", "data": {"name": "x"}}))]
    )
    position = min(at, len(card))
    _import(card[:position] + noise + card[position + len(noise) :])


@FUZZ
@given(
    st.sampled_from(["tEXt", "zTXt", "iTXt"]),
    st.sampled_from(["chara", "CCV3", "chara "]),
    st.text(max_size=200),
)
def test_arbitrary_card_chunks_import_or_raise_input_error(
    kind: str, keyword: str, text: str
) -> None:
    payload = text if kind == "iTXt" else text.encode("latin-1", "replace").decode("latin-1")
    _import(png_with_chunks([(kind, keyword, payload)]))


@ROUND_TRIP_FUZZ
@given(cards)
def test_wild_card_json_imports_or_raises_input_error(card: dict[str, Any]) -> None:
    persona = _import(json.dumps(card).encode("utf-8"))
    if persona is not None:
        _assert_round_trips(persona)


@ROUND_TRIP_FUZZ
@given(good_cards)
def test_well_typed_card_json_imports_and_round_trips(card: dict[str, Any]) -> None:
    persona = decode_card(json.dumps(card).encode("utf-8"), "fuzz").persona
    _assert_round_trips(persona)


@FUZZ
@given(cards)
def test_card_in_a_png_imports_or_raises_input_error(card: dict[str, Any]) -> None:
    _import(png_with_chunks([("tEXt", "ccv3", b64(card))], tiny_png()))


@FUZZ
@given(json_values | books, st.lists(st.text(max_size=40), max_size=4), st.integers(0, 3))
def test_lorebook_json_loads_and_scans_or_raises_a_named_problem(
    raw: Any, messages: list[str], depth: int
) -> None:
    try:
        book = lorebook_from_json(raw)
    except (CardProblem, CardFieldError):
        return
    activate(
        book, messages, random.Random(0), LoreSettings(default_scan_depth=depth, recursive=True)
    )
