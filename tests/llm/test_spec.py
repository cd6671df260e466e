"""Backend specs: every accepted form, and errors that say where and how to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from personae.domain import Purpose
from personae.errors import InputError
from personae.llm.spec import (
    BackendKind,
    SpecChoice,
    choose_spec,
    forced_spec,
    parse_spec,
)


def test_embedded_and_scripted() -> None:
    assert parse_spec("embedded").kind is BackendKind.EMBEDDED
    assert parse_spec("scripted").kind is BackendKind.SCRIPTED


def test_embedded_with_a_gguf_path() -> None:
    spec = parse_spec("embedded:~/models/tiny.gguf")
    assert spec.kind is BackendKind.EMBEDDED
    assert spec.path == Path("~/models/tiny.gguf").expanduser()


def test_openai_model() -> None:
    spec = parse_spec("openai:gpt-4o-mini")
    assert (spec.kind, spec.model, spec.base_url) == (
        BackendKind.OPENAI,
        "gpt-4o-mini",
        "https://api.openai.com/v1",
    )


def test_ollama_defaults_to_localhost_and_follows_ollama_host() -> None:
    assert parse_spec("ollama:llama3", env={}).base_url == "http://localhost:11434/v1"
    remote = parse_spec("ollama:llama3", env={"OLLAMA_HOST": "10.0.0.5:11434"})
    assert remote.base_url == "http://10.0.0.5:11434/v1"


def test_any_openai_compatible_url_with_its_model() -> None:
    spec = parse_spec("http://127.0.0.1:8080/v1#smollm2")
    assert (spec.kind, spec.base_url, spec.model) == (
        BackendKind.HTTP,
        "http://127.0.0.1:8080/v1",
        "smollm2",
    )
    assert parse_spec("https://openrouter.ai/api/v1#openai/gpt-4o").model == "openai/gpt-4o"


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("gpt4", "unknown or incomplete"),
        ("openai:", "unknown or incomplete"),
        ("embedded:model.bin", "takes a .gguf file"),
        ("http://127.0.0.1:8080/v1", "no model"),
        ("anthropic:claude", "unknown backend"),
    ],
)
def test_bad_specs_are_input_errors_naming_the_source_and_the_forms(
    text: str, problem: str
) -> None:
    with pytest.raises(InputError) as caught:
        parse_spec(text, "PERSONAE_LLM")
    message = str(caught.value)
    assert message.startswith("PERSONAE_LLM:")
    assert problem in message
    assert "openai:MODEL" in message


def test_the_command_line_beats_the_environment() -> None:
    env = {"PERSONAE_LLM": "scripted"}
    assert forced_spec("embedded", env) == SpecChoice("embedded", "--llm")
    assert forced_spec(None, env) == SpecChoice("scripted", "PERSONAE_LLM")
    assert forced_spec(None, {}) is None


def test_without_any_setting_the_embedded_model_is_used() -> None:
    choice = choose_spec(forced=None, personas={}, purposes={}, default=None)
    assert choice.text == "embedded"


def test_per_purpose_entry_applies_to_that_purpose_only() -> None:
    purposes = {Purpose.FACT_EXTRACTION: "scripted"}
    pick = choose_spec(
        forced=None,
        personas={},
        purposes=purposes,
        default="openai:gpt-4o",
        purpose=Purpose.FACT_EXTRACTION,
    )
    assert pick == SpecChoice("scripted", "llm.purposes.fact_extraction")
    other = choose_spec(forced=None, personas={}, purposes=purposes, default="openai:gpt-4o")
    assert other == SpecChoice("openai:gpt-4o", "llm.default")
