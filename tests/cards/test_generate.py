"""Persona generation from a theme through the LLM layer: the scripted backend (valid JSON for
any schema), the real embedded model, and canned model outputs for the faults (invalid JSON, a
failing backend) that a real model cannot be made to produce on demand."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from personae.cards.creation.generate import (
    GenerationError,
    generate_personas,
    persona_from_generated,
)
from personae.cli.app import app
from personae.errors import InputError
from personae.files.persona_library import PersonaLibrary
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.errors import TransientBackendError
from personae.llm.settings import LLMSettings
from personae.llm.spec import forced_spec
from personae.llm.stack import LLMStack
from personae.llm.types import ChatRequest, ChatResponse

VALID = {
    "name": "Vesper Quill",
    "background": "An alchemist who trusts no one.",
    "personality": "suspicious",
    "framework": "neuro",
    "greeting": "Who sent you?",
    "traits": [
        {"name": "Neuroticism", "value": 0.9},
        {"name": "Technical focus", "value": 0.8},
        {"name": "paranoid", "value": 0.95},
    ],
    "topics": [{"topic": "Potion brewing", "interest": 90}],
    "knowledge_domains": ["alchemy"],
    "quirks": ["checks for poison"],
}


class CannedModel:
    """Answers with the given texts in turn (or raises them) and records each request."""

    def __init__(self, *answers: str | Exception) -> None:
        self.answers = list(answers)
        self.requests: list[ChatRequest] = []

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        answer = self.answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return ChatResponse(text=answer, model="canned", backend="canned")


async def test_scripted_backend_generates_valid_distinct_personas() -> None:
    personas = await generate_personas(ScriptedBackend(), "a paranoid alchemist", count=3)
    assert len({persona.id for persona in personas}) == 3
    assert all(persona.profile.tags == ["generated"] for persona in personas)
    again = await generate_personas(ScriptedBackend(), "a paranoid alchemist", count=3)
    assert again == personas


async def test_generation_asks_for_json_of_the_schema_for_the_generation_purpose() -> None:
    model = CannedModel(json.dumps(VALID))
    await generate_personas(model, "an alchemist")
    request = model.requests[0]
    assert request.json_schema is not None
    assert "traits" in request.json_schema["properties"]
    assert request.context.purpose.value == "generation"
    assert "an alchemist" in request.messages[-1].content


def test_generated_traits_map_onto_big_five_ai_and_custom_traits() -> None:
    persona = persona_from_generated(json.dumps(VALID), set())
    assert persona.id == "vesper_quill"
    assert persona.big_five.neuroticism == 90
    assert persona.ai_traits.technical_focus == 80
    assert [(t.name, t.value) for t in persona.custom_traits] == [("paranoid", 95)]
    assert persona.topics == {"potion_brewing": 90}
    assert persona.framework == "neuro"


async def test_an_invalid_answer_is_retried_with_the_problem_stated() -> None:
    model = CannedModel("not json at all", json.dumps({**VALID, "traits": []}), json.dumps(VALID))
    (persona,) = await generate_personas(model, "an alchemist", tries=3)
    assert persona.name == "Vesper Quill"
    assert "the answer is not JSON" in model.requests[1].messages[-1].content
    assert "traits" in model.requests[2].messages[-1].content


async def test_after_the_last_try_a_clear_error_names_the_last_problem() -> None:
    model = CannedModel("{}", "[]", json.dumps({**VALID, "name": "a/b"}))
    with pytest.raises(GenerationError, match=r"after 3 tries; last problem: .*file path"):
        await generate_personas(model, "an alchemist", tries=3)


async def test_a_failing_backend_counts_as_a_try() -> None:
    model = CannedModel(TransientBackendError("timed out", reason="timeout"), json.dumps(VALID))
    (persona,) = await generate_personas(model, "an alchemist", tries=2)
    assert persona.name == "Vesper Quill"


async def test_repeated_names_get_distinct_ids() -> None:
    model = CannedModel(json.dumps(VALID), json.dumps(VALID))
    personas = await generate_personas(model, "an alchemist", count=2)
    assert [p.id for p in personas] == ["vesper_quill", "vesper_quill_2"]


@pytest.mark.parametrize(("theme", "count"), [(" ", 1), ("x", 0), ("x", 99)])
async def test_bad_arguments_are_input_errors(theme: str, count: int) -> None:
    with pytest.raises(InputError):
        await generate_personas(ScriptedBackend(), theme, count=count)


async def test_the_embedded_model_generates_a_valid_persona() -> None:
    stack = LLMStack(LLMSettings(), forced=forced_spec("embedded"))
    try:
        (persona,) = await generate_personas(stack, "a paranoid alchemist", tries=3)
    finally:
        await stack.aclose()
    assert persona.name.strip()
    assert persona.profile.tags == ["generated"]


def test_the_command_writes_generated_personas_to_the_library(tmp_path: Path) -> None:
    runner = CliRunner()
    dry = runner.invoke(
        app,
        [
            "persona",
            "generate",
            "--theme",
            "a bard",
            "--llm",
            "scripted",
            "--dry-run",
            "-L",
            str(tmp_path),
        ],
    )
    assert dry.exit_code == 0
    assert "name:" in dry.stdout
    assert PersonaLibrary(tmp_path).ids() == []
    result = runner.invoke(
        app,
        [
            "persona",
            "generate",
            "--theme",
            "a bard",
            "--count",
            "2",
            "--llm",
            "scripted",
            "-L",
            str(tmp_path),
        ],
    )
    assert result.exit_code == 0, result.output
    assert len(PersonaLibrary(tmp_path).ids()) == 2
