from __future__ import annotations

import pytest

from personae.domain import Outcome, Purpose, UsageRecord
from personae.store import Store, open_store


def usage(player: str, at: float, **changes: object) -> UsageRecord:
    fields: dict[str, object] = {
        "player_id": player,
        "backend": "openai",
        "model": "gpt-4o-mini",
        "prompt_tokens": 120,
        "completion_tokens": 30,
        "cost_usd": 0.000036,
        "latency_s": 0.42,
        "created_at": at,
    }
    fields.update(changes)
    return UsageRecord.model_validate(fields)


def test_a_recorded_call_comes_back_field_for_field(store: Store) -> None:
    record = usage(
        "ana",
        1_700_000_000.5,
        conversation_id="c1",
        persona_id="bard",
        purpose=Purpose.FACT_EXTRACTION,
        outcome=Outcome.RETRIED,
    )
    store.usage.record(record)
    assert store.usage.query() == [record]


def test_an_unknown_price_stays_unknown_not_zero(store: Store) -> None:
    store.usage.record(usage("ana", 1.0, cost_usd=None))
    assert store.usage.query()[0].cost_usd is None


def test_query_filters_by_player_and_since_in_recording_order(store: Store) -> None:
    store.usage.record_many(
        [usage("ana", 30.0), usage("bo", 20.0), usage("ana", 10.0), usage("ana", 20.0)]
    )
    store.usage.record(usage("ana", 15.0))
    assert [r.created_at for r in store.usage.query(player_id="ana")] == [30.0, 10.0, 20.0, 15.0]
    assert [r.created_at for r in store.usage.query(player_id="ana", since=20.0)] == [30.0, 20.0]
    assert [r.player_id for r in store.usage.query(since=15.0)] == ["ana", "bo", "ana", "ana"]


def test_usage_survives_reopening_the_database(store_url: str) -> None:
    with open_store(store_url) as first:
        first.usage.record(usage("ana", 5.0))
    with open_store(store_url) as second:
        assert second.usage.query() == [usage("ana", 5.0)]


@pytest.mark.parametrize("player", [None, "nobody"])
def test_an_empty_store_has_no_usage(store: Store, player: str | None) -> None:
    assert store.usage.query(player_id=player) == []
