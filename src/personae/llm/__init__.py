"""Talk through any LLM: one `Backend` protocol, backends, and wrappers that compose around it."""

from personae.llm.usage import InMemoryUsageSink, UsageSink

__all__ = ["InMemoryUsageSink", "UsageSink"]
