"""Evaluated prompts kept in RAM, to be put back into any llama.cpp context of the same model.

In a world tick every room's conversation speaks in turn, so ten personas' prompts go through a
couple of contexts before the first persona speaks again: each context's own KV cache holds
someone else's prompt by then, and every call would evaluate its ~500-token prompt from the
start (on two cores that was most of the demo's time). After each call the context's sequence is
copied out (~23 KiB per token for SmolLM2-135M: 14 MiB for a 600-token prompt, ~10 ms), and the
next call of that persona copies it back in (~5 ms) instead of evaluating those tokens again
(~4 s). One state is kept per lineage (a newer prompt that extends a kept one replaces it), the
least recently used going first once `budget_bytes` is full.
"""

from __future__ import annotations

import ctypes
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from llama_cpp import Llama


def shared_prefix_length(a: str, b: str) -> int:
    """Characters `a` and `b` have in common from the start (bisected on slice equality, which
    runs in C)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[:middle] == b[:middle]:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass(frozen=True)
class KVState:
    key: str
    tokens: np.ndarray[Any, np.dtype[np.intc]]
    data: ctypes.Array[ctypes.c_uint8]

    @property
    def size(self) -> int:
        return len(self.data)


def save_state(llama: Llama, key: str) -> KVState | None:
    """Sequence 0 of `llama`'s context (its KV cells) and the tokens it holds."""
    import llama_cpp

    n_tokens = int(llama.n_tokens)
    if n_tokens == 0:
        return None
    size = llama_cpp.llama_state_seq_get_size(llama.ctx, 0)
    data = (ctypes.c_uint8 * size)()
    written = llama_cpp.llama_state_seq_get_data(llama.ctx, data, size, 0)
    if written != size:
        return None
    return KVState(key, llama.input_ids[:n_tokens].copy(), data)


def restore_state(llama: Llama, state: KVState) -> bool:
    """Put `state` into `llama`'s context in place of what it holds; False (and an empty
    context) if llama.cpp refuses it."""
    import llama_cpp

    llama_cpp.llama_memory_seq_rm(llama_cpp.llama_get_memory(llama.ctx), 0, -1, -1)
    read = llama_cpp.llama_state_seq_set_data(llama.ctx, state.data, state.size, 0)
    if read != state.size:
        llama.reset()  # type: ignore[no-untyped-call]
        return False
    count = len(state.tokens)
    llama.input_ids[:count] = state.tokens
    llama.n_tokens = count
    # The logits in hand are another prompt's: llama-cpp-python must decode at least one token
    # before sampling, even when the whole prompt is found in the restored cells.
    llama._requires_eval = True
    return True


class KVStates:
    """States by prompt key, bounded by bytes, shared by the contexts of one model."""

    def __init__(self, budget_bytes: int, worthwhile_chars: int) -> None:
        self.budget_bytes = budget_bytes
        self.worthwhile_chars = worthwhile_chars
        self._states: OrderedDict[str, KVState] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    @property
    def held_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._states)

    def best(self, key: str) -> tuple[KVState | None, int]:
        """The kept state sharing the longest prefix with `key`, and how long that prefix is."""
        with self._lock:
            found, shared = self._longest(key)
            if found is not None:
                self._states.move_to_end(found.key)
            return found, shared

    def keep(self, state: KVState) -> None:
        """Keep `state`, in place of the state of its lineage (the kept one it shares a
        worthwhile prefix with), and drop the least recently used past the budget."""
        if self.budget_bytes <= 0 or state.size > self.budget_bytes:
            return
        with self._lock:
            ancestor, shared = self._longest(state.key)
            if ancestor is not None and shared >= self.worthwhile_chars:
                self._drop(ancestor.key)
            self._drop(state.key)
            self._states[state.key] = state
            self._bytes += state.size
            while self._bytes > self.budget_bytes:
                self._drop(next(iter(self._states)))

    def clear(self) -> None:
        with self._lock:
            self._states.clear()
            self._bytes = 0

    def _longest(self, key: str) -> tuple[KVState | None, int]:
        found: KVState | None = None
        longest = 0
        for state in self._states.values():
            shared = shared_prefix_length(state.key, key)
            if shared > longest:
                found, longest = state, shared
        return found, longest

    def _drop(self, key: str) -> None:
        gone = self._states.pop(key, None)
        if gone is not None:
            self._bytes -= gone.size
