"""Choosing an embedding backend from a spec string."""

from __future__ import annotations

import pytest

from personae.errors import InputError
from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.embeddings.openai_compatible import OpenAICompatibleEmbedder
from personae.memory.embeddings.spec import embedder_from_spec


@pytest.mark.parametrize("spec", ["embedded", "embedded:all-MiniLM-L6-v2", " embedded "])
def test_embedded_specs_load_the_packaged_model(embedder: MiniLMEmbedder, spec: str) -> None:
    assert embedder_from_spec(spec, environ={}, load_embedded=lambda: embedder) is embedder


def test_openai_needs_an_api_key() -> None:
    with pytest.raises(InputError, match="set OPENAI_API_KEY"):
        embedder_from_spec("openai:text-embedding-3-small", environ={})


def test_openai_spec_uses_the_openai_endpoint() -> None:
    embedder = embedder_from_spec(
        "openai:text-embedding-3-small", environ={"OPENAI_API_KEY": "sk-test"}
    )
    assert isinstance(embedder, OpenAICompatibleEmbedder)
    assert embedder.name == "openai:text-embedding-3-small"
    assert embedder.model == "text-embedding-3-small"
    assert embedder.base_url.startswith("https://api.openai.com/v1")


def test_ollama_defaults_to_the_local_port() -> None:
    embedder = embedder_from_spec("ollama:nomic-embed-text", environ={})
    assert isinstance(embedder, OpenAICompatibleEmbedder)
    assert embedder.base_url.rstrip("/") == "http://localhost:11434/v1"


def test_ollama_host_without_scheme_gets_http() -> None:
    embedder = embedder_from_spec("ollama:m", environ={"OLLAMA_HOST": "10.0.0.5:11434"})
    assert isinstance(embedder, OpenAICompatibleEmbedder)
    assert embedder.base_url.rstrip("/") == "http://10.0.0.5:11434/v1"


def test_a_url_spec_needs_a_model_after_the_hash() -> None:
    with pytest.raises(InputError, match=r"name the model after '#'"):
        embedder_from_spec("http://127.0.0.1:8080/v1", environ={})


@pytest.mark.parametrize("spec", ["mistral:embed", "nonsense"])
def test_unknown_backends_list_the_valid_forms(spec: str) -> None:
    with pytest.raises(InputError, match="use `embedded`, `openai:MODEL`"):
        embedder_from_spec(spec, environ={})
