"""Embeddings from any server speaking OpenAI's `/v1/embeddings`: OpenAI, Ollama, llama.cpp's
server, vLLM, LM Studio. Uses the official `openai` SDK."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import openai

from personae.errors import PersonaeError
from personae.memory.embeddings.protocol import Matrix, normalise_rows

# OpenAI accepts up to 2048 inputs per request; smaller requests keep each one quick to retry.
DEFAULT_REQUEST_BATCH = 256


class EmbeddingBackendError(PersonaeError):
    """An embedding server could not be reached or gave an unusable answer."""


class OpenAICompatibleEmbedder:
    """`Embedder` over an OpenAI-compatible embeddings endpoint.

    `name` is `prefix:model` (e.g. `openai:text-embedding-3-small`). `dimensions` is learned from
    the first answer unless given; every later answer must match it.
    """

    def __init__(
        self,
        *,
        name: str,
        model: str,
        base_url: str | None,
        api_key: str,
        dimensions: int | None = None,
        timeout_s: float = 30.0,
        max_retries: int = 2,
        request_batch: int = DEFAULT_REQUEST_BATCH,
    ) -> None:
        self._name = name
        self._model = model
        self._dimensions = dimensions
        self._request_batch = request_batch
        self._client = openai.OpenAI(
            base_url=base_url, api_key=api_key, timeout=timeout_s, max_retries=max_retries
        )

    @property
    def name(self) -> str:
        return self._name

    @property
    def model(self) -> str:
        return self._model

    @property
    def base_url(self) -> str:
        return str(self._client.base_url)

    @property
    def dimensions(self) -> int:
        if self._dimensions is None:
            return int(self.embed(["dimensions probe"]).shape[1])
        return self._dimensions

    def embed(self, texts: Sequence[str]) -> Matrix:
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts; wrap a single text in a list")
        if not texts:
            return np.zeros((0, self._dimensions or 0), dtype=np.float32)
        parts = [
            self._request(list(texts[start : start + self._request_batch]))
            for start in range(0, len(texts), self._request_batch)
        ]
        return normalise_rows(np.vstack(parts))

    def _request(self, texts: list[str]) -> Matrix:
        # The API rejects empty strings; a lone space embeds as "nothing in particular".
        inputs = [text if text.strip() else " " for text in texts]
        try:
            response = self._client.embeddings.create(
                model=self._model, input=inputs, encoding_format="float"
            )
        except openai.APIStatusError as error:
            raise EmbeddingBackendError(
                f"embedding server {self.base_url} refused model {self._model!r}: HTTP "
                f"{error.status_code} {_short(error.message)}"
            ) from None
        except openai.APIError as error:
            raise EmbeddingBackendError(
                f"embedding server {self.base_url} failed for model {self._model!r}: "
                f"{_short(str(error))}; check that it runs and the URL is right"
            ) from None
        items = sorted(response.data, key=lambda item: item.index)
        if [item.index for item in items] != list(range(len(inputs))):
            raise EmbeddingBackendError(
                f"embedding server {self.base_url} answered {len(items)} vectors for "
                f"{len(inputs)} texts"
            )
        matrix = np.asarray([item.embedding for item in items], dtype=np.float32)
        width = matrix.shape[1] if matrix.ndim == 2 else 0
        if self._dimensions is None:
            self._dimensions = width
        elif width != self._dimensions:
            raise EmbeddingBackendError(
                f"embedding server {self.base_url} answered {width}-dimensional vectors for "
                f"model {self._model!r}, expected {self._dimensions}"
            )
        return matrix


def _short(message: str, limit: int = 200) -> str:
    message = " ".join(message.split())
    return message if len(message) <= limit else message[: limit - 1] + "…"
