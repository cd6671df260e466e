"""Building stacks for tests: injected clock, sleep and seeded generator; nothing waits."""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from personae.llm.backend import Backend
from personae.llm.clock import ManualClock
from personae.llm.settings import LLMSettings
from personae.llm.stack import LLMStack
from personae.llm.usage import InMemoryUsageSink, UsageSink


def make_stack(
    chain: Sequence[Backend],
    clock: ManualClock,
    sink: UsageSink | None = None,
    **settings: Any,
) -> LLMStack:
    return LLMStack(
        LLMSettings.model_validate(settings),
        sink=sink if sink is not None else InMemoryUsageSink(),
        chain=chain,
        clock=clock,
        sleep=clock.sleep,
        rng=random.Random(0),
    )
