"""What a spoken line costs the engine: LLM calls, prompt tokens, and the engine's own time.

Runs conversations with a counting instant backend (answers at once with a fresh line, counts
calls and prompt tokens) through the whole engine: dynamics, prompt building, context window and
summaries, quality pipeline, and a real SQLite store committing every turn.

The timed pass: 30 conversations of 20 lines each (the issue's measure), opening and closing
included, each on a fresh store; five rounds, and the median is reported with the range, since
a shared virtual machine's speed drifts between runs. Baseline, measured in the same run after
each round: a fresh backend answering the very requests the engine made, with no engine around
them. Engine overhead per line = (engine time - backend-only time - time inside the embedding
model) / lines; the embedding model's time is reported on its own, like the LLM's it is model
inference, not engine work. The personas are built before the clock starts (they are the
caller's input). Prompt tokens at lines 5/10/20/40 come from a second, untimed pass of three
40-line conversations.

Usage: python benchmarks/bench_conversation.py [--conversations N] [--lines N] [--long-lines N]
       [--rounds N]
Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import random
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from statistics import mean, median

from personae.conversation.engine import Conversation, Deps
from personae.conversation.journal import StoreJournal
from personae.conversation.memory_link import MemoryLink
from personae.domain import InteractionState, Persona, Priority
from personae.dynamics.routing import ExitReason
from personae.dynamics.settings import BudgetSettings, DynamicsSettings
from personae.heap import freeze_startup_heap, tune_collector
from personae.llm.backend import BackendInfo
from personae.llm.types import ChatRequest, ChatResponse, StreamChunk, Usage
from personae.memory.embeddings.cache import CachingEmbedder
from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.embeddings.protocol import Matrix
from personae.memory.service import PersonaMemory
from personae.store import open_store

WORDS = (
    "caravan silver harbour lantern rumour festival bridge orchard ledger tavern thunder "
    "compass meadow ferry market citadel barley sailor anchor beacon granary herald mill "
    "smithy falcon river cellar weaver"
).split()


class CountingBackend:
    """Instant, and never repeats itself: each reply is a new sentence about the topic."""

    def __init__(self) -> None:
        self.calls = 0
        self.prompt_tokens: list[int] = []
        self.by_purpose: dict[str, int] = {}
        self.requests: list[ChatRequest] = []  # kept for the baseline to replay

    @property
    def info(self) -> BackendInfo:
        return BackendInfo(kind="scripted", model="counting", location="benchmark", local=True)

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.calls += 1
        self.requests.append(request)
        purpose = request.context.purpose.value
        self.by_purpose[purpose] = self.by_purpose.get(purpose, 0) + 1
        prompt = sum(len(m.content) for m in request.messages) // 4
        self.prompt_tokens.append(prompt)
        n = self.calls
        if request.json_schema is not None:
            text = json.dumps(
                {
                    "summary": f"They spoke of {WORDS[n % len(WORDS)]} and more.",
                    "facts": [],
                    "episode": {"summary": "A long talk about the harbour.", "importance": 3},
                }
            )
        else:
            rng = random.Random(n)
            words = rng.sample(WORDS, 9)
            topic = (request.context.topic or "it").replace("_", " ")
            text = f"{words[0].title()} {' '.join(words[1:5])} {topic} {' '.join(words[5:])}."
        return ChatResponse(
            text=text, model="counting", backend="scripted", usage=Usage(prompt, len(text) // 4)
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        response = await self.complete(request)
        yield StreamChunk(response.text, response)

    async def aclose(self) -> None:
        return None


def keen(persona_id: str) -> Persona:
    return Persona(
        id=persona_id,
        name=persona_id.title(),
        charisma=16,
        topics={"harbour_news": 95},
        state=InteractionState(
            current_priority=Priority.SOCIAL, available_time_s=100_000, interest_level=90
        ),
    )


def pair(seed: int) -> list[Persona]:
    return [keen(f"a{seed}"), keen(f"b{seed}")]


async def one_conversation(
    deps: Deps, lines: int, seed: int, personas: list[Persona]
) -> tuple[list[int], int]:
    talk = await Conversation.open(deps, personas, "harbour_news", seed=seed, token_budget=10**7)
    spoken = 0
    prompts = []
    while spoken < lines:
        before = len(deps.llm.prompt_tokens)  # type: ignore[attr-defined]
        turn = await talk.step()
        if turn is None:
            break
        spoken += 1
        if turn.tier != "template":
            prompts.append(deps.llm.prompt_tokens[before])  # type: ignore[attr-defined]
    talk.end(ExitReason.TIME)
    await talk.close()
    return prompts, spoken


class TimedEmbedder:
    """The real MiniLM embedder, timed: embedding is a model call (like the LLM's), so its time
    is reported on its own and not counted as engine overhead."""

    def __init__(self) -> None:
        self.inner = MiniLMEmbedder()
        self.seconds = 0.0

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimensions(self) -> int:
        return self.inner.dimensions

    def embed(self, texts: Sequence[str]) -> Matrix:
        started = time.perf_counter()
        try:
            return self.inner.embed(texts)
        finally:
            self.seconds += time.perf_counter() - started


@dataclass
class Pass:
    backend: CountingBackend
    results: list[tuple[list[int], int]]
    elapsed_s: float
    embedding_s: float

    @property
    def lines(self) -> int:
        return sum(spoken for _, spoken in self.results)


async def run_config(
    folder: Path, memory: bool, conversations: int, lines: int, first_seed: int = 0, tag: str = ""
) -> Pass:
    """`conversations` conversations of `lines` lines over a fresh store, with or without
    memory."""
    dynamics = DynamicsSettings(budgets=BudgetSettings(time_budget_s=10**7))
    store = open_store(str(folder / f"bench-{memory}-{lines}{tag}.db"))
    backend = CountingBackend()
    embedder = TimedEmbedder() if memory else None
    deps = Deps(llm=backend, journal=StoreJournal(store), dynamics=dynamics)
    if embedder is not None:
        memories = store.memories
        # Cached, as the runtime's: a topic's recall query is embedded once, not every line.
        cached = CachingEmbedder(embedder)
        link = MemoryLink(PersonaMemory(memories, cached), backend, tellings=memories)
        deps = Deps(
            llm=backend,
            journal=StoreJournal(store),
            dynamics=dynamics,
            digester=link,
            recall=link,
            gossip=link,
        )
    seeds = range(first_seed, first_seed + conversations)
    # The personas are the caller's input, built before the clock starts: not engine work.
    cast = {seed: pair(seed) for seed in seeds}
    for personas in cast.values():
        store.personas.save_many(personas)
    await one_conversation(
        deps, 5, 10**6, pair(10**6)
    )  # warm up: model loading is not per-line cost
    freeze_startup_heap()  # as `open_runtime` does for every command
    tune_collector()
    backend.calls, backend.prompt_tokens, backend.by_purpose, backend.requests = 0, [], {}, []
    if embedder is not None:
        embedder.seconds = 0.0
    started = time.perf_counter()
    results = [await one_conversation(deps, lines, seed, cast[seed]) for seed in seeds]
    elapsed = time.perf_counter() - started
    store.close()
    return Pass(backend, results, elapsed, embedder.seconds if embedder else 0.0)


async def backend_alone(requests: Sequence[ChatRequest]) -> float:
    """Baseline: a fresh backend answering the very requests the engine made, in order, with no
    engine around it (what the backend itself costs grows with each request's messages)."""
    bare = CountingBackend()
    started = time.perf_counter()
    for request in requests:
        await bare.complete(request)
    return time.perf_counter() - started


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--lines", type=int, default=20, help="lines per timed conversation")
    parser.add_argument(
        "--long-lines", type=int, default=40, help="lines per conversation of the token curve"
    )
    parser.add_argument("--rounds", type=int, default=5, help="timed rounds; the median counts")
    args = parser.parse_args()

    figures: dict[str, object] = {
        "conversations": args.conversations,
        "lines_each": args.lines,
        "rounds": args.rounds,
    }
    with tempfile.TemporaryDirectory() as folder:
        for memory in (False, True):
            overheads, embedding = [], []
            for round_ in range(args.rounds):
                timed = await run_config(
                    Path(folder), memory, args.conversations, args.lines, tag=f"-{round_}"
                )
                backend_s = await backend_alone(timed.backend.requests)
                engine_s = timed.elapsed_s - backend_s - timed.embedding_s
                overheads.append(engine_s / timed.lines * 1000)
                embedding.append(timed.embedding_s / timed.lines * 1000)
            # The prompt-token curve needs longer talks; their time is not measured.
            long = await run_config(Path(folder), memory, 3, args.long_lines, first_seed=1000)

            def at(position: int, runs: list[tuple[list[int], int]] = long.results) -> float:
                found = [p[position - 1] for p, _ in runs if len(p) >= position]
                return round(mean(found), 1) if found else float("nan")

            lines = timed.lines
            name = "memory" if memory else "summary_only"
            figures[name] = {
                "lines": lines,
                "llm_calls": timed.backend.calls,
                "calls_by_purpose": timed.backend.by_purpose,
                "llm_calls_per_line": round(timed.backend.calls / lines, 3),
                "prompt_tokens_at_line": {str(n): at(n) for n in (5, 10, 20, 40)},
                "engine_ms_per_line": round(median(overheads), 3),
                "engine_ms_per_line_range": [round(min(overheads), 3), round(max(overheads), 3)],
                "embedding_ms_per_line": round(median(embedding), 3),
                "backend_only_ms_per_call": round(
                    backend_s / max(1, timed.backend.calls) * 1000, 4
                ),
            }
            f = figures[name]
            assert isinstance(f, dict)
            print(
                f"{name}: {lines} lines, {timed.backend.calls} LLM calls "
                f"({f['llm_calls_per_line']} per line) {timed.backend.by_purpose}; prompt tokens "
                f"at lines 5/10/20/40 {f['prompt_tokens_at_line']}; engine "
                f"{f['engine_ms_per_line']} ms per line (median of {args.rounds} rounds, range "
                f"{f['engine_ms_per_line_range']}; + {f['embedding_ms_per_line']} ms of "
                "embedding)"
            )
    print(json.dumps(figures))


if __name__ == "__main__":
    asyncio.run(main())
