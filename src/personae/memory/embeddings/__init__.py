"""Embedding backends: the packaged all-MiniLM-L6-v2 in numpy, or any OpenAI-compatible server."""

from personae.memory.embeddings.minilm import MODEL_NAME, MiniLMEmbedder
from personae.memory.embeddings.model_files import (
    EmbeddingModelMissingError,
    ModelFiles,
    locate_model_files,
)
from personae.memory.embeddings.openai_compatible import (
    EmbeddingBackendError,
    OpenAICompatibleEmbedder,
)
from personae.memory.embeddings.protocol import Embedder, Matrix, Vector, normalise_rows
from personae.memory.embeddings.spec import DEFAULT_EMBEDDINGS, embedder_from_spec

__all__ = [
    "DEFAULT_EMBEDDINGS",
    "MODEL_NAME",
    "Embedder",
    "EmbeddingBackendError",
    "EmbeddingModelMissingError",
    "Matrix",
    "MiniLMEmbedder",
    "ModelFiles",
    "OpenAICompatibleEmbedder",
    "Vector",
    "embedder_from_spec",
    "locate_model_files",
    "normalise_rows",
]
