"""The llama.cpp contexts of one GGUF file, and the prompts they have already evaluated.

A llama.cpp context keeps the KV cache of its last prompt and evaluates only what a new prompt
does not share with it. A world advances several conversations at once, so one context sees
Mara's prompt, then Gorin's, then the fact extractor's: without help every call starts cold,
and prompt evaluation was most of the demo's time. So:

- each call goes to the idle context whose last prompt shares the longest prefix with it;
- after each call the context's evaluated tokens are kept in RAM (`kv_states`), and a call that
  shares more with a kept state than with its context's live cache has that state put back
  first: a persona's stable system text and the talk so far are evaluated once, whichever
  context serves its next turn;
- `parallel` contexts run at once, each on `cpu_count // parallel` threads: on two cores two
  contexts on one thread each generate about twice the tokens of one context on one thread
  (llama-cpp-python's default there). Two threads each was tried: a call alone runs 1.7x
  faster, two at once 8% slower (80 tokens after a 300-token prompt), but the demo, speaking the
  very same lines, took 329 s against 278 s: its event loop competes with four llama threads.

A context costs ~180 MiB on its own and ~90 MiB more for each further one on the same file.
"""

from __future__ import annotations

import asyncio
import io
import logging
import os
import threading
import time
import weakref
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager, redirect_stderr
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from personae.llm.backends.kv_states import (
    KVStates,
    restore_state,
    save_state,
    shared_prefix_length,
)
from personae.llm.settings import DEFAULT_STATE_BUDGET_MB

if TYPE_CHECKING:
    from llama_cpp import Llama

logger = logging.getLogger(__name__)

# A context left idle that shares fewer characters than this with a call is no better than a
# fresh one; while the pool may still grow, the call gets a fresh one and the idle context keeps
# its prefix for the call it suits.
WORTHWHILE_PREFIX_CHARS = 256

# A kept state is restored only when it saves more than re-evaluating this many characters would
# (a restore costs ~5 ms; evaluating 64 characters, ~16 tokens, costs ~0.1 s on one core).
RESTORE_GAIN_CHARS = 64


def prompt_key(messages: Sequence[Mapping[str, str]]) -> str:
    """The text a context's KV cache will hold for these messages, as far as prefix matching
    goes: roles and contents in order."""
    return "".join(f"\x1e{m['role']}\x1f{m['content']}" for m in messages)


@dataclass(frozen=True)
class PoolSettings:
    size: int
    parallel: int
    n_threads: int
    state_budget_mb: int = DEFAULT_STATE_BUDGET_MB

    @classmethod
    def choose(
        cls,
        contexts: int | None,
        parallel: int | None,
        n_threads: int | None,
        state_budget_mb: int = DEFAULT_STATE_BUDGET_MB,
    ) -> PoolSettings:
        """Fill what is unset from the machine: one context per core, all running at once (at
        most `contexts`), the cores shared out among those running."""
        cores = os.cpu_count() or 1
        size = contexts if contexts is not None else cores
        running = min(parallel if parallel is not None else cores, size)
        threads = n_threads if n_threads is not None else max(1, cores // running)
        return cls(size, running, threads, state_budget_mb)


@dataclass
class _Context:
    llama: Llama | None = None
    prompt: str = ""
    last_used: int = 0
    busy: bool = False


class ContextPool:
    """Up to `settings.size` contexts of the model at `path`; at most `settings.parallel` of them
    busy per event loop. Thread-safe: contexts are claimed under one lock and each is used by one
    thread at a time."""

    def __init__(self, path: Path, n_ctx: int, settings: PoolSettings) -> None:
        self.path = path
        self.n_ctx = n_ctx
        self.settings = settings
        self._contexts: list[_Context] = []
        self._lock = threading.Condition()
        self._clock = 0
        self._loop_slots: weakref.WeakKeyDictionary[
            asyncio.AbstractEventLoop, asyncio.Semaphore
        ] = weakref.WeakKeyDictionary()
        self.states = KVStates(settings.state_budget_mb * 2**20, WORTHWHILE_PREFIX_CHARS)
        self.prompt_chars = 0  # for the benchmark: characters of prompts asked for...
        self.reused_chars = 0  # ...and of those found already evaluated, live or restored
        self.restored = 0

    @asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """A turn to run on this loop: queues calls without tying up worker threads."""
        loop = asyncio.get_running_loop()
        with self._lock:
            slots = self._loop_slots.get(loop)
            if slots is None:
                slots = self._loop_slots[loop] = asyncio.Semaphore(self.settings.parallel)
        async with slots:
            yield

    @contextmanager
    def claimed(self, key: str) -> Iterator[Llama]:
        """The best context for a prompt whose `prompt_key` is `key`, held by this thread until
        the block ends. Blocks only when other event loops hold every context."""
        context = self._claim(key)
        try:
            if context.llama is None:
                context.llama = self._load()
            self._take_up_best_state(context, key)
            yield context.llama
            if self.states.budget_bytes > 0:
                saved = save_state(context.llama, key)
                if saved is not None:
                    self.states.keep(saved)
        finally:
            self._release(context, key)

    def _take_up_best_state(self, context: _Context, key: str) -> None:
        """Restore the kept state that shares more of `key` than the context holds live."""
        assert context.llama is not None
        live = shared_prefix_length(context.prompt, key)
        kept, shared = self.states.best(key)
        if kept is not None and shared >= live + RESTORE_GAIN_CHARS:
            if restore_state(context.llama, kept):
                context.prompt = kept.key
                self.restored += 1
                live = shared
            else:
                context.prompt = ""
                live = 0
        with self._lock:
            self.prompt_chars += len(key)
            self.reused_chars += live

    def first(self) -> Llama:
        """A loaded context, for callers that want the model itself (tokenizer, metadata)."""
        with self.claimed("") as llama:
            return llama

    def close(self) -> None:
        with self._lock:
            for context in self._contexts:
                if context.llama is not None:
                    context.llama.close()
                    context.llama = None
            self._contexts.clear()
        self.states.clear()

    @property
    def loaded(self) -> int:
        return sum(1 for c in self._contexts if c.llama is not None)

    def _claim(self, key: str) -> _Context:
        with self._lock:
            while True:
                context = self._choose(key)
                if context is not None:
                    context.busy = True
                    return context
                self._lock.wait()

    def _choose(self, key: str) -> _Context | None:
        idle = [c for c in self._contexts if not c.busy]
        best: _Context | None = None
        best_shared = -1
        for context in idle:  # longest shared prefix; the least recently used among equals
            shared = shared_prefix_length(context.prompt, key)
            if shared > best_shared or (
                shared == best_shared and best is not None and context.last_used < best.last_used
            ):
                best, best_shared = context, shared
        can_grow = len(self._contexts) < self.settings.size
        if can_grow and (best is None or best_shared < WORTHWHILE_PREFIX_CHARS):
            fresh = _Context()
            self._contexts.append(fresh)
            return fresh
        return best

    def _release(self, context: _Context, key: str) -> None:
        with self._lock:
            self._clock += 1
            context.prompt = key
            context.last_used = self._clock
            context.busy = False
            self._lock.notify()

    def _load(self) -> Llama:
        from llama_cpp import Llama  # imported here: loading llama.cpp takes a moment
        from llama_cpp._logger import set_verbose

        started = time.perf_counter()
        threads = self.settings.n_threads
        # Quiet, but not with verbose=False: that points file descriptors 1 and 2 at /dev/null
        # for the whole load, which swallows whatever the main thread prints meanwhile, and two
        # loads in parallel threads can restore each other's /dev/null for good (the demo lost
        # its summary that way). Verbose, llama.cpp logs through a Python callback to
        # sys.stderr, which is redirected here, for the load only; loads take turns.
        with _loading, redirect_stderr(_Discard()):
            llama = Llama(
                model_path=str(self.path),
                n_ctx=self.n_ctx,
                n_threads=threads,
                n_threads_batch=threads,
                verbose=True,
            )
            set_verbose(False)
            llama.verbose = False
        logger.info("loaded a context of %s in %.2f s", self.path, time.perf_counter() - started)
        return llama


_loading = threading.Lock()


class _Discard(io.TextIOBase):
    def write(self, text: str) -> int:
        return len(text)
