from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from personae.domain import ConversationContext, InteractionState, Persona, Priority
from personae.dynamics.batch import ScoreRows, batch_continue_scores
from personae.dynamics.score import continue_score, continue_total
from personae.dynamics.settings import DynamicsSettings, ScoreSettings

TOPICS = ["trade", "politics", "gossip"]


@st.composite
def personas(draw: st.DrawFn, persona_id: str) -> Persona:
    return Persona(
        id=persona_id,
        name=persona_id,
        status=draw(st.integers(0, 10)),
        charisma=draw(st.integers(3, 18)),
        topics=draw(st.dictionaries(st.sampled_from(TOPICS), st.integers(0, 100), max_size=3)),
        state=InteractionState(
            current_priority=draw(st.sampled_from(list(Priority))),
            interest_level=draw(st.floats(0, 100)),
            interaction_fatigue=draw(st.floats(0, 100)),
            available_time_s=draw(st.floats(0, 2000)),
        ),
    )


@st.composite
def rows(draw: st.DrawFn) -> tuple[Persona, Persona, ConversationContext, float]:
    a, b = draw(personas("a")), draw(personas("b"))
    ctx = ConversationContext(
        participants=["a", "b"],
        topic=draw(st.sampled_from([*TOPICS, "unknown"])),
        topic_drift_count=draw(st.integers(0, 6)),
        duration_s=draw(st.floats(0, 1200)),
        token_budget=draw(st.integers(-200, 2000)),
        invited=draw(st.sampled_from([frozenset(), frozenset({"b"})])),
    )
    return a, b, ctx, draw(st.floats(-100, 100))


@given(st.lists(rows(), min_size=1, max_size=20))
@settings(max_examples=100, deadline=None)
def test_batch_scores_equal_the_scalar_scores(
    batch: list[tuple[Persona, Persona, ConversationContext, float]],
) -> None:
    expected = [continue_score(a, b, c, affinity).total for a, b, c, affinity in batch]
    got = batch_continue_scores(ScoreRows.from_pairs(batch))
    assert got.tolist() == expected


@given(rows())
@settings(max_examples=100, deadline=None)
def test_the_unworded_total_equals_the_breakdowns_total(
    row: tuple[Persona, Persona, ConversationContext, float],
) -> None:
    a, b, ctx, affinity = row
    assert continue_total(a, b, ctx, affinity) == continue_score(a, b, ctx, affinity).total


@given(st.lists(rows(), min_size=1, max_size=5), st.floats(20, 80), st.floats(0.1, 1.0))
@settings(max_examples=50, deadline=None)
def test_batch_follows_the_same_settings(
    batch: list[tuple[Persona, Persona, ConversationContext, float]], threshold: float, decay: float
) -> None:
    custom = DynamicsSettings(
        score=ScoreSettings(
            continue_threshold=threshold,
            time_decay_points_per_s={p: decay for p in Priority},
        )
    )
    expected = [continue_score(a, b, c, aff, custom).total for a, b, c, aff in batch]
    assert batch_continue_scores(ScoreRows.from_pairs(batch, custom), custom).tolist() == expected


def test_rows_of_different_lengths_are_refused() -> None:
    one = np.zeros(1)
    two = np.zeros(2)
    with pytest.raises(ValueError, match="one length"):
        ScoreRows(
            priority=one.astype(np.int64),
            duration_s=two,
            status_self=one.astype(np.int64),
            status_other=one.astype(np.int64),
            invited=one.astype(np.bool_),
            charisma_self=one.astype(np.int64),
            charisma_other=one.astype(np.int64),
            preference_self=one,
            interest_self=one,
            preference_other=one,
            interest_other=one,
            drift_count=one.astype(np.int64),
            fatigue=one,
            affinity=one,
            available_time_s=one,
            token_budget=one.astype(np.int64),
        )
