"""Rate limits. Per backend: requests and tokens per minute, as token buckets that make a call
wait its turn. Per player: calls per hour in a sliding window, checked without waiting (the
budget guard answers an over-limit player with a fallback line, seed 002).

Hand-written rather than `aiolimiter`: these read an injected clock and sleep, so tests check the
schedule without waiting, and a bucket can take back the tokens a call did not use.
"""

from __future__ import annotations

from collections import deque
from collections.abc import AsyncIterator

from personae.llm.backend import Backend, BackendInfo
from personae.llm.clock import Clock, Sleep
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk

SECONDS_PER_MINUTE = 60.0
SECONDS_PER_HOUR = 3600.0


class TokenBucket:
    """Holds up to `capacity` tokens, refilled at `per_second`. `reserve` takes tokens at once,
    letting the level go below zero, and says how long the caller must wait for its share: calls
    are served in the order they reserve, and none is starved."""

    def __init__(self, capacity: float, per_second: float, clock: Clock) -> None:
        if capacity <= 0 or per_second <= 0:
            raise ValueError("a token bucket needs a positive capacity and refill rate")
        self.capacity = capacity
        self.per_second = per_second
        self.clock = clock
        self._level = capacity
        self._at = clock.monotonic()

    def _refill(self) -> None:
        now = self.clock.monotonic()
        self._level = min(self.capacity, self._level + (now - self._at) * self.per_second)
        self._at = now

    def reserve(self, amount: float) -> float:
        """Take `amount` (at most the capacity); seconds to wait before using it."""
        self._refill()
        self._level -= min(amount, self.capacity)
        return 0.0 if self._level >= 0 else -self._level / self.per_second

    def give_back(self, amount: float) -> None:
        self._refill()
        self._level = min(self.capacity, self._level + amount)

    @property
    def level(self) -> float:
        self._refill()
        return self._level


def reservation_tokens(request: ChatRequest) -> int:
    """What a call may consume: its prompt (estimated) plus its completion limit."""
    prompt = request.prompt_estimate
    return prompt + (request.max_tokens or 0)


class BackendRateLimit:
    """Requests and tokens per minute for one backend; a call waits until both allow it."""

    def __init__(
        self,
        inner: Backend,
        *,
        clock: Clock,
        sleep: Sleep,
        requests_per_minute: int | None = None,
        tokens_per_minute: int | None = None,
    ) -> None:
        self.inner = inner
        self.sleep = sleep
        self.requests = (
            TokenBucket(requests_per_minute, requests_per_minute / SECONDS_PER_MINUTE, clock)
            if requests_per_minute
            else None
        )
        self.tokens = (
            TokenBucket(tokens_per_minute, tokens_per_minute / SECONDS_PER_MINUTE, clock)
            if tokens_per_minute
            else None
        )

    @property
    def info(self) -> BackendInfo:
        return self.inner.info

    async def _admit(self, request: ChatRequest) -> int:
        reserved = reservation_tokens(request)
        wait = self.requests.reserve(1) if self.requests else 0.0
        if self.tokens:
            wait = max(wait, self.tokens.reserve(reserved))
        if wait > 0:
            await self.sleep(wait)
        return reserved

    def _settle(self, reserved: int, response: ChatResponse | None) -> None:
        if self.tokens is not None:
            used = response.usage.total_tokens if response is not None else 0
            if used < reserved:
                self.tokens.give_back(reserved - used)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        reserved = await self._admit(request)
        response: ChatResponse | None = None
        try:
            response = await self.inner.complete(request)
            return response
        finally:
            self._settle(reserved, response)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        reserved = await self._admit(request)
        response: ChatResponse | None = None
        try:
            async for chunk in self.inner.stream(request):
                response = chunk.response or response
                yield chunk
        finally:
            self._settle(reserved, response)

    async def aclose(self) -> None:
        await self.inner.aclose()


class PlayerRateLimit:
    """At most `calls` per `window_s` per player, counted over a sliding window."""

    def __init__(self, calls: int, clock: Clock, window_s: float = SECONDS_PER_HOUR) -> None:
        self.calls = calls
        self.window_s = window_s
        self.clock = clock
        self._history: dict[str, deque[float]] = {}

    def allow(self, player_id: str) -> bool:
        """Count a call for the player if the window has room; False if it has none."""
        now = self.clock.monotonic()
        history = self._history.setdefault(player_id, deque())
        while history and history[0] <= now - self.window_s:
            history.popleft()
        if len(history) >= self.calls:
            return False
        history.append(now)
        return True
