"""Seed 002's fallback lines: by affinity band, goodbyes, labelled, reproducible."""

from __future__ import annotations

import pytest

from personae.domain import Persona
from personae.llm.fallback_lines import (
    LINES,
    AffinityBand,
    FallbackLines,
    affinity_band,
)
from personae.llm.settings import FallbackLineSettings
from personae.llm.types import CallContext, ChatRequest, user


@pytest.mark.parametrize(
    ("affinity", "band"),
    [(100, "high"), (40, "high"), (39.9, "medium"), (0, "medium"), (-0.1, "low"), (-100, "low")],
)
def test_affinity_bands(affinity: float, band: str) -> None:
    assert affinity_band(affinity, FallbackLineSettings()) == band


def test_a_response_is_labelled_as_a_fallback_with_its_reason(king: Persona) -> None:
    request = ChatRequest.of([user("Hi")], context=CallContext(persona=king))
    response = FallbackLines().response(request, "openai gpt-4o: timeout")
    assert response.is_fallback_line
    assert response.fallback_reason == "openai gpt-4o: timeout"
    assert response.usage.total_tokens == 0


def test_the_same_call_gets_the_same_line(king: Persona) -> None:
    request = ChatRequest.of([user("Hi")], context=CallContext(persona=king, conversation_id="c"))
    assert FallbackLines(seed=3).line(request) == FallbackLines(seed=3).line(request)


def test_a_line_with_braces_in_the_persona_text_does_not_break() -> None:
    odd = Persona(id="odd", name="Odd", exit_lines={"any": ["Farewell {you} and {listener}"]})
    request = ChatRequest.of(
        [user("Hi")], context=CallContext(persona=odd, wants_exit=True, listener_name="Bo")
    )
    assert FallbackLines().line(request) == "Farewell {you} and Bo"


def test_low_affinity_lines_stay_curt(mara: Persona) -> None:
    request = ChatRequest.of([user("Hi")], context=CallContext(persona=mara, affinity=-80))
    assert FallbackLines().line(request) in LINES[AffinityBand.LOW]


def test_a_line_the_conversation_already_heard_is_not_said_again(mara: Persona) -> None:
    request = ChatRequest.of([user("Hi")], context=CallContext(persona=mara, affinity=-80))
    lines = FallbackLines()
    said: set[str] = set()
    for _ in LINES[AffinityBand.LOW]:
        said.add(lines.line(request, said=said))
    assert said == set(LINES[AffinityBand.LOW])  # each once, while one was left
    assert lines.line(request, said=said) in LINES[AffinityBand.LOW]  # then any again


@pytest.mark.parametrize(
    ("name", "called"),
    [
        ("Mara the Tavern Keeper", "Mara"),
        ("Petra the Spice Seller", "Petra"),
        ("King Aldric", "King Aldric"),
        ("The Oracle", "The Oracle"),
    ],
)
def test_the_listener_is_called_as_one_addresses_them(name: str, called: str) -> None:
    odd = Persona(id="odd", name="Odd", exit_lines={"any": ["Farewell, {listener}."]})
    request = ChatRequest.of(
        [user("Hi")], context=CallContext(persona=odd, wants_exit=True, listener_name=name)
    )
    assert FallbackLines().line(request) == f"Farewell, {called}."
