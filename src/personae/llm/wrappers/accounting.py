"""Usage accounting: every call through it becomes one `UsageRecord` in the sink.

The row names the player, conversation, persona and purpose from the call's context, the backend
and model that answered, tokens, cost (None when the model has no price), the whole call's
latency including retries, and the outcome: ok, retried, fallback, or error when the call raised
(only possible without a fallback chain below). Observers (the budget ledger) see each row too.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Sequence

from personae.domain import Outcome, UsageRecord
from personae.llm.backend import Backend, BackendInfo
from personae.llm.clock import Clock
from personae.llm.prices import PriceBook
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk, Usage
from personae.llm.usage import UsageSink

UsageObserver = Callable[[UsageRecord], None]


def outcome_of(response: ChatResponse) -> Outcome:
    if response.is_fallback:
        return Outcome.FALLBACK
    if response.attempts > 1:
        return Outcome.RETRIED
    return Outcome.OK


class UsageAccounting:
    def __init__(
        self,
        inner: Backend,
        *,
        sink: UsageSink,
        prices: PriceBook,
        clock: Clock,
        observers: Sequence[UsageObserver] = (),
    ) -> None:
        self.inner = inner
        self.sink = sink
        self.prices = prices
        self.clock = clock
        self.observers = tuple(observers)

    @property
    def info(self) -> BackendInfo:
        return self.inner.info

    def _record(
        self,
        request: ChatRequest,
        started: float,
        *,
        backend: str,
        model: str,
        usage: Usage,
        outcome: Outcome,
    ) -> UsageRecord:
        ctx = request.context
        record = UsageRecord(
            player_id=ctx.player_id,
            conversation_id=ctx.conversation_id,
            persona_id=ctx.persona_id,
            backend=backend,
            model=model,
            purpose=ctx.purpose,
            prompt_tokens=usage.prompt_tokens,
            completion_tokens=usage.completion_tokens,
            cost_usd=self.prices.cost(backend, model, usage),
            latency_s=max(self.clock.monotonic() - started, 0.0),
            outcome=outcome,
            created_at=self.clock.now(),
        )
        self.sink.record(record)
        for observe in self.observers:
            observe(record)
        return record

    def _record_response(
        self, request: ChatRequest, started: float, response: ChatResponse
    ) -> None:
        self._record(
            request,
            started,
            backend=response.backend,
            model=response.model,
            usage=response.usage,
            outcome=outcome_of(response),
        )

    def _record_error(self, request: ChatRequest, started: float) -> None:
        info = self.inner.info
        self._record(
            request,
            started,
            backend=info.kind,
            model=info.model,
            usage=Usage(),
            outcome=Outcome.ERROR,
        )

    async def complete(self, request: ChatRequest) -> ChatResponse:
        started = self.clock.monotonic()
        try:
            response = await self.inner.complete(request)
        except Exception:
            self._record_error(request, started)
            raise
        self._record_response(request, started, response)
        return response

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        started = self.clock.monotonic()
        recorded = False
        try:
            async for chunk in self.inner.stream(request):
                if chunk.response is not None:
                    self._record_response(request, started, chunk.response)
                    recorded = True
                yield chunk
        finally:
            # Raised, or abandoned by the caller before its end: still one row for the call.
            if not recorded:
                self._record_error(request, started)

    async def aclose(self) -> None:
        await self.inner.aclose()
