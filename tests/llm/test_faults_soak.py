"""30% injected faults: 100 conversations of 10 turns through the full wrapper stack.

A "conversation" here is two personas taking turns, each turn one call with the speaker as
context; the real conversation engine comes later. Nothing may escape, no turn may be lost,
every call must leave a usage row, and the fallback rate is reported.
"""

from __future__ import annotations

import asyncio

from personae.domain import Outcome, Persona
from personae.llm.clock import ManualClock
from personae.llm.fault_server import FAULTS, STREAM_FAULTS, OpenAIWireServer
from personae.llm.report import totals
from personae.llm.stack import LLMStack
from personae.llm.types import CallContext, ChatRequest, ChatResponse, system, user
from personae.llm.usage import InMemoryUsageSink
from tests.llm.conftest import WireBackend
from tests.llm.stack_helpers import make_stack

CONVERSATIONS = 100
TURNS = 10


async def converse(
    stack: LLMStack, index: int, a: Persona, b: Persona, streaming: bool
) -> list[ChatResponse]:
    said = "Good day."
    replies = []
    for turn in range(TURNS):
        speaker, listener = (a, b) if turn % 2 == 0 else (b, a)
        context = CallContext(
            player_id=f"player-{index % 10}",
            conversation_id=f"c{index}",
            persona=speaker,
            listener_name=listener.name,
            affinity=(index * 7) % 200 - 100,
            topic="politics",
        )
        request = ChatRequest.of(
            [system(f"You are {speaker.name}."), user(f"{said} (turn {turn} of c{index})")],
            context=context,
        )
        if streaming:
            final = None
            async for chunk in stack.stream(request):
                final = chunk.response or final
            assert final is not None
            reply = final
        else:
            reply = await stack.complete(request)
        replies.append(reply)
        said = reply.text
    return replies


async def run_soak(
    wire: OpenAIWireServer,
    wire_backend: WireBackend,
    clock: ManualClock,
    king: Persona,
    mara: Persona,
    *,
    conversations: int,
    streaming: bool,
) -> tuple[list[list[ChatResponse]], InMemoryUsageSink]:
    sink = InMemoryUsageSink()
    stack = make_stack(
        [wire_backend(timeout_s=0.25, stream_idle_timeout_s=0.2)],
        clock,
        sink,
        rate_limits={"player_calls_per_hour": 1000},
    )
    results = await asyncio.gather(
        *(converse(stack, i, king, mara, streaming) for i in range(conversations))
    )
    await stack.aclose()
    return results, sink


async def test_hundred_conversations_survive_thirty_percent_faults(
    wire: OpenAIWireServer,
    wire_backend: WireBackend,
    clock: ManualClock,
    king: Persona,
    mara: Persona,
    record_property: object,
) -> None:
    wire.fault_rate = 0.3
    wire.faults = FAULTS
    results, sink = await run_soak(
        wire, wire_backend, clock, king, mara, conversations=CONVERSATIONS, streaming=False
    )
    assert [len(replies) for replies in results] == [TURNS] * CONVERSATIONS
    assert all(reply.text for replies in results for reply in replies)
    rows = sink.query()
    assert len(rows) == CONVERSATIONS * TURNS
    assert {(r.conversation_id, r.persona_id) for r in rows} >= {("c0", "king"), ("c0", "mara")}
    summary = totals(rows)
    faults_seen = sum(f != "ok" for f in wire.seen.faults)
    assert faults_seen / wire.seen.requests > 0.2
    assert summary.retried > 0
    fallbacks = sum(reply.is_fallback for replies in results for reply in replies)
    assert summary.fallbacks == fallbacks
    record_property("fallback_rate", summary.fallback_rate)  # type: ignore[operator]
    print(
        f"\n30% faults: {wire.seen.requests} requests, {faults_seen} faults, "
        f"{summary.retried} retried calls, fallback rate {summary.fallback_rate:.2%}"
    )
    assert summary.fallback_rate < 0.05


async def test_streamed_conversations_survive_thirty_percent_faults(
    wire: OpenAIWireServer,
    wire_backend: WireBackend,
    clock: ManualClock,
    king: Persona,
    mara: Persona,
) -> None:
    wire.fault_rate = 0.3
    wire.stream_faults = STREAM_FAULTS
    results, sink = await run_soak(
        wire, wire_backend, clock, king, mara, conversations=20, streaming=True
    )
    assert all(len(replies) == TURNS for replies in results)
    assert all(reply.text for replies in results for reply in replies)
    rows = sink.query()
    assert len(rows) == 20 * TURNS
    assert not any(r.outcome is Outcome.ERROR for r in rows)
