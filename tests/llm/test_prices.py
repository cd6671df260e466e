"""Prices: shipped, overridable, local models at 0, unknown models never a silent $0."""

from __future__ import annotations

import logging

import pytest

from personae.llm.prices import Price, PriceBook
from personae.llm.types import Usage

MILLION = Usage(1_000_000, 1_000_000)


def test_known_model_costs_input_plus_output() -> None:
    assert PriceBook().cost("openai", "gpt-4o-mini", MILLION) == pytest.approx(0.75)


def test_dated_snapshots_and_vendor_prefixes_find_their_model() -> None:
    book = PriceBook()
    assert book.price("gpt-4o-mini-2024-07-18") == book.price("gpt-4o-mini")
    assert book.price("openai/gpt-4o") == book.price("gpt-4o")


def test_a_snapshot_does_not_borrow_a_shorter_models_price() -> None:
    assert PriceBook().price("gpt-4o-mini") != PriceBook().price("gpt-4o")


def test_overrides_replace_and_add_prices() -> None:
    book = PriceBook(overrides={"gpt-4o-mini": Price(1, 1), "house": Price(2, 0)})
    assert book.cost("openai", "gpt-4o-mini", MILLION) == 2.0
    assert book.cost("http", "house", MILLION) == 2.0


@pytest.mark.parametrize("backend", ["embedded", "scripted", "fallback", "ollama"])
def test_local_backends_cost_exactly_zero(backend: str) -> None:
    assert PriceBook().cost(backend, "anything", MILLION) == 0.0


def test_unknown_model_costs_none_and_warns_once(caplog: pytest.LogCaptureFixture) -> None:
    book = PriceBook()
    caplog.set_level(logging.WARNING)
    assert book.cost("http", "mystery", MILLION) is None
    assert book.cost("http", "mystery", MILLION) is None
    assert sum("mystery" in r.getMessage() for r in caplog.records) == 1
