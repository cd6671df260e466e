from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from personae.memory.embeddings.cache import CachingEmbedder
from personae.memory.embeddings.protocol import Matrix, normalise_rows


class LetterCounts:
    """A tiny real embedder: letter frequencies, normalised; counts its calls."""

    name = "letters"
    dimensions = 26

    def __init__(self) -> None:
        self.embedded: list[str] = []

    def embed(self, texts: Sequence[str]) -> Matrix:
        self.embedded.extend(texts)
        rows = np.zeros((len(texts), 26), dtype=np.float32)
        for i, text in enumerate(texts):
            for char in text.lower():
                if "a" <= char <= "z":
                    rows[i, ord(char) - 97] += 1
        return normalise_rows(rows)


def test_a_text_is_embedded_once_and_gets_the_same_vector() -> None:
    inner = LetterCounts()
    cached = CachingEmbedder(inner)
    first = cached.embed(["rumors Mara", "trade"])
    again = cached.embed(["trade", "rumors Mara", "rumors Mara"])
    assert inner.embedded == ["rumors Mara", "trade"]
    assert np.array_equal(again[1], first[0])
    assert again.shape == (3, 26)


def test_the_least_recently_used_text_is_forgotten() -> None:
    inner = LetterCounts()
    cached = CachingEmbedder(inner, maxsize=2)
    cached.embed(["a"])
    cached.embed(["b"])
    cached.embed(["a"])  # a is now the most recent
    cached.embed(["c"])  # b goes
    cached.embed(["a", "b"])
    assert inner.embedded == ["a", "b", "c", "b"]
    assert cached.name == "letters"
    assert cached.dimensions == 26
