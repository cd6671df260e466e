"""Retries: the backoff schedule, Retry-After, what is and is not retried."""

from __future__ import annotations

import random

import pytest

from personae.llm.clock import ManualClock
from personae.llm.errors import PermanentBackendError, TransientBackendError
from personae.llm.fault_server import OpenAIWireServer
from personae.llm.settings import RetrySettings
from personae.llm.types import ChatRequest, user
from personae.llm.wrappers.retry import Retry, backoff_delay
from tests.llm.conftest import WireBackend

REQUEST = ChatRequest.of([user("Hello")], max_tokens=20)
POLICY = RetrySettings()


def test_backoff_doubles_from_one_second_plus_bounded_jitter() -> None:
    rng = random.Random(1)
    delays = [backoff_delay(i, POLICY, rng, None) for i in range(3)]
    for delay, base in zip(delays, (1.0, 2.0, 4.0), strict=True):
        assert delay is not None
        assert base <= delay <= base + POLICY.jitter_s


def test_backoff_jitter_is_reproducible_with_the_same_seed() -> None:
    first = [backoff_delay(i, POLICY, random.Random(5), None) for i in range(3)]
    again = [backoff_delay(i, POLICY, random.Random(5), None) for i in range(3)]
    assert first == again


def test_a_longer_retry_after_wins_over_the_backoff() -> None:
    assert backoff_delay(0, POLICY, random.Random(0), 7.0) == 7.0


def test_a_retry_after_beyond_the_cap_means_no_retry() -> None:
    assert backoff_delay(0, POLICY, random.Random(0), 3600.0) is None


def _retry(backend: object, clock: ManualClock) -> Retry:
    return Retry(backend, policy=POLICY, rng=random.Random(0), sleep=clock.sleep)  # type: ignore[arg-type]


async def test_429_is_retried_after_its_retry_after(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["429", "ok"])
    response = await _retry(wire_backend(), clock).complete(REQUEST)
    assert response.attempts == 2
    assert wire.seen.requests == 2
    assert clock.slept == [2.0]


async def test_transient_faults_are_retried_until_an_answer(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["500", "invalid_json", "drop", "ok"])
    response = await _retry(wire_backend(), clock).complete(REQUEST)
    assert response.attempts == 4
    assert [round(d) for d in clock.slept] == [1, 2, 4]


async def test_gives_up_after_three_retries(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["500"] * 5)
    with pytest.raises(TransientBackendError) as caught:
        await _retry(wire_backend(), clock).complete(REQUEST)
    assert wire.seen.requests == 4
    assert caught.value.attempts == 4


async def test_auth_errors_are_never_retried(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["401", "ok"])
    with pytest.raises(PermanentBackendError):
        await _retry(wire_backend(), clock).complete(REQUEST)
    assert wire.seen.requests == 1
    assert clock.slept == []


async def test_validation_errors_are_never_retried(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["400", "ok"])
    with pytest.raises(PermanentBackendError):
        await _retry(wire_backend(), clock).complete(REQUEST)
    assert wire.seen.requests == 1


async def test_a_stream_that_fails_before_its_first_chunk_is_retried(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["500", "ok"])
    chunks = [c async for c in _retry(wire_backend(), clock).stream(REQUEST)]
    final = chunks[-1].response
    assert final is not None
    assert final.attempts == 2


async def test_a_stream_that_stalls_after_its_first_chunk_is_not_retried(
    wire: OpenAIWireServer, wire_backend: WireBackend, clock: ManualClock
) -> None:
    wire.script.extend(["stall", "ok"])
    received: list[str] = []

    async def drain() -> None:
        async for chunk in _retry(wire_backend(), clock).stream(REQUEST):
            received.append(chunk.text)

    with pytest.raises(TransientBackendError):
        await drain()
    assert received
    assert wire.seen.requests == 1
