"""The fallback chain: the primary backend, then the next, then a fallback line. Never raises.

A conversation must not crash because a provider failed (seed 002): whatever goes wrong below,
the caller gets a reply, and `fallback_reason` says it is not the primary's. Unexpected errors
(bugs) are logged with their traceback and fall back too.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

from personae.llm.backend import Backend, BackendInfo
from personae.llm.errors import BackendError
from personae.llm.fallback_lines import FallbackLines
from personae.llm.text import estimate_tokens
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk, Usage

logger = logging.getLogger(__name__)


def _why(backend: Backend, error: Exception) -> str:
    reason = error.reason if isinstance(error, BackendError) else "unexpected"
    return f"{backend.info.kind} {backend.info.model}: {reason}"


class FallbackChain:
    def __init__(self, backends: Sequence[Backend], lines: FallbackLines) -> None:
        if not backends:
            raise ValueError("a fallback chain needs at least one backend")
        self.backends = tuple(backends)
        self.lines = lines

    @property
    def info(self) -> BackendInfo:
        return self.backends[0].info

    def _failed(self, backend: Backend, error: Exception, failures: list[str]) -> None:
        failures.append(_why(backend, error))
        if isinstance(error, BackendError):
            logger.warning("%s failed: %s", backend.info.kind, error)
        else:
            logger.exception("%s raised an unexpected error", backend.info.kind)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        failures: list[str] = []
        for backend in self.backends:
            try:
                response = await backend.complete(request)
            except Exception as error:
                self._failed(backend, error, failures)
                continue
            return replace(response, fallback_reason="; ".join(failures)) if failures else response
        return self.lines.response(request, "; ".join(failures))

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        failures: list[str] = []
        for backend in self.backends:
            pieces: list[str] = []
            try:
                async for chunk in backend.stream(request):
                    pieces.append(chunk.text)
                    if chunk.response is not None and failures:
                        reason = "; ".join(failures)
                        yield StreamChunk(
                            chunk.text, replace(chunk.response, fallback_reason=reason)
                        )
                    else:
                        yield chunk
                return
            except Exception as error:
                self._failed(backend, error, failures)
                if any(pieces):
                    # Words were already sent: end the turn with them rather than start over.
                    yield StreamChunk(
                        "", _interrupted(backend, request, pieces, "; ".join(failures))
                    )
                    return
        response = self.lines.response(request, "; ".join(failures))
        yield StreamChunk(response.text)
        yield StreamChunk("", response)

    async def aclose(self) -> None:
        for backend in self.backends:
            await backend.aclose()


def _interrupted(
    backend: Backend, request: ChatRequest, pieces: list[str], reason: str
) -> ChatResponse:
    text = "".join(pieces).strip()
    # The server counted tokens we will never see; estimate them rather than record none.
    prompt = request.prompt_estimate
    return ChatResponse(
        text=text,
        usage=Usage(prompt, estimate_tokens(text)),
        model=backend.info.model,
        backend=backend.info.kind,
        finish_reason="interrupted",
        fallback_reason=f"stream interrupted: {reason}",
    )
