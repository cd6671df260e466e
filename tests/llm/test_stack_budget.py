"""Budgets and player rate limits: no call is made past them, and the player still gets a line."""

from __future__ import annotations

import asyncio
import logging

import pytest

from personae.domain import Outcome, UsageRecord
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.clock import ManualClock
from personae.llm.fault_server import OpenAIWireServer
from personae.llm.types import CallContext, ChatRequest, user
from personae.llm.usage import InMemoryUsageSink
from tests.llm.conftest import WireBackend
from tests.llm.stack_helpers import make_stack


def request(player: str = "p1", text: str = "Hello") -> ChatRequest:
    return ChatRequest.of([user(text)], context=CallContext(player_id=player))


def spent(player: str, cost: float, clock: ManualClock) -> UsageRecord:
    return UsageRecord(
        player_id=player,
        backend="openai",
        model="gpt-4o-mini",
        cost_usd=cost,
        created_at=clock.now(),
    )


async def test_player_over_budget_gets_a_fallback_line_and_the_server_sees_no_request(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink([spent("p1", 5.00, clock)])
    stack = make_stack([wire_backend()], clock, sink)
    response = await stack.complete(request("p1"))
    assert response.is_fallback_line
    assert response.fallback_reason == "monthly budget exhausted"
    assert wire.seen.requests == 0
    assert sink.query("p1")[-1].outcome is Outcome.FALLBACK


async def test_spending_of_last_month_does_not_count(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink([spent("p1", 5.00, clock)])
    clock.advance(40 * 86_400)
    response = await make_stack([wire_backend()], clock, sink).complete(request("p1"))
    assert not response.is_fallback
    assert wire.seen.requests == 1


async def test_another_players_spending_does_not_block(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink([spent("rich", 5.00, clock)])
    response = await make_stack([wire_backend()], clock, sink).complete(request("p2"))
    assert not response.is_fallback


async def test_overspend_is_at_most_one_call(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink()
    stack = make_stack([wire_backend()], clock, sink, budgets={"monthly_usd": 0.00005})
    for i in range(40):
        if (await stack.complete(request("p1", f"line {i}"))).is_fallback_line:
            break
    else:
        pytest.fail("the budget never ran out")
    costs = [r.cost_usd or 0.0 for r in sink.query("p1") if r.backend == "http"]
    assert sum(costs) - 0.00005 <= max(costs)
    assert sum(costs[:-1]) < 0.00005


async def test_concurrent_calls_cannot_jointly_overspend(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    # One call's ceiling (120 completion tokens at $0.60/1M) is above this budget: while it is in
    # flight, no other call of the player may start.
    stack = make_stack([wire_backend()], clock, budgets={"monthly_usd": 0.00005})
    replies = await asyncio.gather(*(stack.complete(request("p1", f"q{i}")) for i in range(10)))
    assert wire.seen.requests == 1
    assert sum(not r.is_fallback for r in replies) == 1


async def test_warns_once_at_eighty_percent_of_the_budget(
    wire: OpenAIWireServer,
    wire_backend: WireBackend,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = InMemoryUsageSink([spent("p1", 3.99, clock)])
    stack = make_stack([wire_backend()], clock, sink)
    sink.record(spent("p1", 0.02, clock))  # history the ledger loads on the first call
    caplog.set_level(logging.WARNING)
    await stack.complete(request("p1", "a"))
    await stack.complete(request("p1", "b"))
    warnings = [r for r in caplog.records if "of this month's LLM budget" in r.getMessage()]
    assert len(warnings) == 1
    assert stack.budget_status("p1").warning


async def test_unpriced_model_records_unknown_cost_and_warns_once(
    wire: OpenAIWireServer,
    wire_backend: WireBackend,
    clock: ManualClock,
    caplog: pytest.LogCaptureFixture,
) -> None:
    sink = InMemoryUsageSink()
    stack = make_stack([wire_backend(model="mystery-model")], clock, sink)
    caplog.set_level(logging.WARNING)
    await stack.complete(request("p1", "a"))
    await stack.complete(request("p1", "b"))
    assert [r.cost_usd for r in sink.query()] == [None, None]
    assert sum("no price known" in r.getMessage() for r in caplog.records) == 1


async def test_unpriced_model_budget_is_enforced_in_tokens(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    stack = make_stack(
        [wire_backend(model="mystery-model")], clock, budgets={"unpriced_monthly_tokens": 40}
    )
    # Each call here uses about 24 tokens: the second ends the allowance.
    replies = [await stack.complete(request("p1", f"q{i}")) for i in range(4)]
    assert [r.is_fallback_line for r in replies] == [False, False, True, True]
    assert wire.seen.requests == 2


async def test_player_rate_limit_answers_with_fallback_lines_without_calling(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    stack = make_stack([wire_backend()], clock, rate_limits={"player_calls_per_hour": 3})
    replies = [await stack.complete(request("p1", f"q{i}")) for i in range(4)]
    assert [r.is_fallback_line for r in replies] == [False, False, False, True]
    assert "rate limit" in (replies[-1].fallback_reason or "")
    assert wire.seen.requests == 3


async def test_player_rate_limit_frees_up_after_an_hour(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    stack = make_stack([wire_backend()], clock, rate_limits={"player_calls_per_hour": 1})
    await stack.complete(request("p1", "a"))
    clock.advance(3600)
    assert not (await stack.complete(request("p1", "b"))).is_fallback


async def test_default_player_limit_is_sixty_calls_an_hour(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    stack = make_stack([wire_backend()], clock)
    replies = [await stack.complete(request("p1", f"q{i}")) for i in range(61)]
    assert sum(r.is_fallback_line for r in replies) == 1
    assert replies[-1].is_fallback_line


async def test_free_local_calls_skip_the_player_limit(clock: ManualClock) -> None:
    stack = make_stack([ScriptedBackend()], clock, rate_limits={"player_calls_per_hour": 1})
    replies = [await stack.complete(request("p1", f"q{i}")) for i in range(3)]
    assert not any(r.is_fallback for r in replies)
