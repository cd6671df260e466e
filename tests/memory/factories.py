"""Building blocks for memory tests."""

from __future__ import annotations

import numpy as np
from numpy.typing import NDArray

from personae.domain.memory import Memory, MemoryKind, MemoryTier


def make_memory(
    memory_id: str,
    text: str = "something happened",
    *,
    owner_id: str = "anna",
    kind: MemoryKind = MemoryKind.FACT,
    importance: int = 5,
    created_at_s: float = 0.0,
    last_accessed_s: float = 0.0,
    about_id: str | None = None,
    told_by: str | None = None,
    tier: MemoryTier = MemoryTier.HOT,
    pinned: bool = False,
    superseded_by: str | None = None,
) -> Memory:
    return Memory(
        id=memory_id,
        owner_id=owner_id,
        kind=kind,
        text=text,
        importance=importance,
        created_at_s=created_at_s,
        last_accessed_s=last_accessed_s,
        about_id=about_id,
        told_by=told_by,
        tier=tier,
        pinned=pinned,
        superseded_by=superseded_by,
    )


def clustered_vectors(
    count: int, dimensions: int, rng: np.random.Generator, *, topics: int = 50, noise: float = 0.75
) -> NDArray[np.float32]:
    """Unit vectors around `topics` random topic centres, as embeddings of memories about a
    limited number of subjects are (random unit vectors have no such structure). `noise` is the
    length of the random offset from the centre: 0.75 puts a vector about 0.8 (cosine) from it."""
    centres = rng.standard_normal((topics, dimensions)).astype(np.float32)
    centres /= np.linalg.norm(centres, axis=1, keepdims=True)
    offsets = rng.standard_normal((count, dimensions)).astype(np.float32)
    vectors = centres[rng.integers(0, topics, count)] + offsets * np.float32(
        noise / np.sqrt(dimensions)
    )
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors
