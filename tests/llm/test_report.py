"""Usage and budget reports as pure functions over usage rows."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from personae.domain import Outcome, Purpose, UsageRecord
from personae.llm.report import (
    GroupBy,
    budget_status,
    grouped,
    month_start,
    totals,
    usage_report,
)
from personae.llm.settings import BudgetPolicy
from personae.llm.usage import InMemoryUsageSink

MAY_10 = datetime(2025, 5, 10, 12, tzinfo=UTC).timestamp()
MAY_11 = datetime(2025, 5, 11, 9, tzinfo=UTC).timestamp()
APRIL_30 = datetime(2025, 4, 30, 23, 59, tzinfo=UTC).timestamp()


def row(player: str = "p1", cost: float | None = 0.01, **fields: object) -> UsageRecord:
    values: dict[str, object] = {
        "player_id": player,
        "backend": "openai",
        "model": "gpt-4o-mini",
        "prompt_tokens": 100,
        "completion_tokens": 20,
        "cost_usd": cost,
        "created_at": MAY_10,
    }
    values.update(fields)
    return UsageRecord.model_validate(values)


def test_month_start_is_the_first_of_the_utc_month() -> None:
    assert month_start(MAY_10) == datetime(2025, 5, 1, tzinfo=UTC).timestamp()


def test_totals_keep_unpriced_calls_apart_from_dollars() -> None:
    summary = totals([row(cost=0.5), row(cost=None), row(outcome=Outcome.FALLBACK, cost=0.0)])
    assert summary.calls == 3
    assert summary.cost_usd == 0.5
    assert (summary.unpriced_calls, summary.unpriced_tokens) == (1, 120)
    assert summary.fallback_rate == pytest.approx(1 / 3)


@pytest.mark.parametrize(
    ("by", "keys"),
    [
        (GroupBy.PURPOSE, ["conversation", "summarization"]),
        (GroupBy.MODEL, ["openai:gpt-4o-mini", "scripted:scripted-templates"]),
        (GroupBy.DAY, ["2025-05-10", "2025-05-11"]),
        (GroupBy.PLAYER, ["p1", "p2"]),
    ],
)
def test_grouping(by: GroupBy, keys: list[str]) -> None:
    rows = [
        row(),
        row(
            "p2",
            purpose=Purpose.SUMMARIZATION,
            backend="scripted",
            model="scripted-templates",
            created_at=MAY_11,
        ),
    ]
    assert list(grouped(rows, by)) == keys


def test_budget_counts_only_this_month() -> None:
    rows = [row(cost=4.0, created_at=APRIL_30), row(cost=3.0), row(cost=1.5, created_at=MAY_11)]
    status = budget_status(rows, "p1", BudgetPolicy(), now=MAY_11)
    assert status.spent_usd == 4.5
    assert status.warning
    assert not status.over_dollars


def test_budget_over_in_unpriced_tokens() -> None:
    rows = [row(cost=None, prompt_tokens=900, completion_tokens=100)]
    status = budget_status(rows, "p1", BudgetPolicy(unpriced_monthly_tokens=1000), now=MAY_10)
    assert status.over_tokens
    assert status.spent_usd == 0.0


def test_report_is_json_ready_with_budgets_per_player() -> None:
    report = usage_report([row(), row("p2", cost=6.0)], GroupBy.PLAYER, BudgetPolicy(), MAY_10)
    assert report["totals"]["calls"] == 2
    assert report["groups"]["p2"]["cost_usd"] == 6.0
    over = {b["player_id"]: b["over_dollars"] for b in report["budgets"]}
    assert over == {"p1": False, "p2": True}


def test_in_memory_sink_filters_by_player_and_time() -> None:
    sink = InMemoryUsageSink([row("p1", created_at=APRIL_30), row("p1"), row("p2")])
    assert len(sink.query()) == 3
    assert len(sink.query("p1")) == 2
    assert len(sink.query("p1", since=MAY_10)) == 1
    assert len(sink.query(since=MAY_10)) == 2
