"""What a call costs: a shipped price table per 1M tokens, overridable, never a silent $0.

Local backends (the embedded model, Ollama, scripted lines, fallback lines) cost 0 explicitly. A
model with no price warns once and its calls are recorded with `cost_usd=None`; the budget wrapper
then enforces that player's budget in tokens instead of dollars.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass

from personae.llm.types import Usage

logger = logging.getLogger(__name__)

TOKENS_PER_PRICE_UNIT = 1_000_000

#: Backend kinds that run on this machine and so cost nothing per token.
LOCAL_BACKENDS = frozenset({"embedded", "scripted", "fallback", "ollama"})


@dataclass(frozen=True, slots=True)
class Price:
    """USD per 1M input (prompt) and output (completion) tokens."""

    input_per_million: float
    output_per_million: float

    def cost(self, usage: Usage) -> float:
        return (
            usage.prompt_tokens * self.input_per_million
            + usage.completion_tokens * self.output_per_million
        ) / TOKENS_PER_PRICE_UNIT


# Published list prices (standard tier, USD per 1M tokens) as of mid-2025. Override any of them in
# the config file under `llm.prices` when a provider changes them or bills differently.
DEFAULT_PRICES: Mapping[str, Price] = {
    "gpt-4o-mini": Price(0.15, 0.60),
    "gpt-4o": Price(2.50, 10.00),
    "gpt-4.1": Price(2.00, 8.00),
    "gpt-4.1-mini": Price(0.40, 1.60),
    "gpt-4.1-nano": Price(0.10, 0.40),
    "gpt-4-turbo": Price(10.00, 30.00),
    "gpt-3.5-turbo": Price(0.50, 1.50),
    "gpt-5": Price(1.25, 10.00),
    "gpt-5-mini": Price(0.25, 2.00),
    "gpt-5-nano": Price(0.05, 0.40),
    "o1": Price(15.00, 60.00),
    "o1-mini": Price(1.10, 4.40),
    "o3": Price(2.00, 8.00),
    "o3-mini": Price(1.10, 4.40),
    "o4-mini": Price(1.10, 4.40),
    "claude-3-haiku": Price(0.25, 1.25),
    "claude-3-5-haiku": Price(0.80, 4.00),
    "claude-3-5-sonnet": Price(3.00, 15.00),
    "claude-3-7-sonnet": Price(3.00, 15.00),
    "claude-sonnet-4": Price(3.00, 15.00),
    "claude-opus-4": Price(15.00, 75.00),
    "gemini-2.0-flash": Price(0.10, 0.40),
    "gemini-2.5-flash": Price(0.30, 2.50),
    "gemini-2.5-pro": Price(1.25, 10.00),
    "deepseek-chat": Price(0.27, 1.10),
    "mistral-small": Price(0.20, 0.60),
    "mistral-large": Price(2.00, 6.00),
}


class PriceBook:
    """Looks up a model's price: overrides first, then the shipped table.

    A model name matches exactly, or after dropping a `vendor/` prefix (OpenRouter style) and then
    trailing `-suffix` parts (dated snapshots: `gpt-4o-mini-2024-07-18` is priced as `gpt-4o-mini`).
    """

    def __init__(
        self,
        prices: Mapping[str, Price] = DEFAULT_PRICES,
        overrides: Mapping[str, Price] | None = None,
    ) -> None:
        self._prices: dict[str, Price] = {**prices, **(overrides or {})}
        self._warned: set[str] = set()

    def price(self, model: str) -> Price | None:
        name = model.rsplit("/", 1)[-1]
        for candidate in (model, name):
            if candidate in self._prices:
                return self._prices[candidate]
        parts = name.split("-")
        for end in range(len(parts) - 1, 0, -1):
            found = self._prices.get("-".join(parts[:end]))
            if found is not None:
                return found
        return None

    def is_priced(self, backend: str, model: str) -> bool:
        return backend in LOCAL_BACKENDS or self.price(model) is not None

    def cost(self, backend: str, model: str, usage: Usage) -> float | None:
        """USD for `usage` on `model`; 0 for local backends; None (warned once) when unknown."""
        if backend in LOCAL_BACKENDS:
            return 0.0
        price = self.price(model)
        if price is None:
            if model not in self._warned:
                self._warned.add(model)
                logger.warning(
                    "no price known for model %r (backend %s): its calls are recorded with an "
                    "unknown cost and budgets count its tokens; add it under llm.prices",
                    model,
                    backend,
                )
            return None
        return price.cost(usage)
