"""OpenAI-compatible embeddings through the official SDK against a loopback server."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import numpy as np
import pytest

from personae.memory.embeddings.openai_compatible import (
    EmbeddingBackendError,
    OpenAICompatibleEmbedder,
)
from personae.memory.embeddings.spec import embedder_from_spec
from tests.memory.embeddings.embeddings_server import (
    EmbeddingsServer,
    embeddings_server,
    toy_vector,
)


@pytest.fixture
def server() -> Iterator[EmbeddingsServer]:
    with embeddings_server() as running:
        yield running


def client(server: EmbeddingsServer, **options: int) -> OpenAICompatibleEmbedder:
    return OpenAICompatibleEmbedder(
        name=f"{server.url}#toy",
        model="toy",
        base_url=server.url,
        api_key="k",
        max_retries=0,
        **options,
    )


def unit(vector: list[float]) -> np.ndarray:
    array = np.asarray(vector, dtype=np.float32)
    return array / np.linalg.norm(array)


def test_texts_travel_in_the_openai_wire_format(server: EmbeddingsServer) -> None:
    client(server).embed(["hello there", "bye"])
    assert server.paths == ["/v1/embeddings"]
    assert server.requests == [
        {"model": "toy", "input": ["hello there", "bye"], "encoding_format": "float"}
    ]
    assert server.authorizations == ["Bearer k"]


def test_vectors_come_back_normalised_in_input_order(server: EmbeddingsServer) -> None:
    server.reverse_order = True  # the index field, not the list position, says which is which
    vectors = client(server).embed(["hello there", "bye"])
    np.testing.assert_allclose(vectors[0], unit(toy_vector("hello there")), atol=1e-6)
    np.testing.assert_allclose(vectors[1], unit(toy_vector("bye")), atol=1e-6)


def test_many_texts_are_sent_in_several_requests(server: EmbeddingsServer) -> None:
    vectors = client(server, request_batch=2).embed(["a", "bb", "ccc", "dddd", "eeeee"])
    assert [len(request["input"]) for request in server.requests] == [2, 2, 1]
    assert vectors.shape == (5, 3)


def test_empty_texts_are_sent_as_a_space(server: EmbeddingsServer) -> None:
    client(server).embed(["", "x"])
    assert server.requests[0]["input"] == [" ", "x"]


def test_dimensions_are_learned_from_the_first_answer(server: EmbeddingsServer) -> None:
    embedder = client(server)
    assert embedder.dimensions == 3
    assert len(server.requests) == 1


def test_an_answer_of_another_width_is_an_error(server: EmbeddingsServer) -> None:
    embedder = client(server)
    embedder.embed(["first"])
    server.width = 5
    with pytest.raises(EmbeddingBackendError, match=r"5-dimensional vectors .* expected 3"):
        embedder.embed(["second"])


def test_an_http_error_names_the_server_and_status(server: EmbeddingsServer) -> None:
    server.status = 404
    with pytest.raises(EmbeddingBackendError, match=r"refused model 'toy': HTTP 404"):
        client(server).embed(["hello"])


def test_an_unreachable_server_says_to_check_it() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    embedder = OpenAICompatibleEmbedder(
        name="x",
        model="toy",
        base_url=f"http://127.0.0.1:{port}/v1",
        api_key="k",
        max_retries=0,
        timeout_s=2.0,
    )
    with pytest.raises(EmbeddingBackendError, match="check that it runs"):
        embedder.embed(["hello"])


def test_a_url_spec_reaches_its_server(server: EmbeddingsServer) -> None:
    embedder = embedder_from_spec(f"{server.url}#toy", environ={})
    vectors = embedder.embed(["hello"])
    assert embedder.name == f"{server.url}#toy"
    assert server.requests[0]["model"] == "toy"
    np.testing.assert_allclose(vectors[0], unit(toy_vector("hello")), atol=1e-6)


def test_an_ollama_spec_reaches_ollama_host(server: EmbeddingsServer) -> None:
    host = server.url.removesuffix("/v1")
    embedder = embedder_from_spec("ollama:nomic-embed-text", environ={"OLLAMA_HOST": host})
    embedder.embed(["hello"])
    assert server.requests[0]["model"] == "nomic-embed-text"
    assert server.authorizations == ["Bearer ollama"]
