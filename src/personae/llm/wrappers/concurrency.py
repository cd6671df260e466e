"""At most N calls in flight to the wrapped backend; the rest wait their turn."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from personae.llm.backend import Backend, BackendInfo
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk


class ConcurrencyLimit:
    def __init__(self, inner: Backend, max_in_flight: int) -> None:
        if max_in_flight < 1:
            raise ValueError(f"max_in_flight must be at least 1, got {max_in_flight}")
        self.inner = inner
        self.max_in_flight = max_in_flight
        self._slots = asyncio.Semaphore(max_in_flight)
        self.in_flight = 0
        self.peak_in_flight = 0

    @property
    def info(self) -> BackendInfo:
        return self.inner.info

    def _enter(self) -> None:
        self.in_flight += 1
        self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        async with self._slots:
            self._enter()
            try:
                return await self.inner.complete(request)
            finally:
                self.in_flight -= 1

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        async with self._slots:
            self._enter()
            try:
                async for chunk in self.inner.stream(request):
                    yield chunk
            finally:
                self.in_flight -= 1

    async def aclose(self) -> None:
        await self.inner.aclose()
