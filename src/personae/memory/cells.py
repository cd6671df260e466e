"""Cells of similar vectors for the candidate stage of a large owner's recall.

An inverted file (IVF, as faiss's `IndexIVFFlat`): seeded spherical k-means puts a centre on each
region of the unit sphere, every vector belongs to the cell of its most similar centre, and a
query reads only the rows of the few cells whose centres are most similar to it. Pure numpy
functions of arrays and a seeded generator, and the `CellLayout` they produce: `index.OwnerIndex`
keeps its rows sorted by cell so that each cell is one contiguous slice of its matrix (no copy
of the vectors).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from personae.memory.embeddings.protocol import Matrix, Vector
from personae.memory.settings import VectorIndexSettings

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


@dataclass
class CellLayout:
    """An owner's rows [0, sorted_rows) sorted by cell: cell c is rows bounds[c]:bounds[c + 1].
    Rows from sorted_rows on, and the `moved` rows (given a new vector since), are in no cell."""

    centres: Matrix
    bounds: NDArray[np.int64]
    sorted_rows: int
    trained_rows: int
    moved: set[int] = field(default_factory=set)

    def unsorted(self, count: int) -> int:
        """Rows in no cell, out of `count`."""
        return count - self.sorted_rows + len(self.moved)

    def slices(
        self, query: Vector, count: int, *, nearest: int, farthest: int
    ) -> list[tuple[int, int]]:
        """Row slices of the `nearest` cells whose centres are most similar to the query, of the
        `farthest` least similar, and of the unsorted rows at the end, front to back."""
        order = np.argsort(-(self.centres @ query), kind="stable")
        cells = np.union1d(order[:nearest], order[::-1][:farthest])
        slices = [(int(self.bounds[cell]), int(self.bounds[cell + 1])) for cell in cells]
        slices.append((self.sorted_rows, count))
        return [(start, end) for start, end in slices if end > start]


def lay_out(
    vectors: Matrix, layout: CellLayout | None, settings: VectorIndexSettings
) -> tuple[NDArray[np.intp], CellLayout] | None:
    """The order to sort `vectors` in and the layout that order makes, or None when `layout`
    will do. Trains the centres when there is no layout or the rows have grown by
    `retrain_growth` since it was trained; sorts the unsorted rows into the existing cells when
    there are more than `unsorted_max_rows` of them."""
    count = int(vectors.shape[0])
    if layout is None or count >= settings.retrain_growth * layout.trained_rows:
        cells = cell_count(count)
        centres = train_centres(
            vectors,
            cells,
            iterations=settings.kmeans_iterations,
            sample_rows=settings.training_rows_per_cell * cells,
            rng=np.random.default_rng(settings.seed),
        )
        cells_of_rows = nearest_cells(vectors, centres)
        trained_rows = count
    elif layout.unsorted(count) > settings.unsorted_max_rows:
        centres, trained_rows = layout.centres, layout.trained_rows
        cells_of_rows = np.empty(count, dtype=np.int32)
        cells_of_rows[: layout.sorted_rows] = np.repeat(
            np.arange(centres.shape[0], dtype=np.int32), np.diff(layout.bounds)
        )
        cells_of_rows[layout.sorted_rows :] = nearest_cells(vectors[layout.sorted_rows :], centres)
        moved = np.array(sorted(layout.moved), dtype=np.intp)
        cells_of_rows[moved] = nearest_cells(vectors[moved], centres)
    else:
        return None
    order: NDArray[np.intp] = np.argsort(cells_of_rows, kind="stable")
    bounds = cell_bounds(cells_of_rows[order], centres.shape[0])
    return order, CellLayout(centres, bounds, sorted_rows=count, trained_rows=trained_rows)
