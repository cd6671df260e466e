"""Cells of similar vectors for the candidate stage of a large owner's recall.

An inverted file (IVF, as faiss's `IndexIVFFlat`): seeded spherical k-means puts a centre on each
region of the unit sphere, every vector belongs to the cell of its most similar centre, and a
query reads only the rows of the few cells whose centres are most similar to it. Pure numpy
functions of arrays and a seeded generator; `index.OwnerIndex` keeps its rows sorted by cell so
that each cell is one contiguous slice of its matrix (no copy of the vectors).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import NDArray

from personae.memory.embeddings.protocol import Matrix

Cells = NDArray[np.int32]
"""One cell number per vector."""

MIN_CELLS = 8
# Rows assigned per matrix product: a (rows x cells) float32 block of ~32 MB at 1024 cells.
_ASSIGN_CHUNK_ROWS = 8192


def cell_count(rows: int) -> int:
    """About sqrt(rows) cells, the usual IVF choice: a probe of p cells then reads about
    p * sqrt(rows) rows, and training and assignment stay a few seconds at a million rows."""
    return max(MIN_CELLS, round(math.sqrt(rows)))


def train_centres(
    vectors: Matrix,
    cells: int,
    *,
    iterations: int,
    sample_rows: int,
    rng: np.random.Generator,
) -> Matrix:
    """`cells` unit centres by spherical k-means (cosine similarity) on a random sample of
    `sample_rows` rows, starting from random rows of the sample. A centre left without rows is
    moved to a random row of the sample. The same rows and generator state give the same centres.
    """
    count = int(vectors.shape[0])
    if count < cells:
        raise ValueError(f"{cells} cells need at least as many vectors, got {count}")
    chosen = np.sort(rng.choice(count, size=min(count, max(sample_rows, cells)), replace=False))
    sample = np.ascontiguousarray(vectors[chosen], dtype=np.float32)
    centres = sample[np.sort(rng.choice(sample.shape[0], size=cells, replace=False))].copy()
    for _ in range(iterations):
        assigned = nearest_cells(sample, centres)
        order = np.argsort(assigned, kind="stable")
        bounds = np.searchsorted(assigned[order], np.arange(cells + 1))
        sorted_sample = sample[order]
        for cell in range(cells):
            start, end = int(bounds[cell]), int(bounds[cell + 1])
            if end > start:
                total = sorted_sample[start:end].sum(axis=0)
                norm = float(np.linalg.norm(total))
                if norm > 0.0:
                    centres[cell] = total / norm
                    continue
            centres[cell] = sample[int(rng.integers(sample.shape[0]))]
    return centres


def nearest_cells(vectors: Matrix, centres: Matrix) -> Cells:
    """The cell of each vector: the centre with the highest dot product (first one on ties)."""
    count = int(vectors.shape[0])
    result: Cells = np.empty(count, dtype=np.int32)
    transposed = np.ascontiguousarray(centres.T)
    for start in range(0, count, _ASSIGN_CHUNK_ROWS):
        block = vectors[start : start + _ASSIGN_CHUNK_ROWS] @ transposed
        result[start : start + _ASSIGN_CHUNK_ROWS] = np.argmax(block, axis=1)
    return result


def cell_bounds(cells_of_rows: Cells, cells: int) -> NDArray[np.int64]:
    """For rows sorted by cell: row `bounds[c]` is the first of cell c, `bounds[c + 1]` the end."""
    bounds: NDArray[np.int64] = np.searchsorted(cells_of_rows, np.arange(cells + 1)).astype(
        np.int64
    )
    return bounds
