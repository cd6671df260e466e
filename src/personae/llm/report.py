"""Usage and budget reports: pure functions over lists of `UsageRecord`s.

The same figures serve `personae usage`, the budget guard (loading a player's month) and Python
callers. Months and days are calendar months and days in UTC.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from personae.domain import Outcome, UsageRecord
from personae.llm.settings import BudgetPolicy


class GroupBy(StrEnum):
    PURPOSE = "purpose"
    MODEL = "model"
    DAY = "day"
    PLAYER = "player"


def month_start(posix_s: float) -> float:
    """The first instant of the UTC calendar month containing `posix_s`."""
    return month_bounds(posix_s)[0]


def month_bounds(posix_s: float) -> tuple[float, float]:
    """The first instant of the UTC calendar month containing `posix_s`, and of the next."""
    moment = datetime.fromtimestamp(posix_s, UTC)
    start = moment.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    following = (
        start.replace(year=start.year + 1, month=1)
        if start.month == 12
        else start.replace(month=start.month + 1)
    )
    return start.timestamp(), following.timestamp()


def day_of(posix_s: float) -> str:
    return datetime.fromtimestamp(posix_s, UTC).strftime("%Y-%m-%d")


@dataclass(frozen=True, slots=True)
class UsageTotals:
    """Sums over some rows. `cost_usd` adds the priced rows; `unpriced_calls` counts the rest and
    `unpriced_tokens` their tokens, so an unknown price never reads as $0."""

    calls: int = 0
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    unpriced_calls: int = 0
    unpriced_tokens: int = 0
    retried: int = 0
    fallbacks: int = 0
    errors: int = 0
    latency_s: float = 0.0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def fallback_rate(self) -> float:
        return self.fallbacks / self.calls if self.calls else 0.0

    @property
    def mean_latency_s(self) -> float:
        return self.latency_s / self.calls if self.calls else 0.0

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.pop("latency_s")
        data["cost_usd"] = round(self.cost_usd, 6)
        data["total_tokens"] = self.total_tokens
        data["fallback_rate"] = round(self.fallback_rate, 4)
        data["mean_latency_s"] = round(self.mean_latency_s, 4)
        return data


def totals(records: Iterable[UsageRecord]) -> UsageTotals:
    calls = prompt = completion = unpriced_calls = unpriced_tokens = 0
    retried = fallbacks = errors = 0
    cost = latency = 0.0
    for r in records:
        calls += 1
        prompt += r.prompt_tokens
        completion += r.completion_tokens
        latency += r.latency_s
        if r.cost_usd is None:
            unpriced_calls += 1
            unpriced_tokens += r.total_tokens
        else:
            cost += r.cost_usd
        retried += r.outcome is Outcome.RETRIED
        fallbacks += r.outcome is Outcome.FALLBACK
        errors += r.outcome is Outcome.ERROR
    return UsageTotals(
        calls,
        prompt,
        completion,
        cost,
        unpriced_calls,
        unpriced_tokens,
        retried,
        fallbacks,
        errors,
        latency,
    )


def group_key(record: UsageRecord, by: GroupBy) -> str:
    if by is GroupBy.PURPOSE:
        return record.purpose.value
    if by is GroupBy.MODEL:
        return f"{record.backend}:{record.model}"
    if by is GroupBy.DAY:
        return day_of(record.created_at)
    return record.player_id


def grouped(records: Sequence[UsageRecord], by: GroupBy) -> dict[str, UsageTotals]:
    """Totals per group, groups in sorted order."""
    buckets: dict[str, list[UsageRecord]] = {}
    for record in records:
        buckets.setdefault(group_key(record, by), []).append(record)
    return {key: totals(buckets[key]) for key in sorted(buckets)}


def since_days(now: float, days: float) -> float:
    return now - days * 86_400.0


@dataclass(frozen=True, slots=True)
class BudgetStatus:
    """A player's spending this month against the policy."""

    player_id: str
    month_start: float
    spent_usd: float
    limit_usd: float
    unpriced_tokens: int
    unpriced_token_limit: int
    warn_fraction: float

    @property
    def fraction_used(self) -> float:
        """The larger of the dollar and the unpriced-token shares used."""
        dollars = self.spent_usd / self.limit_usd if self.limit_usd else float("inf")
        tokens = (
            self.unpriced_tokens / self.unpriced_token_limit
            if self.unpriced_token_limit
            else (float("inf") if self.unpriced_tokens else 0.0)
        )
        return max(dollars, tokens)

    @property
    def over_dollars(self) -> bool:
        return self.spent_usd >= self.limit_usd

    @property
    def over_tokens(self) -> bool:
        return self.unpriced_tokens >= self.unpriced_token_limit

    @property
    def warning(self) -> bool:
        return self.fraction_used >= self.warn_fraction

    def as_dict(self) -> dict[str, Any]:
        return {
            "player_id": self.player_id,
            "month_start": day_of(self.month_start),
            "spent_usd": round(self.spent_usd, 6),
            "limit_usd": self.limit_usd,
            "unpriced_tokens": self.unpriced_tokens,
            "unpriced_token_limit": self.unpriced_token_limit,
            "fraction_used": round(min(self.fraction_used, 1e9), 4),
            "warning": self.warning,
            "over_dollars": self.over_dollars,
            "over_tokens": self.over_tokens,
        }


def budget_status(
    records: Iterable[UsageRecord], player_id: str, policy: BudgetPolicy, now: float
) -> BudgetStatus:
    """Spending of `player_id` in the calendar month of `now`, from any list of rows."""
    start = month_start(now)
    month = totals(r for r in records if r.player_id == player_id and r.created_at >= start)
    return BudgetStatus(
        player_id=player_id,
        month_start=start,
        spent_usd=month.cost_usd,
        limit_usd=policy.monthly_usd,
        unpriced_tokens=month.unpriced_tokens,
        unpriced_token_limit=policy.unpriced_monthly_tokens,
        warn_fraction=policy.warn_fraction,
    )


def usage_report(
    records: Sequence[UsageRecord],
    by: GroupBy,
    policy: BudgetPolicy,
    now: float,
    month_records: Sequence[UsageRecord] | None = None,
) -> dict[str, Any]:
    """The whole report as JSON-ready data: totals, groups, and budget status per player.

    `month_records` are the rows of this calendar month, for the budgets; they default to
    `records`, which is right when those cover at least the month.
    """
    month = records if month_records is None else month_records
    players = sorted({r.player_id for r in records} | {r.player_id for r in month})
    return {
        "by": by.value,
        "totals": totals(records).as_dict(),
        "groups": {key: value.as_dict() for key, value in grouped(records, by).items()},
        "budgets": [budget_status(month, p, policy, now).as_dict() for p in players],
    }
