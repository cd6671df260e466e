"""The llm section of a config file."""

from __future__ import annotations

from pathlib import Path

import pytest

from personae.domain import Purpose
from personae.errors import InputError
from personae.llm.settings import LLMSettings, load_llm_settings


def test_no_file_gives_the_seed_defaults() -> None:
    settings = load_llm_settings(None, env={})
    assert settings.max_tokens.conversation == 120
    assert settings.budgets.monthly_usd == 5.0
    assert settings.budgets.warn_fraction == 0.8
    assert settings.rate_limits.player_calls_per_hour == 60
    assert (settings.retry.max_retries, settings.retry.base_delay_s) == (3, 1.0)


def test_reads_the_llm_section(tmp_path: Path) -> None:
    config = tmp_path / "personae.yaml"
    config.write_text(
        "llm:\n"
        "  default: openai:gpt-4o-mini\n"
        "  purposes: {summarization: scripted}\n"
        "  personas: {king: 'ollama:llama3'}\n"
        "  budgets: {monthly_usd: 2.5}\n"
        "  prices: {my-model: {input: 1.0, output: 2.0}}\n"
        "world: {ignored: true}\n"
    )
    settings = load_llm_settings(config)
    assert settings.default == "openai:gpt-4o-mini"
    assert settings.purposes == {Purpose.SUMMARIZATION: "scripted"}
    assert settings.personas == {"king": "ollama:llama3"}
    assert settings.budgets.monthly_usd == 2.5
    assert settings.price_overrides()["my-model"].output_per_million == 2.0


def test_the_file_can_be_named_by_the_environment(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("llm: {default: scripted}\n")
    assert load_llm_settings(None, env={"PERSONAE_CONFIG": str(config)}).default == "scripted"


def test_a_wrong_field_names_the_file_and_the_field(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("llm:\n  budgets: {monthly_usd: -1}\n")
    with pytest.raises(InputError) as caught:
        load_llm_settings(config)
    assert str(config) in str(caught.value)
    assert "llm.budgets.monthly_usd" in str(caught.value)


def test_a_bad_spec_in_the_file_names_the_file_and_the_forms(tmp_path: Path) -> None:
    config = tmp_path / "c.yaml"
    config.write_text("llm:\n  default: gpt4\n")
    with pytest.raises(InputError) as caught:
        load_llm_settings(config)
    assert str(config) in str(caught.value)
    assert "llm.default" in str(caught.value)
    assert "embedded:PATH.gguf" in str(caught.value)


def test_a_missing_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="cannot read config file"):
        load_llm_settings(tmp_path / "missing.yaml")


def test_max_tokens_per_purpose_and_tier() -> None:
    tokens = LLMSettings().max_tokens
    assert tokens.fixed(Purpose.CONVERSATION) == 120
    assert tokens.fixed(Purpose.CONVERSATION, "constrained") == 80
    assert tokens.fixed(Purpose.FACT_EXTRACTION) == 512  # facts, summary and episode in one reply
