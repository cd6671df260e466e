"""The composed stack: routing, fixed max_tokens, fallback chain, one usage row per call."""

from __future__ import annotations

import asyncio
import json

import jsonschema
import pytest

from personae.domain import Outcome, Persona, Purpose
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.clock import ManualClock
from personae.llm.fallback_lines import EXIT_LINES, LINES, AffinityBand
from personae.llm.fault_server import OpenAIWireServer
from personae.llm.settings import LLMSettings
from personae.llm.spec import SpecChoice
from personae.llm.stack import LLMStack
from personae.llm.types import CallContext, ChatRequest, system, user
from personae.llm.usage import InMemoryUsageSink
from personae.llm.wrappers.concurrency import ConcurrencyLimit
from tests.llm.conftest import WireBackend
from tests.llm.stack_helpers import make_stack


def ask(text: str = "Hello", **context: object) -> ChatRequest:
    return ChatRequest.of([system("Be brief."), user(text)], context=CallContext(**context))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("context", "asked", "sent"),
    [
        ({}, None, 120),
        ({"tier": "constrained"}, None, 80),
        ({}, 500, 120),
        ({}, 30, 30),
        ({"purpose": Purpose.SUMMARIZATION}, None, 256),
    ],
)
async def test_max_tokens_is_fixed_per_tier_and_purpose(
    wire: OpenAIWireServer,
    wire_backend: WireBackend,
    clock: ManualClock,
    context: dict[str, object],
    asked: int | None,
    sent: int,
) -> None:
    stack = make_stack([wire_backend()], clock)
    request = ChatRequest.of([user("Hi")], max_tokens=asked, context=CallContext(**context))  # type: ignore[arg-type]
    await stack.complete(request)
    assert wire.seen.bodies[0]["max_tokens"] == sent


def test_a_capped_request_is_the_request_asked_for_with_that_limit() -> None:
    # The stack caps every call's max_tokens with a copy that keeps the prompt's estimate
    # rather than counting its messages again: the copy must be what asking for it would give.
    messages = [system("You are Mara, who keeps the Prancing Pony."), user("Gorin: Ale, please.")]
    options: dict[str, object] = {"temperature": 0.3, "seed": 9, "stop": ("\n",)}
    asked = ChatRequest.of(messages, **options)
    capped = asked.with_max_tokens(64)
    expected = ChatRequest.of(messages, max_tokens=64, **options)
    assert capped == expected
    assert capped.prompt_estimate == expected.prompt_estimate > 0
    assert asked.max_tokens is None  # the original is left as it was
    with pytest.raises(ValueError, match="max_tokens must be at least 1, got 0"):
        asked.with_max_tokens(0)


async def test_every_call_writes_one_usage_row_with_its_context(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock, king: Persona
) -> None:
    sink = InMemoryUsageSink()
    stack = make_stack([wire_backend()], clock, sink)
    await stack.complete(
        ask(player_id="p9", conversation_id="c1", persona=king, purpose=Purpose.JUDGE)
    )
    (row,) = sink.query()
    assert (row.player_id, row.conversation_id, row.persona_id) == ("p9", "c1", "king")
    assert (row.backend, row.model, row.purpose) == ("http", "gpt-4o-mini", Purpose.JUDGE)
    assert row.prompt_tokens == 20
    assert row.completion_tokens > 0
    assert row.cost_usd == pytest.approx((20 * 0.15 + row.completion_tokens * 0.60) / 1e6)
    assert row.outcome is Outcome.OK
    assert row.created_at == clock.now()


async def test_a_retried_call_is_recorded_as_retried(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink()
    wire.script.extend(["429", "ok"])
    await make_stack([wire_backend()], clock, sink).complete(ask())
    assert [r.outcome for r in sink.query()] == [Outcome.RETRIED]
    assert clock.slept == [2.0]


async def test_the_next_backend_answers_when_the_first_fails(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink()
    wire.script.extend(["401"])
    stack = make_stack([wire_backend(), ScriptedBackend()], clock, sink)
    response = await stack.complete(ask())
    assert response.backend == "scripted"
    assert "auth" in (response.fallback_reason or "")
    assert sink.query()[0].outcome is Outcome.FALLBACK


async def test_when_every_backend_fails_a_line_fits_the_affinity(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock, king: Persona
) -> None:
    wire.script.extend(["401", "401"])
    stack = make_stack([wire_backend()], clock)
    friendly = await stack.complete(ask(persona=king, listener_name="Mara", affinity=80))
    hostile = await stack.complete(ask(persona=king, listener_name="Mara", affinity=-60))
    high = {line.replace("{listener}", "Mara") for line in LINES[AffinityBand.HIGH]}
    high = {line.replace("{topic}", "military strategy") for line in high}
    assert friendly.text in high
    assert hostile.text in LINES[AffinityBand.LOW]
    assert friendly.is_fallback_line


async def test_a_fallback_goodbye_uses_the_personas_own_exit_line(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock, king: Persona
) -> None:
    wire.script.append("401")
    response = await make_stack([wire_backend()], clock).complete(
        ask(persona=king, wants_exit=True)
    )
    assert response.text == "I must attend to my troops."


async def test_a_fallback_goodbye_without_own_lines_uses_the_band(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock, mara: Persona
) -> None:
    wire.script.append("401")
    stack = make_stack([wire_backend()], clock)
    response = await stack.complete(ask(persona=mara, wants_exit=True, affinity=10))
    assert response.text in EXIT_LINES[AffinityBand.MEDIUM]


async def test_a_json_request_falls_back_to_valid_json(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    schema = {
        "type": "object",
        "properties": {"facts": {"type": "array", "items": {"type": "string"}}},
        "required": ["facts"],
    }
    wire.script.append("401")
    request = ChatRequest.of(
        [user("Mara keeps a cat named Whiskers. The king rides north tomorrow.")],
        json_schema=schema,
    )
    response = await make_stack([wire_backend()], clock).complete(request)
    document = json.loads(response.text)
    jsonschema.validate(document, schema)
    assert "Mara keeps a cat named Whiskers." in document["facts"]


async def test_concurrency_limit_caps_calls_in_flight(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    wire.latency_s = 0.05
    limited = ConcurrencyLimit(wire_backend(), 3)
    await asyncio.gather(*(limited.complete(ask(f"q{i}")) for i in range(10)))
    assert limited.peak_in_flight == 3
    assert wire.seen.requests == 10


async def test_backend_requests_per_minute_make_calls_wait(clock: ManualClock) -> None:
    stack = make_stack([ScriptedBackend()], clock, rate_limits={"backend_requests_per_minute": 2})
    for i in range(3):
        await stack.complete(ask(f"q{i}"))
    assert clock.slept == [pytest.approx(30.0)]


async def test_backend_tokens_per_minute_make_calls_wait(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    # Each call reserves its prompt plus 120 completion tokens: two at once exceed 200 a minute.
    stack = make_stack([wire_backend()], clock, rate_limits={"backend_tokens_per_minute": 200})
    await asyncio.gather(stack.complete(ask("first")), stack.complete(ask("second")))
    (waited,) = clock.slept
    assert 0 < waited <= 60


async def test_unused_reserved_tokens_are_given_back(clock: ManualClock) -> None:
    stack = make_stack([ScriptedBackend()], clock, rate_limits={"backend_tokens_per_minute": 200})
    for i in range(4):
        await stack.complete(ask(f"q{i}"))
    assert clock.slept == []


async def test_a_stream_that_breaks_midway_ends_with_its_words_and_is_recorded(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    sink = InMemoryUsageSink()
    wire.script.append("stall")
    chunks = [c async for c in make_stack([wire_backend()], clock, sink).stream(ask())]
    final = chunks[-1].response
    assert final is not None
    assert final.text
    assert (final.fallback_reason or "").startswith("stream interrupted")
    assert [r.outcome for r in sink.query()] == [Outcome.FALLBACK]


async def test_a_stream_that_cannot_start_falls_back_to_a_line(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.append("401")
    chunks = [c async for c in make_stack([wire_backend()], clock).stream(ask())]
    final = chunks[-1].response
    assert final is not None
    assert final.is_fallback_line
    assert "".join(c.text for c in chunks) == final.text


def test_forced_spec_wins_over_persona_and_purpose_entries() -> None:
    settings = LLMSettings(
        default="scripted",
        personas={"king": "openai:gpt-4o"},
        purposes={Purpose.SUMMARIZATION: "ollama:llama3"},
    )
    stack = LLMStack(settings)
    assert stack.spec_for("king").text == "openai:gpt-4o"
    assert stack.spec_for("mara", Purpose.SUMMARIZATION).text == "ollama:llama3"
    assert stack.spec_for("mara").text == "scripted"
    assert stack.spec_for("king", Purpose.SUMMARIZATION).text == "openai:gpt-4o"
    forced = LLMStack(settings, forced=SpecChoice("embedded", "--llm"))
    assert forced.spec_for("king", Purpose.SUMMARIZATION).text == "embedded"


async def test_calls_route_to_the_persona_backend(
    wire: OpenAIWireServer, clock: ManualClock, king: Persona, mara: Persona
) -> None:
    settings = LLMSettings(default="scripted", personas={"king": f"{wire.base_url}#gpt-4o-mini"})
    stack = LLMStack(settings, clock=clock, sleep=clock.sleep, env={})
    to_king = await stack.complete(ask(persona=king))
    to_mara = await stack.complete(ask(persona=mara))
    await stack.aclose()
    assert (to_king.backend, to_mara.backend) == ("http", "scripted")
    assert wire.seen.requests == 1
