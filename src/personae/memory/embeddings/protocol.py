"""The seam every embedding backend fits: texts in, unit-length float32 vectors out."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
from numpy.typing import NDArray

Vector = NDArray[np.float32]
"""One embedding, shape (dimensions,)."""
Matrix = NDArray[np.float32]
"""Embeddings one per row, shape (count, dimensions)."""


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into vectors whose dot product is their cosine similarity.

    `name` identifies the model (`embedded:all-MiniLM-L6-v2`, `openai:text-embedding-3-small`):
    vectors from two different names live in different spaces and must never be compared, so the
    name is stored next to every persisted vector.

    Synchronous on purpose: the embedded model is CPU-bound work (an event loop gains nothing from
    an `async def` around it); an async caller runs `embed` in a worker thread.
    """

    @property
    def name(self) -> str: ...

    @property
    def dimensions(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> Matrix:
        """One L2-normalised float32 row per text, in the order given."""
        ...


def normalise_rows(matrix: NDArray[np.floating]) -> Matrix:
    """Scale each row to unit length (a zero row stays zero), as float32."""
    rows = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=1, keepdims=True)
    unit: Matrix = (rows / np.maximum(norms, np.float32(1e-12))).astype(np.float32, copy=False)
    return unit
