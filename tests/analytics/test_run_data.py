from __future__ import annotations

import pytest
from pydantic import ValidationError

from personae.analytics import FactLearned, RunData
from personae.domain import Memory, MemoryKind
from tests.analytics.builders import CONVERSATIONS, crossroads, turn


def test_turns_of_a_conversation_are_ordered_by_index_whatever_the_input_order() -> None:
    run = crossroads(
        turns=[
            turn("c2", 2, "bard", [], "c", 30, 280),
            turn("c2", 0, "keeper", [], "a", 70, 180),
            turn("c2", 1, "merchant", [], "b", 50, 220),
        ]
    )

    assert [t.index for t in run.turns_of("c2")] == [0, 1, 2]


def test_a_conversation_without_turns_has_none() -> None:
    assert crossroads(turns=[]).turns_of("c1") == ()


def test_a_turn_of_an_unknown_conversation_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown conversation 'nope'"):
        crossroads(turns=[turn("nope", 0, "bard", [], "hi", 50, 0)])


def test_two_turns_with_one_index_are_rejected() -> None:
    with pytest.raises(ValidationError, match="two turns with one index"):
        crossroads(
            turns=[turn("c1", 0, "bard", [], "a", 50, 0), turn("c1", 0, "merchant", [], "b", 50, 1)]
        )


def test_a_clock_before_the_start_is_rejected() -> None:
    with pytest.raises(ValidationError, match="before start_s"):
        crossroads(start_s=100, clock_s=50)


def test_a_running_conversation_lasts_until_the_clock() -> None:
    run = crossroads()
    running = next(c for c in CONVERSATIONS if c.id == "c7")

    assert run.duration_s(running) == 40


def test_ticks_count_whole_ticks_of_the_span() -> None:
    assert crossroads(clock_s=630).ticks == 10


def test_an_unknown_persona_is_named_by_its_id() -> None:
    run = crossroads()

    assert run.persona_name("bard") == "Bard Lyralei"
    assert run.persona_name("ghost") == "ghost"


def test_run_data_is_immutable() -> None:
    run = crossroads()

    with pytest.raises(ValidationError):
        run.clock_s = 5  # type: ignore[misc]


def test_run_data_builds_from_plain_lists() -> None:
    run = RunData(world_name="Empty", tick_s=30, clock_s=0)

    assert run.conversations == ()
    assert run.ticks == 0


def test_fact_provenance_comes_from_a_persona_memory() -> None:
    memory = Memory(
        id="m9",
        owner_id="keeper",
        kind=MemoryKind.FACT,
        text="Lights near the ruins",
        told_by="merchant",
        source_conversation_id="c2",
        created_at_s=200,
    )

    learned = FactLearned.from_memory(memory, fact_id="lights")

    assert learned == FactLearned(
        fact_id="lights",
        text="Lights near the ruins",
        learner_id="keeper",
        told_by="merchant",
        at_s=200,
        conversation_id="c2",
    )
