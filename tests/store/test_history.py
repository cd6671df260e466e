from __future__ import annotations

import pytest

from personae.store import Store, StoreError
from personae.store.records import InteractionRecord


def interaction(
    record_id: str, a: str = "bard", b: str = "smith", at: float = 0.0
) -> InteractionRecord:
    return InteractionRecord(
        id=record_id,
        persona1_id=a,
        persona2_id=b,
        duration_s=95.5,
        topics=["dragons", "mead"],
        satisfaction_score=72.5,
        turn_order=[a, b, a],
        response_quality_scores=[{"words": 12.0}, {"words": 7.0}, {"words": 9.0}],
        continue_score_history={a: [80.0, 70.5], b: [60.0, 38.0]},
        token_usage=640,
        exit_reason="fatigue",
        world_time_s=at,
        created_at=1_700_000_000.0,
    )


def test_an_interaction_comes_back_equal(store: Store) -> None:
    stored = store.history.add(interaction("h1"))
    assert store.history.between("smith", "bard") == [stored]


def test_created_at_is_set_when_missing(store: Store) -> None:
    stored = store.history.add(interaction("h1").model_copy(update={"created_at": 0.0}))
    assert stored.created_at > 0


def test_history_is_newest_first_and_per_pair_or_persona(store: Store) -> None:
    store.history.add(interaction("h1", at=10))
    store.history.add(interaction("h2", "smith", "bard", at=30))
    store.history.add(interaction("h3", "bard", "abbot", at=20))
    assert [h.id for h in store.history.between("bard", "smith")] == ["h2", "h1"]
    assert [h.id for h in store.history.of("bard")] == ["h2", "h3", "h1"]
    assert [h.id for h in store.history.of("bard", limit=1)] == ["h2"]


def test_history_of_another_run_is_separate(store: Store) -> None:
    store.for_run("r1").history.add(interaction("h1"))
    assert store.history.of("bard") == []


def test_an_interaction_of_an_unknown_conversation_is_refused(store: Store) -> None:
    with pytest.raises(StoreError, match="'ghost'"):
        store.history.add(interaction("h1").model_copy(update={"conversation_id": "ghost"}))
