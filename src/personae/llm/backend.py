"""The one seam every LLM goes through: a small async protocol, wrapped rather than subclassed."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from personae.llm.types import ChatRequest, ChatResponse, StreamChunk


@dataclass(frozen=True, slots=True)
class BackendInfo:
    """What a backend is: `kind` (embedded, openai, ollama, http, scripted, fallback), the model,
    where it lives (a file path or a base URL; never a key) and whether it runs on this machine."""

    kind: str
    model: str
    location: str
    local: bool


@runtime_checkable
class Backend(Protocol):
    """A chat model. `complete` returns the whole reply; `stream` yields it piece by piece, its
    last chunk carrying the full response. Both raise `BackendError` subclasses on failure."""

    @property
    def info(self) -> BackendInfo: ...

    async def complete(self, request: ChatRequest) -> ChatResponse: ...

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]: ...

    async def aclose(self) -> None: ...


async def collect(chunks: AsyncIterator[StreamChunk]) -> ChatResponse:
    """Drain a stream and return its final response (what `complete` would have returned)."""
    final: ChatResponse | None = None
    async for chunk in chunks:
        if chunk.response is not None:
            final = chunk.response
    if final is None:
        raise RuntimeError("a stream ended without its final chunk")
    return final
