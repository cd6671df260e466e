"""Cells of similar vectors: seeded spherical k-means and the row layout built on it."""

from __future__ import annotations

import numpy as np

from personae.memory.cells import cell_count, lay_out, nearest_cells, train_centres
from personae.memory.settings import VectorIndexSettings
from tests.memory.factories import clustered_vectors

SETTINGS = VectorIndexSettings(exact_max_rows=100, unsorted_max_rows=50)


def vectors(count: int = 1000, seed: int = 2) -> np.ndarray:
    return clustered_vectors(count, 16, np.random.default_rng(seed), topics=12)


def test_the_same_rows_and_seed_give_the_same_centres() -> None:
    rows = vectors()
    first = train_centres(rows, 12, iterations=5, sample_rows=500, rng=np.random.default_rng(3))
    second = train_centres(rows, 12, iterations=5, sample_rows=500, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(first, second)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)


def test_each_row_belongs_to_the_cell_of_its_most_similar_centre() -> None:
    rows = vectors()
    centres = train_centres(rows, 12, iterations=5, sample_rows=500, rng=np.random.default_rng(3))
    np.testing.assert_array_equal(nearest_cells(rows, centres), np.argmax(rows @ centres.T, axis=1))


def test_cells_group_vectors_of_one_topic() -> None:
    rows = vectors()
    centres = train_centres(rows, 12, iterations=10, sample_rows=1000, rng=np.random.default_rng(3))
    cells = nearest_cells(rows, centres)
    # Rows share their cell with their nearest neighbour far more often than chance (1/12).
    similarity = rows @ rows.T
    np.fill_diagonal(similarity, -2.0)
    neighbours = np.argmax(similarity, axis=1)
    assert np.mean(cells == cells[neighbours]) > 0.8


def test_cells_are_about_the_square_root_of_the_rows() -> None:
    assert cell_count(1_000_000) == 1000
    assert cell_count(10) == 8


def test_a_layout_sorts_rows_by_cell() -> None:
    rows = vectors()
    laid_out = lay_out(rows, None, SETTINGS)
    assert laid_out is not None
    order, layout = laid_out
    cells = nearest_cells(rows[order], layout.centres)
    assert np.all(np.diff(cells) >= 0)
    for cell in range(layout.centres.shape[0]):
        assert np.all(cells[layout.bounds[cell] : layout.bounds[cell + 1]] == cell)


def test_a_layout_is_kept_until_enough_rows_are_unsorted_then_retrained_on_doubling() -> None:
    rows = vectors(2000)
    first = lay_out(rows[:800], None, SETTINGS)
    assert first is not None
    layout = first[1]
    assert lay_out(rows[:840], layout, SETTINGS) is None
    sorted_again = lay_out(rows[:900], layout, SETTINGS)
    assert sorted_again is not None
    np.testing.assert_array_equal(sorted_again[1].centres, layout.centres)
    retrained = lay_out(rows[:1600], layout, SETTINGS)
    assert retrained is not None
    assert retrained[1].trained_rows == 1600
    assert retrained[1].centres.shape[0] == cell_count(1600)
