"""Shared fixtures: the real embedded model, loaded once per test session."""

from __future__ import annotations

import pytest

from personae.memory.embeddings.minilm import MiniLMEmbedder


@pytest.fixture(scope="session")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder()
