"""The OpenAI-compatible backend against a real server: llama-cpp-python's own, on loopback."""

from __future__ import annotations

import json
import logging
import random

import pytest

from personae.domain import Outcome
from personae.llm.backends.openai_compat import OpenAICompatibleBackend
from personae.llm.clock import ManualClock
from personae.llm.errors import PermanentBackendError
from personae.llm.settings import LLMSettings
from personae.llm.spec import SpecChoice
from personae.llm.stack import LLMStack
from personae.llm.types import CallContext, ChatRequest, system, user
from personae.llm.usage import InMemoryUsageSink

GREETING = ChatRequest.of(
    [system("You are a tavern keeper. One short sentence."), user("Any news?")],
    max_tokens=12,
    temperature=0.0,
    seed=3,
)


def backend(base_url: str, model: str = "smollm2") -> OpenAICompatibleBackend:
    return OpenAICompatibleBackend(
        base_url=base_url, model=model, timeout_s=60, json_format="json_object"
    )


async def test_completes_against_llama_cpp_server(llama_server: str) -> None:
    client = backend(llama_server)
    response = await client.complete(GREETING)
    await client.aclose()
    assert response.text
    assert 0 < response.usage.completion_tokens <= 12
    assert response.usage.prompt_tokens > 5
    assert response.latency_s > 0


async def test_streams_against_llama_cpp_server(llama_server: str) -> None:
    client = backend(llama_server)
    chunks = [c async for c in client.stream(GREETING)]
    await client.aclose()
    final = chunks[-1].response
    assert final is not None
    assert final.text
    assert "".join(c.text for c in chunks).strip() == final.text


async def test_json_schema_against_llama_cpp_server(llama_server: str) -> None:
    schema = {
        "type": "object",
        "properties": {"weather": {"type": "string", "enum": ["rain", "sun"]}},
        "required": ["weather"],
    }
    client = backend(llama_server)
    request = ChatRequest.of([user("Is it raining?")], json_schema=schema, max_tokens=24)
    response = await client.complete(request)
    await client.aclose()
    assert json.loads(response.text)["weather"] in ("rain", "sun")


async def test_an_unknown_route_is_a_permanent_error(llama_server: str) -> None:
    client = backend(llama_server.removesuffix("/v1") + "/nowhere")
    with pytest.raises(PermanentBackendError):
        await client.complete(GREETING)
    await client.aclose()


async def test_through_the_stack_by_spec_with_usage_and_unknown_price(
    llama_server: str, caplog: pytest.LogCaptureFixture
) -> None:
    sink = InMemoryUsageSink()
    clock = ManualClock()
    stack = LLMStack(
        LLMSettings(http={"json_format": "json_object"}),
        sink=sink,
        forced=SpecChoice(f"{llama_server}#smollm2", "test"),
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(0),
        env={},
    )
    caplog.set_level(logging.WARNING)
    response = await stack.complete(
        ChatRequest.of(GREETING.messages, seed=3, context=CallContext(player_id="p1"))
    )
    await stack.aclose()
    (row,) = sink.query()
    assert not response.is_fallback
    assert (row.backend, row.outcome, row.cost_usd) == ("http", Outcome.OK, None)
    assert row.completion_tokens == response.usage.completion_tokens
    assert "no price known" in caplog.text
