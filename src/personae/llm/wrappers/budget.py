"""Player guard: per-player rate limit and monthly budget, checked before any call is made.

A player over either gets a fallback line (seed 002) and the backend sees no request. The
budget is in USD per calendar month (default $5, warning at 80%); calls to models without a price
count against a monthly token allowance instead, never as $0.

Overspend is at most one call: before a call the guard reserves what it could cost at most (its
prompt estimate plus max_tokens, at the dearest price in the chain) and admits it only while the
spent amount plus every reservation in flight is under the limit. After the call the reservation
is dropped and the real cost, recorded by the accounting wrapper, takes its place.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass

from personae.domain import UsageRecord
from personae.llm.backend import Backend, BackendInfo
from personae.llm.clock import Clock
from personae.llm.fallback_lines import FallbackLines
from personae.llm.report import BudgetStatus, month_bounds
from personae.llm.settings import BudgetPolicy
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk
from personae.llm.usage import UsageSink
from personae.llm.wrappers.rate_limit import PlayerRateLimit

logger = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class CallCeiling:
    """The most one call may cost: dollars if every model in its chain is priced (else None),
    and tokens, counted against the unpriced allowance when some model has no price."""

    usd: float | None
    tokens: int

    @property
    def free(self) -> bool:
        """Every backend in the chain runs locally: the call costs nothing."""
        return self.usd == 0.0


@dataclass(slots=True)
class _Month:
    start: float
    end: float  # the next month's start
    spent_usd: float = 0.0
    unpriced_tokens: int = 0
    reserved_usd: float = 0.0
    reserved_tokens: int = 0
    warned: bool = False
    checked: bool = False  # the month's figures were read against the warning at least once


class SpendLedger:
    """Running totals per player for the current month; loaded from the history sink on a
    player's first call of a month, then kept up to date by `record` (an accounting observer)."""

    def __init__(self, policy: BudgetPolicy, clock: Clock, history: UsageSink | None = None):
        self.policy = policy
        self.clock = clock
        self.history = history
        self._months: dict[str, _Month] = {}

    def _month(self, player_id: str) -> _Month:
        now = self.clock.now()
        month = self._months.get(player_id)
        # Every call asks three times: the calendar is consulted only when a month turns.
        if month is None or not month.start <= now < month.end:
            month = _Month(*month_bounds(now))
            if self.history is not None:
                for record in self.history.query(player_id, since=month.start):
                    self._add(month, record)
            self._months[player_id] = month
        return month

    @staticmethod
    def _add(month: _Month, record: UsageRecord) -> None:
        if record.cost_usd is None:
            month.unpriced_tokens += record.total_tokens
        else:
            month.spent_usd += record.cost_usd

    def record(self, record: UsageRecord) -> None:
        month = self._month(record.player_id)
        if record.created_at >= month.start:
            self._add(month, record)
        if month.warned:  # said once a month; no need to work the figures out again
            return
        if record.cost_usd == 0.0 and month.checked:
            return  # a free call (a local model) moved no figure the warning reads
        month.checked = True
        status = self.status(record.player_id)
        if status.warning:
            month.warned = True
            logger.warning(
                "player %s has used %.0f%% of this month's LLM budget ($%.2f of $%.2f, "
                "%d of %d unpriced tokens)",
                record.player_id,
                100 * status.fraction_used,
                status.spent_usd,
                status.limit_usd,
                status.unpriced_tokens,
                status.unpriced_token_limit,
            )

    def try_reserve(self, player_id: str, ceiling: CallCeiling) -> bool:
        """Admit a call and hold its ceiling, or refuse it. Calls that cost nothing (every
        backend in the chain local) are always admitted: the budget is about money."""
        if ceiling.free:
            return True
        month = self._month(player_id)
        if ceiling.usd is not None:
            if month.spent_usd + month.reserved_usd >= self.policy.monthly_usd:
                return False
        elif month.unpriced_tokens + month.reserved_tokens >= self.policy.unpriced_monthly_tokens:
            return False
        month.reserved_usd += ceiling.usd or 0.0
        month.reserved_tokens += ceiling.tokens if ceiling.usd is None else 0
        return True

    def release(self, player_id: str, ceiling: CallCeiling) -> None:
        month = self._month(player_id)
        month.reserved_usd = max(month.reserved_usd - (ceiling.usd or 0.0), 0.0)
        if ceiling.usd is None:
            month.reserved_tokens = max(month.reserved_tokens - ceiling.tokens, 0)

    def status(self, player_id: str) -> BudgetStatus:
        month = self._month(player_id)
        return BudgetStatus(
            player_id=player_id,
            month_start=month.start,
            spent_usd=month.spent_usd,
            limit_usd=self.policy.monthly_usd,
            unpriced_tokens=month.unpriced_tokens,
            unpriced_token_limit=self.policy.unpriced_monthly_tokens,
            warn_fraction=self.policy.warn_fraction,
        )


class PlayerGuard:
    """Answers with a fallback line, without calling `inner`, when the player is over their rate
    limit or budget. Free calls (every backend local) pass unless `limit_free_calls`."""

    def __init__(
        self,
        inner: Backend,
        *,
        ledger: SpendLedger,
        lines: FallbackLines,
        ceiling: Callable[[ChatRequest], CallCeiling],
        player_limit: PlayerRateLimit | None = None,
        limit_free_calls: bool = False,
    ) -> None:
        self.inner = inner
        self.ledger = ledger
        self.lines = lines
        self.ceiling = ceiling
        self.player_limit = player_limit
        self.limit_free_calls = limit_free_calls

    @property
    def info(self) -> BackendInfo:
        return self.inner.info

    def _refusal(self, request: ChatRequest) -> tuple[str | None, CallCeiling]:
        player = request.context.player_id
        ceiling = self.ceiling(request)
        if ceiling.free and not self.limit_free_calls:
            return None, ceiling
        if not self.ledger.try_reserve(player, ceiling):
            return "monthly budget exhausted", ceiling
        # Checked second, so a call refused for its budget does not use up a rate-limit slot.
        if self.player_limit is not None and not self.player_limit.allow(player):
            self.ledger.release(player, ceiling)
            return f"player rate limit ({self.player_limit.calls} calls per hour)", ceiling
        return None, ceiling

    async def complete(self, request: ChatRequest) -> ChatResponse:
        refusal, ceiling = self._refusal(request)
        if refusal is not None:
            return self.lines.response(request, refusal)
        if ceiling.free:  # nothing was reserved
            return await self.inner.complete(request)
        try:
            return await self.inner.complete(request)
        finally:
            self.ledger.release(request.context.player_id, ceiling)

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        refusal, ceiling = self._refusal(request)
        if refusal is not None:
            response = self.lines.response(request, refusal)
            yield StreamChunk(response.text)
            yield StreamChunk("", response)
            return
        try:
            async for chunk in self.inner.stream(request):
                yield chunk
        finally:
            self.ledger.release(request.context.player_id, ceiling)

    async def aclose(self) -> None:
        await self.inner.aclose()
