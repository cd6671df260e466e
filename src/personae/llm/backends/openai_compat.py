"""OpenAI-compatible servers through the official `openai` SDK: OpenAI, Ollama, vLLM, llama.cpp's
server, LM Studio, OpenRouter and the like.

The SDK's own retries are off (`max_retries=0`): retrying is the retry wrapper's job, which knows
the backoff schedule and the budget. Every failure becomes a `TransientBackendError` (rate limit,
5xx, timeout, dropped connection, malformed body, stalled stream: worth retrying) or a
`PermanentBackendError` (auth, validation, unknown model: not). The API key lives only inside the
SDK client; it is never logged, stored or shown (`info.location` is the base URL).
"""

from __future__ import annotations

import asyncio
import email.utils
import importlib
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import openai

from personae.llm.backend import BackendInfo
from personae.llm.errors import BackendError, PermanentBackendError, TransientBackendError
from personae.llm.json_reply import check_json_reply
from personae.llm.text import estimate_tokens
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk, Usage

#: Statuses worth retrying besides 5xx: request timeout, too early, too many requests.
RETRYABLE_STATUSES = frozenset({408, 409, 425, 429})
NO_KEY = "not-needed"


def _transport_errors() -> tuple[type[BaseException], ...]:
    # openai 1.x streams through httpx, 3.x through httpx2; a dropped stream surfaces as their
    # transport errors, so catch whichever is installed.
    found: list[type[BaseException]] = []
    for name in ("httpx", "httpx2"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        found.extend((module.TransportError, module.StreamError))
    return tuple(found)


TRANSPORT_ERRORS = _transport_errors()


class OpenAICompatibleBackend:
    def __init__(
        self,
        *,
        base_url: str,
        model: str,
        kind: str = "http",
        api_key: str | None = None,
        timeout_s: float = 60.0,
        stream_idle_timeout_s: float = 30.0,
        json_format: str = "json_schema",
        local: bool = False,
    ) -> None:
        self.model = model
        self.kind = kind
        self.stream_idle_timeout_s = stream_idle_timeout_s
        self.json_format = json_format
        self._client = openai.AsyncOpenAI(
            base_url=base_url, api_key=api_key or NO_KEY, timeout=timeout_s, max_retries=0
        )
        self._info = BackendInfo(kind=kind, model=model, location=base_url, local=local)

    @property
    def info(self) -> BackendInfo:
        return self._info

    def __repr__(self) -> str:
        return f"OpenAICompatibleBackend({self._info.location!r}, model={self.model!r})"

    async def complete(self, request: ChatRequest) -> ChatResponse:
        started = time.perf_counter()
        try:
            result = await self._client.chat.completions.create(**self._arguments(request))
        except Exception as error:
            raise classify(error) from error
        latency = time.perf_counter() - started
        choices = getattr(result, "choices", None)
        if not isinstance(choices, list) or not choices:
            raise TransientBackendError(
                f"{self._where()} answered without choices", reason="malformed"
            )
        message = getattr(choices[0], "message", None)
        text = getattr(message, "content", None)
        if not isinstance(text, str):
            raise TransientBackendError(
                f"{self._where()} answered without message content", reason="malformed"
            )
        finish = getattr(choices[0], "finish_reason", None)
        check_json_reply(text, finish, request, self._where())
        usage = getattr(result, "usage", None)
        return ChatResponse(
            text=text.strip(),
            model=str(getattr(result, "model", None) or self.model),
            backend=self.kind,
            usage=_usage(usage, request, text),
            latency_s=latency,
            finish_reason=finish,
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        started = time.perf_counter()
        pieces: list[str] = []
        usage: Any = None
        model = self.model
        finish: str | None = None
        try:
            chunks = await self._client.chat.completions.create(
                **self._arguments(request), stream=True, stream_options={"include_usage": True}
            )
            iterator = chunks.__aiter__()
            while True:
                try:
                    chunk = await asyncio.wait_for(
                        iterator.__anext__(), timeout=self.stream_idle_timeout_s
                    )
                except StopAsyncIteration:
                    break
                except TimeoutError as error:
                    await chunks.close()
                    raise TransientBackendError(
                        f"{self._where()} stream stalled: nothing for "
                        f"{self.stream_idle_timeout_s:g} s",
                        reason="stalled",
                    ) from error
                usage = getattr(chunk, "usage", None) or usage
                model = getattr(chunk, "model", None) or model
                for choice in getattr(chunk, "choices", None) or ():
                    finish = getattr(choice, "finish_reason", None) or finish
                    delta = getattr(getattr(choice, "delta", None), "content", None)
                    if delta:
                        pieces.append(delta)
                        yield StreamChunk(delta)
        except BackendError:
            raise
        except Exception as error:
            raise classify(error) from error
        text = "".join(pieces)
        check_json_reply(text, finish, request, self._where())
        yield StreamChunk(
            "",
            ChatResponse(
                text=text.strip(),
                model=str(model),
                backend=self.kind,
                usage=_usage(usage, request, text),
                latency_s=time.perf_counter() - started,
                finish_reason=finish,
            ),
        )

    async def aclose(self) -> None:
        await self._client.close()

    def _where(self) -> str:
        return f"{self.kind} backend at {self._info.location}"

    def _arguments(self, request: ChatRequest) -> dict[str, Any]:
        arguments: dict[str, Any] = {
            "model": self.model,
            "messages": [{"role": m.role.value, "content": m.content} for m in request.messages],
            "temperature": request.temperature,
            "top_p": request.top_p,
        }
        if request.max_tokens is not None:
            arguments["max_tokens"] = request.max_tokens
        if request.stop:
            arguments["stop"] = list(request.stop)
        if request.seed is not None:
            arguments["seed"] = request.seed
        if request.frequency_penalty:
            arguments["frequency_penalty"] = request.frequency_penalty
        if request.presence_penalty:
            arguments["presence_penalty"] = request.presence_penalty
        if request.json_schema is not None:
            arguments["response_format"] = response_format(request.json_schema, self.json_format)
        return arguments


def response_format(schema: Mapping[str, Any], json_format: str) -> dict[str, Any]:
    if json_format == "json_object":
        return {"type": "json_object", "schema": dict(schema)}
    return {"type": "json_schema", "json_schema": {"name": "reply", "schema": dict(schema)}}


def _usage(usage: Any, request: ChatRequest, text: str) -> Usage:
    prompt = getattr(usage, "prompt_tokens", None)
    completion = getattr(usage, "completion_tokens", None)
    if isinstance(prompt, int) and isinstance(completion, int):
        return Usage(prompt, completion)
    # The server reported no usage (some do not for streams): estimate rather than record zero.
    estimated_prompt = request.prompt_estimate
    return Usage(estimated_prompt, estimate_tokens(text))


def classify(error: BaseException) -> BackendError:
    """Map an SDK or transport error to what the retry wrapper should do with it."""
    if isinstance(error, openai.APITimeoutError):
        return TransientBackendError(f"timed out: {error}", reason="timeout")
    if isinstance(error, openai.APIConnectionError):
        return TransientBackendError(f"connection failed: {error}", reason="connection")
    if isinstance(error, openai.APIResponseValidationError):
        return TransientBackendError(f"malformed response: {error}", reason="malformed")
    if isinstance(error, openai.APIStatusError):
        return _status_error(error)
    if isinstance(error, TimeoutError):
        return TransientBackendError("timed out", reason="timeout")
    if isinstance(error, TRANSPORT_ERRORS):
        return TransientBackendError(f"connection dropped: {error!r}", reason="connection")
    if isinstance(error, (ValueError, KeyError, TypeError, AttributeError)):
        # json.JSONDecodeError is a ValueError: a truncated or garbled body.
        return TransientBackendError(f"malformed response: {error!r}", reason="malformed")
    return PermanentBackendError(f"unexpected error: {error!r}", reason="unexpected")


def _status_error(error: openai.APIStatusError) -> BackendError:
    status = error.status_code
    summary = f"HTTP {status}: {error.message}"
    if status in RETRYABLE_STATUSES or status >= 500:
        reason = "rate_limited" if status == 429 else "server_error"
        return TransientBackendError(
            summary, reason=reason, retry_after_s=parse_retry_after(error.response.headers)
        )
    if status in (401, 403):
        return PermanentBackendError(
            f"{summary} (check the API key variable for this backend)", reason="auth"
        )
    if status == 404:
        return PermanentBackendError(f"{summary} (is the model name right?)", reason="not_found")
    return PermanentBackendError(summary, reason="invalid_request")


def parse_retry_after(headers: Mapping[str, str], now: float | None = None) -> float | None:
    """Seconds to wait from `retry-after-ms`, `retry-after` (seconds or an HTTP date)."""
    millis = headers.get("retry-after-ms")
    if millis is not None:
        try:
            return max(float(millis) / 1000.0, 0.0)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(float(value), 0.0)
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    current = time.time() if now is None else now
    return max(when.timestamp() - current, 0.0)
