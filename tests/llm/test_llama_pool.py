"""The embedded model's context pool: calls go to the context that already holds their prompt's
beginning, and contexts run side by side."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import Iterator

import pytest
from hypothesis import given
from hypothesis import strategies as st

from personae.llm.backends.embedded import EmbeddedBackend, packaged_model_path
from personae.llm.backends.kv_states import shared_prefix_length
from personae.llm.backends.llama_pool import ContextPool, PoolSettings, prompt_key
from personae.llm.types import ChatRequest, system, user

LYRALEI = "You are Lyralei, a bard who remembers every traveller. " * 8
GORIN = "You are Gorin, a merchant who counts every coin twice. " * 8


@given(st.text(alphabet="ab", max_size=40), st.text(alphabet="ab", max_size=40))
def test_shared_prefix_length_is_the_common_prefix(a: str, b: str) -> None:
    same = 0
    while same < min(len(a), len(b)) and a[same] == b[same]:
        same += 1
    assert shared_prefix_length(a, b) == same


def test_prompt_key_keeps_roles_apart() -> None:
    as_system = prompt_key([{"role": "system", "content": "hi"}])
    as_user = prompt_key([{"role": "user", "content": "hi"}])
    assert as_system != as_user


def test_unset_settings_run_one_context_per_core() -> None:
    cores = os.cpu_count() or 1
    chosen = PoolSettings.choose(None, None, None)
    assert chosen.parallel == min(cores, chosen.size)
    assert chosen.n_threads == max(1, cores // chosen.parallel)
    assert PoolSettings.choose(1, None, None) == PoolSettings(size=1, parallel=1, n_threads=cores)
    assert PoolSettings.choose(3, 2, 5).n_threads == 5


@pytest.fixture
def pool() -> Iterator[ContextPool]:
    """Two contexts, one running at a time."""
    two = ContextPool(packaged_model_path(), 512, PoolSettings(2, 1, 1, 64))
    yield two
    two.close()


def test_a_call_returns_to_the_context_holding_its_prefix(pool: ContextPool) -> None:
    with pool.claimed(LYRALEI) as first:
        pass
    with pool.claimed(GORIN) as second:  # shares nothing: the pool grows
        pass
    assert second is not first
    with pool.claimed(LYRALEI + "And then the traveller said...") as again:
        assert again is first
    with pool.claimed(GORIN + " The price of grain?") as again:
        assert again is second
    assert pool.loaded == 2


def test_a_full_pool_hands_an_unrelated_call_the_least_recently_used_context(
    pool: ContextPool,
) -> None:
    with pool.claimed(LYRALEI) as lyralei:
        pass
    with pool.claimed(GORIN):
        pass
    with pool.claimed(GORIN + "more"):
        pass
    with pool.claimed("Something else entirely") as other:
        assert other is lyralei
    assert pool.loaded == 2


def test_a_busy_context_is_never_handed_out_twice(pool: ContextPool) -> None:
    with pool.claimed(LYRALEI) as held, pool.claimed(LYRALEI) as other:
        assert other is not held


async def test_calls_in_flight_together_run_on_their_own_contexts_with_the_same_replies() -> None:
    backend = EmbeddedBackend(contexts=2, parallel=2, n_threads=1, n_ctx=512)
    requests = [
        ChatRequest.of(
            [system(persona), user("Who are you?")], max_tokens=12, temperature=0.0, seed=3
        )
        for persona in (LYRALEI, GORIN)
    ]
    together = await asyncio.gather(*(backend.complete(r) for r in requests))
    assert backend.pool.loaded == 2
    one_by_one = [await backend.complete(r) for r in requests]
    assert [r.text for r in together] == [r.text for r in one_by_one]
    assert all(r.text for r in together)


PRINT_WHILE_LOADING = """
import os, sys, threading
from personae.llm.backends.embedded import packaged_model_path
from personae.llm.backends.llama_pool import ContextPool, PoolSettings

pool = ContextPool(packaged_model_path(), 512, PoolSettings(2, 2, 1))
def load(key):
    with pool.claimed(key):
        pass
loaders = [threading.Thread(target=load, args=(k,)) for k in ("a" * 300, "b" * 300)]
for loader in loaders:
    loader.start()
printed = 0
while any(loader.is_alive() for loader in loaders):
    os.write(1, b"line\\n")
    printed += 1
print("printed", printed, flush=True)
print("to stderr", file=sys.stderr, flush=True)
pool.close()
"""


def test_output_printed_while_contexts_load_is_not_lost() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PRINT_WHILE_LOADING],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    lines = done.stdout.splitlines()
    printed = int(lines[-1].split()[1])
    assert printed > 0
    assert lines.count("line") == printed
    assert done.stderr == "to stderr\n"  # and nothing of llama.cpp's loading chatter


def _turn(persona: str, *said: str) -> ChatRequest:
    return ChatRequest.of(
        [system(persona), *(user(line) for line in said)], max_tokens=8, temperature=0.7, seed=4
    )


async def test_a_persona_served_after_another_takes_up_its_own_evaluated_prompt() -> None:
    """One context, two personas in turn (a world tick in small): each turn puts back what the
    persona's last turn evaluated, and replies as if it had been evaluated afresh."""
    kept = EmbeddedBackend(contexts=1, parallel=1, n_threads=1, n_ctx=512, state_cache_mb=64)
    fresh = EmbeddedBackend(contexts=1, parallel=1, n_threads=2, n_ctx=512, state_cache_mb=0)
    turns = [
        _turn(LYRALEI, "Sing for us."),
        _turn(GORIN, "What does grain cost?"),
        _turn(LYRALEI, "Sing for us.", "Another song!"),
        _turn(GORIN, "What does grain cost?", "Too dear."),
    ]
    replies = []
    for request in turns:
        replies.append(await kept.complete(request))
        fresh.pool.first().reset()
    pool = kept.pool
    assert pool.restored == 2
    assert pool.reused_chars > len(LYRALEI) + len(GORIN)
    assert len(pool.states) == 2  # one per persona: each newer turn replaced the older
    for request, reply in zip(turns[2:], replies[2:], strict=True):
        fresh.pool.first().reset()
        assert (await fresh.complete(request)).text == reply.text
