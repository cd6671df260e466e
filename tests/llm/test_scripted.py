"""The scripted backend: deterministic lines from the persona's own fields, and valid JSON."""

from __future__ import annotations

import json
import random
import re

import jsonschema
from pydantic import BaseModel

from personae.domain import Persona, Purpose
from personae.llm.backends.scripted import SCRIPTED_MODEL, ScriptedBackend
from personae.llm.scripted_json import json_for_schema
from personae.llm.types import CallContext, ChatRequest, Message, assistant, system, user

TRANSCRIPT = (
    "Summarize this conversation as JSON.\n"
    "Mara: I have run the Prancing Pony for twenty years.\n"
    "King: My army marches north at dawn.\n"
    "Mara: My cat Whiskers hates soldiers.\n"
    "King: The grain stores are nearly empty."
)


def say(text: str, persona: Persona | None = None, **context: object) -> ChatRequest:
    return ChatRequest.of(
        [system("Stay in character."), user(text)],
        context=CallContext(persona=persona, **context),  # type: ignore[arg-type]
    )


async def test_labels_itself_as_scripted() -> None:
    response = await ScriptedBackend().complete(say("Hello"))
    assert response.backend == "scripted"
    assert response.model == SCRIPTED_MODEL
    assert "not a language model" in ScriptedBackend().info.location


async def test_same_request_and_seed_give_the_same_line(king: Persona) -> None:
    request = say("The harvest failed again.", king, topic="politics")
    first = await ScriptedBackend(seed=4).complete(request)
    again = await ScriptedBackend(seed=4).complete(request)
    assert first.text == again.text


async def test_different_seeds_vary_the_lines(king: Persona) -> None:
    lines = {
        (await ScriptedBackend(seed=s).complete(say("Tell me of the war.", king))).text
        for s in range(12)
    }
    assert len(lines) > 1


async def test_a_keen_topic_gets_a_keen_line_naming_it(king: Persona) -> None:
    for seed in range(8):
        response = await ScriptedBackend(seed=seed).complete(
            say("What of the campaign?", king, topic="military_strategy", listener_name="Mara")
        )
        assert "military strategy" in response.text.lower()


async def test_a_dull_topic_steers_to_the_favourite(king: Persona) -> None:
    texts = [
        (await ScriptedBackend(seed=s).complete(say("Grain?", king, topic="grain_prices"))).text
        for s in range(6)
    ]
    assert any("military strategy" in t for t in texts)


async def test_lines_draw_on_the_description(king: Persona) -> None:
    texts = [
        (await ScriptedBackend(seed=s).complete(say("Who are you?", king, topic="politics"))).text
        for s in range(20)
    ]
    assert any("a king leading his army to war" in t for t in texts)


async def test_a_leaving_persona_says_its_own_exit_line(king: Persona) -> None:
    response = await ScriptedBackend().complete(say("Stay a while.", king, wants_exit=True))
    assert response.text == "I must attend to my troops."


async def test_lines_respect_max_tokens(king: Persona) -> None:
    request = ChatRequest.of(
        [user("Who are you?")], max_tokens=5, context=CallContext(persona=king, topic="politics")
    )
    for seed in range(10):
        response = await ScriptedBackend(seed=seed).complete(request)
        assert response.usage.completion_tokens <= 6


async def test_a_summary_request_gets_a_summary_from_the_text() -> None:
    schema = {
        "type": "object",
        "properties": {"summary": {"type": "string"}},
        "required": ["summary"],
    }
    request = ChatRequest.of(
        [user(TRANSCRIPT)], json_schema=schema, context=CallContext(purpose=Purpose.SUMMARIZATION)
    )
    document = json.loads((await ScriptedBackend().complete(request)).text)
    jsonschema.validate(document, schema)
    assert "Prancing Pony" in document["summary"]
    assert "JSON" not in document["summary"]


class Fact(BaseModel):
    fact: str
    importance: int
    about: str | None = None


class Facts(BaseModel):
    facts: list[Fact]


async def test_a_fact_extraction_request_gets_facts_drawn_from_the_text() -> None:
    schema = Facts.model_json_schema()  # with $defs and $ref, as pydantic writes it
    request = ChatRequest.of([user(TRANSCRIPT)], json_schema=schema)
    document = json.loads((await ScriptedBackend().complete(request)).text)
    jsonschema.validate(document, schema)
    facts = Facts.model_validate(document).facts
    assert "Mara: My cat Whiskers hates soldiers." in [f.fact for f in facts]
    assert all(f.fact in TRANSCRIPT for f in facts)


def test_filled_json_respects_bounds_enums_and_item_counts() -> None:
    schema = {
        "type": "object",
        "properties": {
            "score": {"type": "integer", "minimum": 1, "maximum": 5},
            "confidence": {"type": "number", "minimum": 0, "maximum": 1},
            "tone": {"enum": ["warm", "cold"]},
            "ok": {"type": "boolean"},
            "tags": {"type": "array", "items": {"type": "string"}, "minItems": 2, "maxItems": 2},
            "note": {"type": ["string", "null"], "maxLength": 10},
        },
        "required": ["score", "confidence", "tone", "ok", "tags", "note"],
    }
    document = json_for_schema(schema, TRANSCRIPT, random.Random(0))
    jsonschema.validate(document, schema)


def test_filled_json_from_text_without_statements_is_still_valid() -> None:
    schema = Facts.model_json_schema()
    document = json_for_schema(schema, "", random.Random(0))
    jsonschema.validate(document, schema)


async def test_a_line_the_conversation_has_heard_is_not_said_again(king: Persona) -> None:
    """As a model reading its context: no line of the window comes back, not even with other
    words in its slots (what was said to Lord 1 is not said again to Lord 2)."""
    window: list[Message] = [system("Stay in character.")]
    said: list[str] = []
    for turn in range(10):
        request = ChatRequest.of(
            [*window, user("Go on.")],
            seed=turn,
            context=CallContext(persona=king, topic="politics", listener_name=f"Lord {turn}"),
        )
        line = (await ScriptedBackend().complete(request)).text
        said.append(re.sub(r"Lord \d+", "someone", line))
        window.append(assistant(line) if turn % 2 else user(f"Mara: {line}"))
    assert len(set(said)) == len(said), said
