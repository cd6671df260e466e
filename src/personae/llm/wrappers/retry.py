"""Retries with exponential backoff (1, 2, 4 s plus jitter; at most 3), honouring Retry-After.

Only `TransientBackendError`s are retried: rate limits, 5xx, timeouts, dropped connections,
malformed bodies, stalled streams. Auth and validation errors (`PermanentBackendError`) fail at
once. A stream is retried only until its first chunk: after that the words are out.

Hand-written rather than `tenacity`: the loop is a dozen lines, the delay is one pure function
with a seeded generator for its jitter, and a shared retrier would need copying per call.
"""

from __future__ import annotations

import logging
import random
from collections.abc import AsyncIterator
from dataclasses import replace

from personae.llm.backend import Backend, BackendInfo
from personae.llm.clock import Sleep
from personae.llm.errors import TransientBackendError
from personae.llm.settings import RetrySettings
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk

logger = logging.getLogger(__name__)


def backoff_delay(
    retry_index: int, policy: RetrySettings, rng: random.Random, retry_after_s: float | None
) -> float | None:
    """Seconds to wait before retry `retry_index` (0 for the first), or None not to retry.

    base x 2^index plus up to `jitter_s`; a server's Retry-After wins when it is longer, unless it
    exceeds `max_retry_after_s`, in which case waiting is pointless and the call falls back.
    """
    delay: float = policy.base_delay_s * 2.0**retry_index + rng.uniform(0.0, policy.jitter_s)
    if retry_after_s is not None:
        if retry_after_s > policy.max_retry_after_s:
            return None
        delay = max(delay, retry_after_s)
    return delay


class Retry:
    def __init__(
        self, inner: Backend, *, policy: RetrySettings, rng: random.Random, sleep: Sleep
    ) -> None:
        self.inner = inner
        self.policy = policy
        self.rng = rng
        self.sleep = sleep

    @property
    def info(self) -> BackendInfo:
        return self.inner.info

    async def _wait_or_raise(self, error: TransientBackendError, retry_index: int) -> None:
        delay = None
        if retry_index < self.policy.max_retries:
            delay = backoff_delay(retry_index, self.policy, self.rng, error.retry_after_s)
        if delay is None:
            error.attempts = retry_index + 1
            raise error
        logger.info(
            "%s failed (%s), retry %d in %.2f s",
            self.info.kind,
            error.reason,
            retry_index + 1,
            delay,
        )
        await self.sleep(delay)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        retry_index = 0
        while True:
            try:
                response = await self.inner.complete(request)
            except TransientBackendError as error:
                await self._wait_or_raise(error, retry_index)
                retry_index += 1
                continue
            return response if retry_index == 0 else replace(response, attempts=retry_index + 1)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        retry_index = 0
        while True:
            started = False
            try:
                async for chunk in self.inner.stream(request):
                    started = True
                    if chunk.response is not None and retry_index:
                        yield StreamChunk(
                            chunk.text, replace(chunk.response, attempts=retry_index + 1)
                        )
                    else:
                        yield chunk
                return
            except TransientBackendError as error:
                if started:
                    raise
                await self._wait_or_raise(error, retry_index)
                retry_index += 1

    async def aclose(self) -> None:
        await self.inner.aclose()
