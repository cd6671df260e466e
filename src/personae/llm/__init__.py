"""Talk through any LLM: one `Backend` protocol, three kinds of backend, and wrappers that compose
around any of them (concurrency, rate limits, retries, fallback, budgets, usage accounting).

    stack = LLMStack(load_llm_settings(), sink=InMemoryUsageSink())
    reply = await stack.complete(ChatRequest.of([system("..."), user("...")], context=...))

Imports only `personae.domain`, `personae.errors` and libraries.
"""

from personae.llm.backend import Backend, BackendInfo, collect
from personae.llm.clock import Clock, ManualClock, SystemClock
from personae.llm.errors import (
    BackendError,
    LLMConfigError,
    ModelFileError,
    PermanentBackendError,
    TransientBackendError,
)
from personae.llm.prices import DEFAULT_PRICES, Price, PriceBook
from personae.llm.report import BudgetStatus, GroupBy, UsageTotals, budget_status, usage_report
from personae.llm.settings import LLMSettings, load_llm_settings
from personae.llm.spec import BackendSpec, SpecChoice, forced_spec, parse_spec
from personae.llm.stack import LLMStack
from personae.llm.types import (
    CallContext,
    ChatRequest,
    ChatResponse,
    Message,
    Role,
    StreamChunk,
    Usage,
    assistant,
    system,
    user,
)
from personae.llm.usage import InMemoryUsageSink, UsageSink

__all__ = [
    "DEFAULT_PRICES",
    "Backend",
    "BackendError",
    "BackendInfo",
    "BackendSpec",
    "BudgetStatus",
    "CallContext",
    "ChatRequest",
    "ChatResponse",
    "Clock",
    "GroupBy",
    "InMemoryUsageSink",
    "LLMConfigError",
    "LLMSettings",
    "LLMStack",
    "ManualClock",
    "Message",
    "ModelFileError",
    "PermanentBackendError",
    "Price",
    "PriceBook",
    "Role",
    "SpecChoice",
    "StreamChunk",
    "SystemClock",
    "TransientBackendError",
    "Usage",
    "UsageSink",
    "UsageTotals",
    "assistant",
    "budget_status",
    "collect",
    "forced_spec",
    "load_llm_settings",
    "parse_spec",
    "system",
    "usage_report",
    "user",
]
