"""Time behind an interface, so rate limits, backoff and budgets are tested without waiting."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

Sleep = Callable[[float], Awaitable[None]]


class Clock(Protocol):
    def now(self) -> float:
        """Wall-clock POSIX seconds: usage rows and calendar-month budgets."""
        ...

    def monotonic(self) -> float:
        """Seconds that never go backwards: rate limits and latencies."""
        ...


class SystemClock:
    def now(self) -> float:
        return time.time()

    def monotonic(self) -> float:
        return time.monotonic()


class ManualClock:
    """A clock that moves only when told; its `sleep` advances it instead of waiting.

    Tests and benchmarks pass `clock.sleep` as the stack's sleep function; `slept` lists every
    delay asked for, so a test can check the backoff schedule without real time passing.
    """

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self._now = start
        self._mono = 0.0
        self.slept: list[float] = []

    def now(self) -> float:
        return self._now

    def monotonic(self) -> float:
        return self._mono

    def advance(self, seconds: float) -> None:
        self._now += seconds
        self._mono += seconds

    def set_now(self, posix_s: float) -> None:
        self._now = posix_s

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.advance(max(seconds, 0.0))
        await asyncio.sleep(0)


SYSTEM_CLOCK = SystemClock()
