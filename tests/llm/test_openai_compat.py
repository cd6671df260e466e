"""The OpenAI-compatible backend against the loopback wire server: answers and every fault."""

from __future__ import annotations

import logging

import pytest

from personae.llm.backends.openai_compat import parse_retry_after
from personae.llm.errors import PermanentBackendError, TransientBackendError
from personae.llm.fault_server import OpenAIWireServer
from personae.llm.types import ChatRequest, user
from tests.llm.conftest import WireBackend

REQUEST = ChatRequest.of([user("Hello there")], max_tokens=20)


async def test_complete_returns_text_usage_model_and_latency(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    response = await wire_backend().complete(REQUEST)
    assert response.text.startswith("Reply 1 to: Hello there")
    assert response.usage.prompt_tokens == 20
    assert response.model == "gpt-4o-mini"
    assert response.backend == "http"
    assert response.latency_s > 0


async def test_request_carries_sampling_options(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    request = ChatRequest.of(
        [user("Hi")], temperature=0.3, top_p=0.9, max_tokens=42, stop=("\n",), seed=7
    )
    await wire_backend().complete(request)
    body = wire.seen.bodies[0]
    assert (body["temperature"], body["top_p"], body["max_tokens"]) == (0.3, 0.9, 42)
    assert (body["stop"], body["seed"]) == (["\n"], 7)


async def test_json_schema_request_uses_openai_structured_output_format(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    schema = {"type": "object", "properties": {"summary": {"type": "string"}}}
    await wire_backend().complete(ChatRequest.of([user("Sum up")], json_schema=schema))
    assert wire.seen.bodies[0]["response_format"] == {
        "type": "json_schema",
        "json_schema": {"name": "reply", "schema": schema},
    }


async def test_429_is_transient_with_retry_after(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    wire.script.append("429")
    with pytest.raises(TransientBackendError) as caught:
        await wire_backend().complete(REQUEST)
    assert caught.value.reason == "rate_limited"
    assert caught.value.retry_after_s == 2.0


@pytest.mark.parametrize(
    ("fault", "reason"),
    [
        ("500", "server_error"),
        ("timeout", "timeout"),
        ("truncated", "connection"),
        ("invalid_json", "malformed"),
        ("drop", "connection"),
    ],
)
async def test_fault_is_transient(
    wire: OpenAIWireServer, wire_backend: WireBackend, fault: str, reason: str
) -> None:
    wire.script.append(fault)
    with pytest.raises(TransientBackendError) as caught:
        await wire_backend().complete(REQUEST)
    assert caught.value.reason == reason


async def test_auth_error_is_permanent(wire: OpenAIWireServer, wire_backend: WireBackend) -> None:
    wire.script.append("401")
    with pytest.raises(PermanentBackendError) as caught:
        await wire_backend().complete(REQUEST)
    assert caught.value.reason == "auth"


async def test_validation_error_is_permanent(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    wire.script.append("400")
    with pytest.raises(PermanentBackendError) as caught:
        await wire_backend().complete(REQUEST)
    assert caught.value.reason == "invalid_request"


async def test_stream_yields_pieces_then_the_whole_reply(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    chunks = [c async for c in wire_backend().stream(REQUEST)]
    final = chunks[-1].response
    assert final is not None
    assert "".join(c.text for c in chunks).strip() == final.text
    assert len(chunks) > 2
    assert final.usage.prompt_tokens == 20


async def test_stalled_stream_is_transient(
    wire: OpenAIWireServer, wire_backend: WireBackend
) -> None:
    wire.script.append("stall")
    with pytest.raises(TransientBackendError) as caught:
        async for _ in wire_backend().stream(REQUEST):
            pass
    assert caught.value.reason == "stalled"


async def test_api_key_is_sent_but_never_logged_or_shown(
    wire: OpenAIWireServer, wire_backend: WireBackend, caplog: pytest.LogCaptureFixture
) -> None:
    secret = "sk-test-very-secret-0123456789"
    backend = wire_backend(api_key=secret)
    wire.script.extend(["500", "ok"])
    caplog.set_level(logging.DEBUG)
    with pytest.raises(TransientBackendError) as caught:
        await backend.complete(REQUEST)
    await backend.complete(REQUEST)
    assert wire.seen.headers[0]["authorization"] == f"Bearer {secret}"
    assert secret not in caplog.text
    assert secret not in repr(backend)
    assert secret not in str(caught.value)
    assert secret not in backend.info.location


def test_retry_after_reads_seconds_milliseconds_and_dates() -> None:
    assert parse_retry_after({"retry-after": "3"}) == 3.0
    assert parse_retry_after({"retry-after-ms": "1500"}) == 1.5
    date = "Wed, 21 Oct 2015 07:28:10 GMT"
    assert parse_retry_after({"retry-after": date}, now=1445412480.0) == 10.0
    assert parse_retry_after({}) is None
