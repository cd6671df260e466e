"""Benchmark of the LLM layer; prints one JSON object of its figures as its last line.

1. Embedded tokens/s through personae vs llama-cpp-python called directly, on the same model
   instance and prompts (greedy, KV cache reset before every call so neither side reuses the
   other's prompt): target ratio >= 0.9.
2. Wrapper-stack overhead per call: the full stack (accounting, player guard, fallback chain,
   retry, rate limit, concurrency) around an instant backend, minus the bare backend: target
   <= 0.2 ms.
3. Efficiency of 10/100/1000 concurrent calls through the stack against a fixed-latency loopback
   server in its own process: ideal wall time (one latency) / measured wall time, target >= 90%.
   The same calls made with the openai SDK directly are the baseline.
4. The embedded model on a world's workload: four personas' conversations advanced together,
   each turn's prompt its persona's system text plus the talk so far. Baseline: one llama.cpp
   context on llama-cpp-python's default threads and no kept prompt states (what personae ran
   before its context pool); then the pool as a user gets it. Same requests, greedy; wall time,
   prompt tokens/s and the share of prompt text found already evaluated.

    python benchmarks/bench_llm.py [--quick]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import openai

from personae.llm.backend import BackendInfo
from personae.llm.backends.embedded import EmbeddedBackend
from personae.llm.backends.openai_compat import OpenAICompatibleBackend
from personae.llm.settings import LLMSettings
from personae.llm.stack import LLMStack
from personae.llm.types import (
    CallContext,
    ChatRequest,
    ChatResponse,
    StreamChunk,
    Usage,
    system,
    user,
)
from personae.llm.usage import InMemoryUsageSink

PROMPTS = (
    "A traveller walks into the tavern. Greet them.",
    "The king's army marches north. What do you think of the war?",
    "Grain prices doubled this week. How will the village cope?",
    "Tell me about the strangest guest you ever had.",
)
SYSTEM = "You are Mara, keeper of the Prancing Pony. Speak in two sentences."
GENERATED_TOKENS = 32


# 1. Embedded speed -------------------------------------------------------------------------------


def _messages(prompt: str) -> list[dict[str, str]]:
    return [{"role": "system", "content": SYSTEM}, {"role": "user", "content": prompt}]


async def embedded_speed(rounds: int) -> dict[str, float]:
    # One context and no kept states, so that both sides run on the same instance and neither
    # reuses an evaluated prompt.
    backend = EmbeddedBackend(contexts=1, parallel=1, state_cache_mb=0)
    await backend.load()
    llama = backend.pool.first()
    llama.create_chat_completion(messages=_messages("Hello"), max_tokens=4, temperature=0.0)
    direct_tokens = personae_tokens = 0
    direct_s = personae_s = 0.0
    for round_index in range(rounds):
        for prompt in PROMPTS:
            request = ChatRequest.of(
                [system(SYSTEM), user(prompt)], max_tokens=GENERATED_TOKENS, temperature=0.0
            )
            # Alternate which side goes first, so neither always runs on a warmer machine.
            order = ("direct", "personae") if round_index % 2 == 0 else ("personae", "direct")
            for side in order:
                llama.reset()
                started = time.perf_counter()
                if side == "direct":
                    result: Any = llama.create_chat_completion(
                        messages=_messages(prompt), max_tokens=GENERATED_TOKENS, temperature=0.0
                    )
                    direct_s += time.perf_counter() - started
                    direct_tokens += int(result["usage"]["completion_tokens"])
                else:
                    response = await backend.complete(request)
                    personae_s += time.perf_counter() - started
                    personae_tokens += response.usage.completion_tokens
    direct = direct_tokens / direct_s
    through = personae_tokens / personae_s
    return {
        "embedded_direct_tokens_per_s": round(direct, 1),
        "embedded_personae_tokens_per_s": round(through, 1),
        "embedded_ratio": round(through / direct, 3),
    }


# 2. Wrapper overhead -----------------------------------------------------------------------------


class InstantBackend:
    """Answers at once with a fixed reply: what is left to time is the wrappers."""

    def __init__(self) -> None:
        self._info = BackendInfo("http", "gpt-4o-mini", "in-process", local=False)
        self._response = ChatResponse(
            text="Well met.", model="gpt-4o-mini", backend="http", usage=Usage(20, 3)
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    async def complete(self, request: ChatRequest) -> ChatResponse:
        return self._response

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        yield StreamChunk("", self._response)

    async def aclose(self) -> None:
        return None


async def wrapper_overhead(calls: int) -> dict[str, float]:
    backend = InstantBackend()
    settings = LLMSettings(
        rate_limits={"player_calls_per_hour": 10**9}, budgets={"monthly_usd": 10**9}
    )
    stack = LLMStack(settings, sink=InMemoryUsageSink(), chain=[backend])
    requests = [
        ChatRequest.of(
            [system(SYSTEM), user(f"line {i}")],
            context=CallContext(player_id=f"p{i % 50}", conversation_id=f"c{i % 200}"),
        )
        for i in range(calls)
    ]

    async def timed(target: Any) -> float:
        started = time.perf_counter()
        for request in requests:
            await target.complete(request)
        return (time.perf_counter() - started) / calls

    await timed(stack)  # warm-up: first-call imports, caches
    bare = statistics.median([await timed(backend) for _ in range(3)])
    full = statistics.median([await timed(stack) for _ in range(3)])
    return {
        "overhead_bare_backend_ms": round(bare * 1000, 4),
        "overhead_full_stack_ms": round(full * 1000, 4),
        "wrapper_overhead_ms": round((full - bare) * 1000, 4),
    }


# 3. Concurrency efficiency -----------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def latency_server(latency_s: float) -> Iterator[str]:
    port = _free_port()
    command = [
        sys.executable,
        "-m",
        "personae.llm.fault_server",
        "--port",
        str(port),
        "--latency",
        str(latency_s),
    ]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("the latency server did not start") from None
                time.sleep(0.1)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=10)


async def concurrent_efficiency(
    base_url: str, latency_s: float, levels: tuple[int, ...]
) -> dict[str, float]:
    figures: dict[str, float] = {}
    for level in levels:
        settings = LLMSettings(
            rate_limits={"player_calls_per_hour": 10**9, "max_concurrent": level},
            http={"timeout_s": 300},
        )
        backend = OpenAICompatibleBackend(base_url=base_url, model="gpt-4o-mini", timeout_s=300)
        stack = LLMStack(settings, sink=InMemoryUsageSink(), chain=[backend])
        direct = openai.AsyncOpenAI(base_url=base_url, api_key="x", max_retries=0, timeout=300)
        # Warm both clients' connection pools, so neither pays for handshakes (at 1000 calls
        # the warm-up would cost as much as the measurement: there both sides pay them).
        if level <= 100:
            await _burst_direct(direct, level)
            await _burst_stack(stack, level)
        # The machine is shared: alternate the two sides and keep the median of each.
        repeats = 3 if level <= 100 else 1
        direct_walls: list[float] = []
        stack_walls: list[float] = []
        fallbacks = 0
        for _ in range(repeats):
            direct_walls.append(await _burst_direct(direct, level))
            wall, failed = await _burst_stack(stack, level)
            stack_walls.append(wall)
            fallbacks += failed
        await direct.close()
        await stack.aclose()
        direct_wall = statistics.median(direct_walls)
        stack_wall = statistics.median(stack_walls)
        figures[f"concurrency_{level}_direct_efficiency"] = round(latency_s / direct_wall, 3)
        figures[f"concurrency_{level}_personae_efficiency"] = round(latency_s / stack_wall, 3)
        figures[f"concurrency_{level}_personae_vs_direct"] = round(direct_wall / stack_wall, 3)
        figures[f"concurrency_{level}_fallbacks"] = fallbacks
    return figures


async def _burst_direct(client: openai.AsyncOpenAI, level: int) -> float:
    started = time.perf_counter()
    await asyncio.gather(
        *(
            client.chat.completions.create(
                model="gpt-4o-mini",
                messages=[{"role": "user", "content": f"call {i}"}],
                max_tokens=120,
            )
            for i in range(level)
        )
    )
    return time.perf_counter() - started


async def _burst_stack(stack: LLMStack, level: int) -> tuple[float, int]:
    started = time.perf_counter()
    replies = await asyncio.gather(
        *(
            stack.complete(
                ChatRequest.of([user(f"call {i}")], context=CallContext(player_id=f"p{i}"))
            )
            for i in range(level)
        )
    )
    return time.perf_counter() - started, sum(r.is_fallback for r in replies)


# 4. Embedded pool on interleaved conversations ---------------------------------------------------

CAST = (
    "Mara, keeper of the tavern",
    "Gorin, a grain merchant",
    "Lyralei, a wandering bard",
    "Aldric, a king at war",
)


def _turn_request(persona: str, said: list[str]) -> ChatRequest:
    persona_text = (
        f"You are {persona}. You speak plainly, in one or two sentences, and stay in character. "
        "The room is loud; the fire is warm; the ale is cheap. " * 6
    )
    history = [user(line) for line in said[-6:]]
    return ChatRequest.of(
        [system(persona_text), *history, user("Go on.")],
        max_tokens=24,
        temperature=0.0,
        seed=1,
    )


async def _interleaved(backend: EmbeddedBackend, turns: int) -> tuple[float, int]:
    """Wall time and prompt tokens for `turns` turns of each of the four conversations, all
    four in flight at once as in a world tick."""

    async def talk(persona: str) -> int:
        said: list[str] = []
        prompt_tokens = 0
        for turn in range(turns):
            reply = await backend.complete(_turn_request(persona, said))
            said.append(reply.text or f"(turn {turn})")
            prompt_tokens += reply.usage.prompt_tokens
        return prompt_tokens

    started = time.perf_counter()
    tokens = await asyncio.gather(*(talk(persona) for persona in CAST))
    return time.perf_counter() - started, sum(tokens)


def _reused(backend: EmbeddedBackend) -> float:
    pool = backend.pool
    return pool.reused_chars / max(pool.prompt_chars, 1)


async def embedded_pool(turns: int) -> dict[str, float]:
    one_context = EmbeddedBackend(
        contexts=1, parallel=1, n_threads=max(1, (os.cpu_count() or 1) // 2), state_cache_mb=0
    )
    pooled = EmbeddedBackend()
    await one_context.load()
    await pooled.load()
    single_s, single_tokens = await _interleaved(one_context, turns)
    pool_s, pool_tokens = await _interleaved(pooled, turns)
    calls = turns * len(CAST)
    return {
        "pool_contexts": pooled.pool_settings.size,
        "pool_parallel": pooled.pool_settings.parallel,
        "interleaved_calls": calls,
        "interleaved_one_context_s": round(single_s, 2),
        "interleaved_pool_s": round(pool_s, 2),
        "interleaved_pool_speedup": round(single_s / pool_s, 2),
        "interleaved_one_context_prompt_tokens_per_s": round(single_tokens / single_s, 1),
        "interleaved_pool_prompt_tokens_per_s": round(pool_tokens / pool_s, 1),
        "interleaved_one_context_prompt_reused": round(_reused(one_context), 3),
        "interleaved_pool_prompt_reused": round(_reused(pooled), 3),
    }


# Main --------------------------------------------------------------------------------------------


async def main(quick: bool) -> dict[str, float]:
    figures: dict[str, float] = {}
    latency_s = 1.0
    levels = (10, 100) if quick else (10, 100, 1000)
    print("wrapper overhead...", file=sys.stderr)
    figures.update(await wrapper_overhead(2000 if quick else 10000))
    print("concurrency efficiency...", file=sys.stderr)
    with latency_server(latency_s) as base_url:
        figures["server_latency_s"] = latency_s
        figures.update(await concurrent_efficiency(base_url, latency_s, levels))
    print("embedded speed...", file=sys.stderr)
    figures.update(await embedded_speed(2 if quick else 3))
    print("embedded pool on interleaved conversations...", file=sys.stderr)
    figures.update(await embedded_pool(3 if quick else 6))
    return figures


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Benchmark the LLM layer.")
    parser.add_argument("--quick", action="store_true", help="fewer calls, no 1000-call level")
    arguments = parser.parse_args()
    results = asyncio.run(main(arguments.quick))
    for name, value in results.items():
        print(f"{name:42s} {value}")
    print(json.dumps(results))
