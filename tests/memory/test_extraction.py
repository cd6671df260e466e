"""Fact extraction: the request, the schema, validating the answer, and who learns what."""

from __future__ import annotations

import json

import pytest
from pydantic import ValidationError

from personae.domain import Purpose, Turn
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.types import Role
from personae.memory.extraction import (
    ExtractedFact,
    ExtractionWindow,
    extract_facts,
    extraction_request,
    extraction_schema,
    is_extraction_due,
    learned_facts,
    parse_extraction,
)
from personae.memory.llm_json import InvalidAnswerError
from personae.memory.settings import FactSettings

SETTINGS = FactSettings()
LINES = [
    ("anna", "Hello Bob, how is the mill?"),
    ("bob", "The mill burned down last night."),
    ("anna", "Oh no! I sell bread at dawn, I need flour."),
    ("bob", "My brother Tom lives in Lyon now."),
    ("carl", "I will visit Lyon next spring."),
]
TURNS = [
    Turn(conversation_id="c1", index=10 + i, speaker_id=speaker, text=text, tier="full", score=70)
    for i, (speaker, text) in enumerate(LINES)
]
PEOPLE = {"anna": "Anna", "bob": "Bob", "carl": "Carl"}
WINDOW = ExtractionWindow("c1", TURNS, PEOPLE, known_facts=["Tom lives in Paris."])


def answer(*facts: dict[str, object]) -> str:
    return json.dumps({"facts": list(facts)})


def fact(**fields: object) -> dict[str, object]:
    base: dict[str, object] = {
        "fact": "The mill burned down.",
        "importance": 7,
        "about": None,
        "source_turn": 11,
        "replaces": None,
    }
    return {**base, **fields}


@pytest.mark.parametrize(("messages", "due"), [(0, False), (4, False), (5, True), (10, True)])
def test_extraction_runs_every_five_messages(messages: int, due: bool) -> None:
    assert is_extraction_due(messages, SETTINGS) is due


def test_the_schema_bounds_turns_people_and_known_facts() -> None:
    item = extraction_schema(WINDOW, SETTINGS)["properties"]["facts"]["items"]["properties"]
    assert (item["source_turn"]["minimum"], item["source_turn"]["maximum"]) == (10, 14)
    assert item["about"]["anyOf"][0] == {"enum": ["anna", "bob", "carl"]}
    assert item["replaces"]["anyOf"][0]["maximum"] == 1
    assert item["importance"] == {"type": "integer", "minimum": 1, "maximum": 10}


def test_without_known_facts_nothing_can_be_replaced() -> None:
    window = ExtractionWindow("c1", TURNS, PEOPLE)
    items = extraction_schema(window, SETTINGS)["properties"]["facts"]["items"]
    assert "replaces" not in items["properties"]


def test_the_request_keeps_instructions_apart_from_the_data() -> None:
    request = extraction_request(WINDOW, SETTINGS)
    instructions, data = request.messages
    assert (instructions.role, data.role) == (Role.SYSTEM, Role.USER)
    assert "JSON" in instructions.content
    assert "[11] Bob: The mill burned down last night." in data.content
    assert "1. Tom lives in Paris." in data.content
    assert request.json_schema == extraction_schema(WINDOW, SETTINGS)
    assert request.context.purpose is Purpose.FACT_EXTRACTION
    assert request.context.conversation_id == "c1"


def test_a_valid_answer_parses() -> None:
    facts = parse_extraction(answer(fact(about="bob", replaces=1)), WINDOW, SETTINGS)
    assert facts == [
        ExtractedFact(
            fact="The mill burned down.", importance=7, about="bob", source_turn=11, replaces=1
        )
    ]


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("not json", "Invalid JSON"),
        (answer(fact(importance=11)), "less than or equal to 10"),
        (answer(fact(source_turn=3)), "source_turn 3 is not in the window"),
        (answer(fact(about="zed")), "about 'zed' is not a participant"),
        (answer(fact(replaces=2)), "replaces 2 is not a known fact number"),
        (answer(*[fact()] * 6), "6 facts, at most 5"),
        (json.dumps({"facts": ["The wire works."]}), "should be an object"),
    ],
)
def test_an_invalid_answer_is_refused(text: str, problem: str) -> None:
    with pytest.raises((InvalidAnswerError, ValidationError), match=problem):
        parse_extraction(text, WINDOW, SETTINGS)


def test_everyone_but_the_speaker_learns_a_fact_from_the_speaker() -> None:
    facts = parse_extraction(answer(fact(about=None, source_turn=11)), WINDOW, SETTINGS)
    learned = learned_facts(facts, WINDOW, now_s=500.0, new_id=lambda: "x")
    assert [(item.memory.owner_id, item.memory.told_by) for item in learned] == [
        ("anna", "bob"),
        ("carl", "bob"),
    ]
    memory = learned[0].memory
    assert (memory.source_conversation_id, memory.source_turn) == ("c1", 11)
    assert (memory.created_at_s, memory.last_accessed_s) == (500.0, 500.0)


def test_a_speaker_talking_about_themself_is_first_hand_and_the_subject_learns_nothing() -> None:
    facts = parse_extraction(answer(fact(about="bob", source_turn=13)), WINDOW, SETTINGS)
    learned = learned_facts(facts, WINDOW, now_s=0.0, new_id=lambda: "x")
    assert [(item.memory.owner_id, item.memory.told_by) for item in learned] == [
        ("anna", None),
        ("carl", None),
    ]
    assert {item.memory.about_id for item in learned} == {"bob"}


def test_a_fact_about_a_listener_is_not_stored_in_their_own_memory() -> None:
    facts = parse_extraction(answer(fact(about="anna", source_turn=11)), WINDOW, SETTINGS)
    learned = learned_facts(facts, WINDOW, now_s=0.0, new_id=lambda: "x")
    assert [item.memory.owner_id for item in learned] == ["carl"]


def test_only_rememberers_keep_memories() -> None:
    window = ExtractionWindow("c1", TURNS, PEOPLE, rememberers=frozenset({"anna"}))
    facts = parse_extraction(answer(fact(source_turn=11)), window, SETTINGS)
    learned = learned_facts(facts, window, now_s=0.0, new_id=lambda: "x")
    assert [item.memory.owner_id for item in learned] == ["anna"]


def test_the_replaced_known_fact_travels_as_text() -> None:
    facts = parse_extraction(answer(fact(replaces=1, source_turn=13)), WINDOW, SETTINGS)
    learned = learned_facts(facts, WINDOW, now_s=0.0, new_id=lambda: "x")
    assert {item.replaces_text for item in learned} == {"Tom lives in Paris."}


async def test_the_scripted_backend_answers_with_valid_facts() -> None:
    result = await extract_facts(ScriptedBackend(seed=3), WINDOW, SETTINGS)
    assert result.calls == 1
    assert result.value is not None
    assert 1 <= len(result.value) <= SETTINGS.max_facts_per_extraction


async def test_the_scripted_answer_is_the_same_every_time() -> None:
    first = await extract_facts(ScriptedBackend(seed=3), WINDOW, SETTINGS)
    second = await extract_facts(ScriptedBackend(seed=3), WINDOW, SETTINGS)
    assert first == second
