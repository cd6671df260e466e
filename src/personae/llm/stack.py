"""The LLM layer behind one object: which backend a call uses, and every wrapper around it.

    UsageAccounting          one usage row per call, to the sink and the budget ledger
      PlayerGuard            per-player rate limit and monthly budget: else a fallback line
        FallbackChain        primary, then the configured fallbacks, then a fallback line
          Retry              backoff 1, 2, 4 s + jitter on transient errors, Retry-After honoured
            BackendRateLimit requests and tokens per minute, per backend
              ConcurrencyLimit
                backend      embedded, OpenAI-compatible or scripted

Before all that, the stack fixes max_tokens per tier and purpose. Backends and their rate limits
are shared by every chain that names the same spec; the ledger and player limits by every call.
`LLMStack` is itself a `Backend`, and its `complete` never raises for a provider's failure.
"""

from __future__ import annotations

import asyncio
import os
import random
from collections.abc import AsyncIterator, Callable, Mapping, Sequence

from personae.domain import Purpose
from personae.llm.backend import Backend, BackendInfo
from personae.llm.clock import SYSTEM_CLOCK, Clock, Sleep
from personae.llm.factory import build_backend
from personae.llm.fallback_lines import FallbackLines
from personae.llm.prices import PriceBook
from personae.llm.report import BudgetStatus
from personae.llm.settings import LLMSettings
from personae.llm.spec import BackendSpec, SpecChoice, choose_spec, parse_spec
from personae.llm.types import CallContext, ChatRequest, ChatResponse, StreamChunk, Usage
from personae.llm.usage import InMemoryUsageSink, UsageSink
from personae.llm.wrappers.accounting import UsageAccounting
from personae.llm.wrappers.budget import CallCeiling, PlayerGuard, SpendLedger
from personae.llm.wrappers.concurrency import ConcurrencyLimit
from personae.llm.wrappers.fallback import FallbackChain
from personae.llm.wrappers.rate_limit import BackendRateLimit, PlayerRateLimit, reservation_tokens
from personae.llm.wrappers.retry import Retry

BackendFactory = Callable[[BackendSpec], Backend]


_FREE = CallCeiling(usd=0.0, tokens=0)


def _free_ceiling(request: ChatRequest) -> CallCeiling:
    """A chain of local backends only: no call through it costs anything, whatever its size."""
    return _FREE


class LLMStack:
    """Routes each call to its backend chain and wraps it; see the module docstring.

    `forced` (from `--llm` / `PERSONAE_LLM`) overrides the config's choice for every call.
    `chain`, when given, is used for every call instead of specs (tests, embedding in an app).
    `clock`, `sleep` and `rng` are injectable so tests never wait for real backoff.
    """

    def __init__(
        self,
        settings: LLMSettings | None = None,
        *,
        sink: UsageSink | None = None,
        forced: SpecChoice | None = None,
        chain: Sequence[Backend] | None = None,
        clock: Clock = SYSTEM_CLOCK,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        backend_factory: BackendFactory | None = None,
        env: Mapping[str, str] | None = None,
    ) -> None:
        self.settings = settings or LLMSettings()
        self.sink: UsageSink = sink if sink is not None else InMemoryUsageSink()
        self.forced = forced
        self.clock = clock
        self.sleep = sleep
        self.rng = rng or random.Random(self.settings.scripted_seed)
        environ = os.environ if env is None else env
        self._factory = backend_factory or (lambda s: build_backend(s, self.settings, environ))
        self.prices = PriceBook(overrides=self.settings.price_overrides())
        self.lines = FallbackLines(self.settings.fallback_lines, seed=self.settings.scripted_seed)
        self.ledger = SpendLedger(self.settings.budgets, clock, history=self.sink)
        per_hour = self.settings.rate_limits.player_calls_per_hour
        self.player_limit = PlayerRateLimit(per_hour, clock) if per_hour else None
        self._protected: dict[str, Backend] = {}
        self._chains: dict[tuple[str, ...], Backend] = {}
        # Routing depends only on (persona, purpose) and the settings, which do not change: a
        # simulation's thousands of calls a tick look their chain up once per pair.
        self._routed: dict[tuple[str | None, Purpose], Backend] = {}
        self._fixed = self._guard(tuple(self.protect(b) for b in chain)) if chain else None

    # Routing ---------------------------------------------------------------------------------

    def spec_for(
        self, persona_id: str | None = None, purpose: Purpose = Purpose.CONVERSATION
    ) -> SpecChoice:
        s = self.settings
        return choose_spec(
            forced=self.forced,
            personas=s.personas,
            purposes=s.purposes,
            default=s.default,
            persona_id=persona_id,
            purpose=purpose,
        )

    def chain_specs(self, context: CallContext) -> tuple[str, ...]:
        primary = self.spec_for(context.persona_id, context.purpose).text
        fallbacks = () if self.forced else tuple(self.settings.fallbacks)
        return tuple(dict.fromkeys((primary, *fallbacks)))

    def backend_for(self, context: CallContext) -> Backend:
        """The fully wrapped chain this context's calls go through."""
        if self._fixed is not None:
            return self._fixed
        key = (context.persona_id, context.purpose)
        routed = self._routed.get(key)
        if routed is not None:
            return routed
        specs = self.chain_specs(context)
        found = self._chains.get(specs)
        if found is None:
            protected = tuple(self._protected_for(text) for text in specs)
            found = self._chains[specs] = self._guard(protected)
        self._routed[key] = found
        return found

    def _protected_for(self, text: str) -> Backend:
        found = self._protected.get(text)
        if found is None:
            spec = parse_spec(text, "backend spec")
            found = self._protected[text] = self.protect(self._factory(spec))
        return found

    # Composition -----------------------------------------------------------------------------

    def protect(self, backend: Backend) -> Backend:
        """Retry around rate limits around a concurrency limit around `backend`."""
        limits = self.settings.rate_limits
        limited = BackendRateLimit(
            ConcurrencyLimit(backend, limits.max_concurrent),
            clock=self.clock,
            sleep=self.sleep,
            requests_per_minute=limits.backend_requests_per_minute,
            tokens_per_minute=limits.backend_tokens_per_minute,
        )
        return Retry(limited, policy=self.settings.retry, rng=self.rng, sleep=self.sleep)

    def _guard(self, protected: Sequence[Backend]) -> Backend:
        infos = tuple(b.info for b in protected)
        ceiling: Callable[[ChatRequest], CallCeiling]
        if all(i.local for i in infos):
            ceiling = _free_ceiling
        else:
            ceiling = lambda request: self.ceiling(request, infos)  # noqa: E731
        guarded = PlayerGuard(
            FallbackChain(protected, self.lines),
            ledger=self.ledger,
            lines=self.lines,
            ceiling=ceiling,
            player_limit=self.player_limit,
            limit_free_calls=self.settings.rate_limits.limit_local_calls,
        )
        return UsageAccounting(
            guarded,
            sink=self.sink,
            prices=self.prices,
            clock=self.clock,
            observers=(self.ledger.record,),
        )

    def ceiling(self, request: ChatRequest, infos: Sequence[BackendInfo]) -> CallCeiling:
        """The most `request` can cost on the dearest backend of its chain."""
        tokens = reservation_tokens(request)
        worst = Usage(tokens - (request.max_tokens or 0), request.max_tokens or 0)
        costs = [self.prices.cost(i.kind, i.model, worst) if not i.local else 0.0 for i in infos]
        usd = None if any(c is None for c in costs) else max(c for c in costs if c is not None)
        return CallCeiling(usd=usd, tokens=tokens)

    def fix_max_tokens(self, request: ChatRequest) -> ChatRequest:
        """Cap max_tokens at the fixed value for the call's purpose and tier (seed 002: 120)."""
        fixed = self.settings.max_tokens.fixed(request.context.purpose, request.context.tier)
        capped = min(request.max_tokens or fixed, fixed)
        return request if capped == request.max_tokens else request.with_max_tokens(capped)

    # Backend protocol --------------------------------------------------------------------------

    @property
    def info(self) -> BackendInfo:
        return self.backend_for(CallContext()).info

    async def complete(self, request: ChatRequest) -> ChatResponse:
        request = self.fix_max_tokens(request)
        return await self.backend_for(request.context).complete(request)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        request = self.fix_max_tokens(request)
        async for chunk in self.backend_for(request.context).stream(request):
            yield chunk

    async def aclose(self) -> None:
        closing = list(self._protected.values())
        if self._fixed is not None:
            closing.append(self._fixed)
        for backend in closing:
            await backend.aclose()

    def budget_status(self, player_id: str) -> BudgetStatus:
        return self.ledger.status(player_id)
