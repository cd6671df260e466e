"""Memory benchmark: embedding throughput and top-10 retrieval latency and recall.

    python benchmarks/bench_memory.py [--quick]

1. Embedding: the numpy all-MiniLM-L6-v2 encoding a batch of varied sentences in one call
   (sorted by length, padded per batch) against the naive baseline of one call per sentence.
2. Brute force: `OwnerIndex.search` reading every vector (float32 matmul, min-max scoring of
   recency + importance + relevance, argpartition top 10) over 10k, 100k and 1M random unit
   vectors held by ONE persona, the worst case; and over 1M memories spread over 100 personas,
   where a recall reads only the asking persona's 10k (knowledge isolation partitions the
   search). Baseline: the same scoring written the first way one would in numpy: float64
   vectors and a full argsort. At 1M the baseline runs on a 250k slice and is scaled by 4
   (brute force is linear in rows; a float64 copy of 1M vectors would need 3 GB more).
   Brute-force latency does not depend on the vectors' distribution.
3. Two stages (what an owner above `VectorIndexSettings.exact_max_rows` runs): latency, the
   one-off cost of laying the rows out in cells, and recall@10 against the brute force's top 10
   for the same queries, at 100k and 1M, on two sets:
   - memory-like: real MiniLM embeddings of 2048 generated sentences ("Mara swore that the mill
     by the sea burned down last winter."), each memory one of them plus up to 0.6 of another
     plus noise (cosine ~0.85 to its sentence), queries embedded from other generated sentences;
   - random unit vectors, which have no cluster structure: the worst case for cells.
4. Turns committed per second on the default store (a SQLite file, one transaction per turn),
   against raw sqlite3 inserts of the same rows (`bench_store.py`'s measure; it also runs
   PostgreSQL).

Peak memory 4.2-4.8 GB at 1M (the two-stage index sorts a copy of the 1.5 GB matrix while the brute
force one still holds it). The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.index import MemoryIndex, OwnerIndex
from personae.memory.scoring import recency
from personae.memory.settings import RetrievalSettings, VectorIndexSettings

DIMENSIONS = 384
SETTINGS = RetrievalSettings(top_k=10)
BRUTE_FORCE = VectorIndexSettings(exact_max_rows=10**9)
TWO_STAGE = VectorIndexSettings()
NOW_S = 365 * 86400.0
WORDS = (
    "the",
    "a",
    "king",
    "farmer",
    "tavern",
    "grain",
    "price",
    "war",
    "sword",
    "ale",
    "bread",
    "song",
    "dragon",
    "gold",
    "silver",
    "river",
    "mountain",
    "village",
    "merchant",
    "quietly",
    "loudly",
    "sells",
    "buys",
    "remembers",
    "fears",
    "loves",
    "hates",
    "harvest",
    "storm",
    "ship",
    "harbour",
    "princess",
    "stable",
    "boy",
    "wizard",
    "tower",
    "wolves",
    "blacksmith",
    "forge",
    "market",
)


def sentences(count: int, rng: random.Random) -> list[str]:
    return [
        " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 30))).capitalize() + "."
        for _ in range(count)
    ]


def bench_embedding_one_blas_thread(count: int) -> dict[str, float]:
    """`bench_embedding` in a child process whose BLAS uses one thread. On a machine whose cores
    are busy with other work, BLAS threads waiting for each other can cost more than they give."""
    environment = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    child = subprocess.run(
        [sys.executable, __file__, "--embedding-only", str(count)],
        env=environment,
        capture_output=True,
        text=True,
        check=True,
    )
    figures = json.loads(child.stdout.strip().splitlines()[-1])
    return {f"{name}_one_blas_thread": value for name, value in figures.items()}


def bench_embedding(count: int, rounds: int = 2) -> dict[str, float]:
    """Best of `rounds` for each way, alternating them: on a shared machine the best run is the
    one least disturbed by other processes."""
    rng = random.Random(11)
    texts = sentences(count, rng)
    load_start = time.perf_counter()
    embedder = MiniLMEmbedder()
    load_s = time.perf_counter() - load_start
    embedder.embed(texts[:8])  # warm up BLAS threads and caches
    batch_s = single_s = float("inf")
    for _ in range(rounds):
        start = time.perf_counter()
        embedder.embed(texts)
        batch_s = min(batch_s, time.perf_counter() - start)
        start = time.perf_counter()
        for text in texts:
            embedder.embed([text])
        single_s = min(single_s, time.perf_counter() - start)
    return {
        "model_load_s": round(load_s, 3),
        "embed_batch_sentences_per_s": round(count / batch_s, 1),
        "embed_single_sentences_per_s": round(count / single_s, 1),
        "embed_single_ms_per_sentence": round(1000 * single_s / count, 2),
        "embed_batch_speedup": round(single_s / batch_s, 2),
    }


def unit_vectors(count: int, rng: np.random.Generator) -> NDArray[np.float32]:
    vectors = rng.standard_normal((count, DIMENSIONS), dtype=np.float32)
    # In place, in chunks: a temporary the size of the matrix would double peak memory.
    for start in range(0, count, 65536):
        chunk = vectors[start : start + 65536]
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
    return vectors


def owner_index(count: int, rng: np.random.Generator, now_s: float) -> OwnerIndex:
    """Brute force at any size: the figures of part 2."""
    return OwnerIndex.from_columns(
        [f"m{i}" for i in range(count)],
        unit_vectors(count, rng),
        last_used_s=rng.uniform(0.0, now_s, count),
        importance=rng.integers(1, 11, count).astype(np.float64),
        settings=BRUTE_FORCE,
    )


def timed_ms(run: Callable[[], object], repeats: int) -> list[float]:
    run()  # warm up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(1000 * (time.perf_counter() - start))
    return times


def baseline_search(
    vectors: NDArray[np.float64],
    last_used_s: NDArray[np.float64],
    importance: NDArray[np.float64],
    query: NDArray[np.float64],
    now_s: float,
) -> NDArray[np.intp]:
    """The straightforward numpy version: float64 throughout, a full sort for the top 10."""

    def normalise(values: NDArray[np.float64]) -> NDArray[np.float64]:
        span = values.max() - values.min()
        return (values - values.min()) / span if span > 0 else np.full_like(values, 0.5)

    total = (
        normalise(recency(last_used_s, now_s, SETTINGS.recency_decay_per_hour))
        + normalise(importance)
        + normalise(vectors @ query)
    )
    result: NDArray[np.intp] = np.argsort(-total)[:10]
    return result


def bench_retrieval(size: int, repeats: int, baseline_rows: int) -> dict[str, float]:
    """Ours over `repeats` queries, then the baseline over a quarter as many. (Alternating them
    query by query was tried: the baseline's float64 pass between two recalls slowed ours by up
    to 10x at 10k, which says more about the alternation than about either.)"""
    rng = np.random.default_rng(size)
    now_s = 365 * 86400.0
    index = owner_index(size, rng, now_s)
    queries = unit_vectors(repeats + 1, rng)

    rows = min(size, baseline_rows)
    vectors64 = index.vectors_of([f"m{i}" for i in range(rows)]).astype(np.float64)
    last_used = rng.uniform(0.0, now_s, rows)
    importance = rng.integers(1, 11, rows).astype(np.float64)
    queries64 = queries.astype(np.float64)

    fast = [
        timed_once(lambda query=query: index.search(query, now_s, SETTINGS)) for query in queries
    ][1:]  # the first warmed up caches
    baseline_queries = queries64[: max(3, repeats // 4) + 1]
    slow = [
        timed_once(
            lambda query=query: baseline_search(vectors64, last_used, importance, query, now_s)
        )
        for query in baseline_queries
    ][1:]
    scale = size / rows
    label = _label(size)
    return {
        f"top10_ms_{label}": round(statistics.median(fast), 2),
        f"top10_min_ms_{label}": round(min(fast), 2),
        f"top10_p95_ms_{label}": round(float(np.percentile(fast, 95)), 2),
        f"baseline_top10_ms_{label}": round(statistics.median(slow) * scale, 2),
        f"speedup_{label}": round(statistics.median(slow) * scale / statistics.median(fast), 2),
    }


def timed_once(run: Callable[[], object]) -> float:
    start = time.perf_counter()
    run()
    return 1000 * (time.perf_counter() - start)


NAMES = (
    "Mara",
    "Bob",
    "Anna",
    "Tomas",
    "the blacksmith",
    "the innkeeper",
    "old Wen",
    "Captain Rhys",
    "Lady Isolde",
    "the miller",
    "Pell",
    "Hugo",
    "Sister Agnes",
    "the ferryman",
    "Jory",
    "Brother Cole",
    "Nell",
    "the baker",
    "Ser Aldric",
    "young Tam",
)
SAYINGS = (
    "told me that",
    "swore that",
    "believes that",
    "whispered that",
    "complained that",
    "laughed because",
    "is afraid that",
    "heard that",
    "wrote to say that",
    "promised that",
)
THINGS = (
    "the mill",
    "the harvest",
    "the old bridge",
    "the dragon",
    "the king's tax",
    "the price of grain",
    "the new ale",
    "the wolves",
    "the harbour",
    "the silver mine",
    "the wedding",
    "the fever",
    "the tower",
    "the river",
    "the market",
    "the stolen horse",
    "the sword",
    "the chapel bell",
    "the storm",
    "the debts",
)
PLACES = (
    "in the north",
    "near the forest",
    "at the crossroads",
    "by the sea",
    "in the valley",
    "in town",
    "at the castle",
    "on the farm",
    "in the tavern",
    "up the mountain",
    "",
)
EVENTS = (
    "burned down",
    "failed this year",
    "will be rebuilt",
    "was seen again",
    "doubled",
    "is ruined",
    "is the best in years",
    "came down from the hills",
    "froze over",
    "flooded",
    "was cancelled",
    "killed three men",
    "is cursed",
    "was sold",
    "went missing",
    "rang at midnight",
    "is coming",
    "cannot be paid",
    "was a lie",
    "saved the village",
)
WHEN = (
    "last winter",
    "yesterday",
    "years ago",
    "this morning",
    "at the festival",
    "during the war",
    "before the flood",
    "",
    "",
    "last spring",
)


def memory_sentences(count: int, rng: random.Random) -> list[str]:
    """Distinct sentences of the kind fact extraction stores."""
    found: dict[str, None] = {}
    while len(found) < count:
        parts = (NAMES, SAYINGS, THINGS, PLACES, EVENTS, WHEN)
        words = " ".join(" ".join(rng.choice(part) for part in parts).split())
        found[words[0].upper() + words[1:] + "."] = None
    return list(found)


def memory_like_vectors(
    count: int, sentences: NDArray[np.float32], rng: np.random.Generator
) -> NDArray[np.float32]:
    """Each row one embedded sentence, plus up to 0.6 of another, plus Gaussian noise of 0.03
    per dimension (cosine ~0.85 to its sentence): a continuum around real embeddings, which
    embedding a million sentences (~2 hours) would give no better for this purpose."""
    vectors = np.empty((count, DIMENSIONS), dtype=np.float32)
    for start in range(0, count, 65536):
        size = min(65536, count - start)
        mix = rng.uniform(0.0, 0.6, size).astype(np.float32)[:, None]
        chunk = sentences[rng.integers(0, len(sentences), size)]
        chunk += mix * sentences[rng.integers(0, len(sentences), size)]
        chunk += np.float32(0.03) * rng.standard_normal((size, DIMENSIONS), dtype=np.float32)
        chunk /= np.linalg.norm(chunk, axis=1, keepdims=True)
        vectors[start : start + size] = chunk
    return vectors


def bench_two_stage(
    vectors: NDArray[np.float32],
    queries: NDArray[np.float32],
    rng: np.random.Generator,
    settings: VectorIndexSettings,
    suffix: str,
) -> dict[str, float]:
    """Brute force (for the true top 10 of each query) and the two-stage search over the same
    memories; recall@10 is the share of the true top 10 the two stages return."""
    count = int(vectors.shape[0])
    ids = [f"m{i}" for i in range(count)]
    last_used = rng.uniform(0.0, NOW_S, count)
    importance = rng.integers(1, 11, count).astype(np.float64)

    def index(with_settings: VectorIndexSettings) -> OwnerIndex:
        return OwnerIndex.from_columns(
            ids, vectors, last_used_s=last_used, importance=importance, settings=with_settings
        )

    brute_force = index(BRUTE_FORCE)
    brute_force.search(queries[0], NOW_S, SETTINGS)  # warm up
    exact: list[set[str]] = []
    brute_ms: list[float] = []
    for query in queries:
        start = time.perf_counter()
        hits = brute_force.search(query, NOW_S, SETTINGS)
        brute_ms.append(1000 * (time.perf_counter() - start))
        exact.append({hit.memory_id for hit in hits})
    del brute_force
    two_stage = index(settings)
    start = time.perf_counter()
    two_stage.prepare()
    prepare_s = time.perf_counter() - start
    two_stage.search(queries[0], NOW_S, SETTINGS)
    fast: list[float] = []
    recall: list[float] = []
    for query, truth in zip(queries, exact, strict=True):
        start = time.perf_counter()
        hits = two_stage.search(query, NOW_S, SETTINGS)
        fast.append(1000 * (time.perf_counter() - start))
        recall.append(len(truth & {hit.memory_id for hit in hits}) / len(truth))
    label = _label(count) + suffix
    return {
        f"two_stage_top10_ms_{label}": round(statistics.median(fast), 2),
        f"two_stage_top10_p95_ms_{label}": round(float(np.percentile(fast, 95)), 2),
        f"two_stage_recall_at_10_{label}": round(float(np.mean(recall)), 4),
        f"two_stage_min_recall_at_10_{label}": round(float(np.min(recall)), 2),
        f"two_stage_prepare_s_{label}": round(prepare_s, 2),
        f"brute_force_top10_ms_{label}": round(statistics.median(brute_ms), 2),
    }


def memory_like_embeddings(
    sentence_count: int, query_count: int
) -> tuple[NDArray[np.float32], NDArray[np.float32]]:
    """Embedded generated sentences, and embedded queries made the same way (none repeated)."""
    texts = memory_sentences(sentence_count + query_count, random.Random(7))
    embedded = MiniLMEmbedder().embed(texts)
    return embedded[:sentence_count], embedded[sentence_count:]


def bench_partitioned(total: int, owners: int, repeats: int) -> dict[str, float]:
    """`total` memories over `owners` personas; every recall asks for one persona's memories."""
    rng = np.random.default_rng(total + owners)
    now_s = 365 * 86400.0
    memories = MemoryIndex(DIMENSIONS)
    per_owner = total // owners
    for owner in range(owners):
        memories.adopt(f"p{owner}", owner_index(per_owner, rng, now_s))
    queries = unit_vectors(repeats + 1, rng)
    picks = iter(range(repeats + 1))

    def recall() -> object:
        i = next(picks)
        return memories.owner(f"p{i % owners}").search(queries[i], now_s, SETTINGS)

    times = timed_ms(recall, repeats)
    label = _label(total)
    return {
        f"top10_ms_{label}_over_{owners}_personas": round(statistics.median(times), 2),
        f"memories_per_persona_{label}_over_{owners}_personas": per_owner,
    }


def _label(size: int) -> str:
    return f"{size // 1_000_000}m" if size >= 1_000_000 else f"{size // 1000}k"


def bench_two_stages(quick: bool) -> dict[str, float | int]:
    """The two-stage search on memory-like and on random vectors (module docstring, 3)."""
    settings = VectorIndexSettings(exact_max_rows=5_000) if quick else TWO_STAGE
    sentences, queries = memory_like_embeddings(512 if quick else 2048, 41)
    figures: dict[str, float | int] = {
        "two_stage_threshold_rows": settings.exact_max_rows,
        "two_stage_probed_cells": settings.probed_cells,
    }
    for size in [20_000] if quick else [100_000, 1_000_000]:
        for suffix, kind in (("", "memory-like"), ("_random", "random")):
            rng = np.random.default_rng(size + len(suffix))
            vectors = (
                memory_like_vectors(size, sentences, rng)
                if kind == "memory-like"
                else unit_vectors(size, rng)
            )
            asked = queries if kind == "memory-like" else unit_vectors(len(queries), rng)
            result = bench_two_stage(vectors, asked, rng, settings, suffix)
            del vectors
            figures.update(result)
            label = _label(size) + suffix
            print(
                f"two stages over {size:>9,} {kind} vectors of one persona: "
                f"{result[f'two_stage_top10_ms_{label}']} ms "
                f"(p95 {result[f'two_stage_top10_p95_ms_{label}']}), recall@10 "
                f"{result[f'two_stage_recall_at_10_{label}']} "
                f"(lowest {result[f'two_stage_min_recall_at_10_{label}']}) against brute force "
                f"at {result[f'brute_force_top10_ms_{label}']} ms; cells laid out in "
                f"{result[f'two_stage_prepare_s_{label}']} s"
            )
    return figures


def bench_turn_commits(count: int) -> dict[str, float]:
    """Turns committed per second on the default store (a SQLite file), each turn its own
    transaction, against raw sqlite3 inserts of the same rows (`bench_store.py` measures
    PostgreSQL too)."""
    from bench_store import make_turns, median_rates, sqlite_raw_rate, store_rate

    turns = make_turns(count)
    with tempfile.TemporaryDirectory() as folder:
        raw, store = median_rates(
            lambda n: sqlite_raw_rate(Path(folder) / f"raw-{n}.db", turns),
            lambda n: store_rate(str(Path(folder) / f"store-{n}.db"), turns),
        )
    print(f"turns committed: {store:,.0f}/s through the store, {raw:,.0f}/s raw sqlite3")
    return {
        "turns_committed_per_s": round(store),
        "raw_sqlite_turns_per_s": round(raw),
        "store_vs_raw": round(store / raw, 3),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, for a smoke run")
    parser.add_argument("--embedding-only", type=int, metavar="N", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.embedding_only:
        print(json.dumps(bench_embedding(args.embedding_only)))
        return
    sizes = [1_000, 10_000] if args.quick else [10_000, 100_000, 1_000_000]
    figures: dict[str, float | int | str] = {}

    sentence_count = 32 if args.quick else 96
    figures.update(bench_embedding(sentence_count))
    figures.update(bench_embedding_one_blas_thread(sentence_count))
    for suffix, threads in (("", "default BLAS threads"), ("_one_blas_thread", "one BLAS thread")):
        print(
            f"embedding ({threads}): {figures['embed_batch_sentences_per_s' + suffix]} "
            f"sentences/s batched, {figures['embed_single_sentences_per_s' + suffix]} one by one "
            f"(x{figures['embed_batch_speedup' + suffix]}); model loads in "
            f"{figures['model_load_s' + suffix]} s"
        )
    for size in sizes:
        result = bench_retrieval(size, repeats=30, baseline_rows=250_000)
        figures.update(result)
        label = _label(size)
        print(
            f"top-10 over {size:>9,} memories of one persona: {result[f'top10_ms_{label}']} ms "
            f"(min {result[f'top10_min_ms_{label}']}, p95 {result[f'top10_p95_ms_{label}']}), "
            f"float64 + full sort baseline {result[f'baseline_top10_ms_{label}']} ms "
            f"(x{result[f'speedup_{label}']})"
        )
    total = sizes[-1]
    partitioned = bench_partitioned(total, owners=100, repeats=50)
    figures.update(partitioned)
    label = _label(total)
    print(
        f"top-10 over {total:,} memories of 100 personas (one persona asks): "
        f"{partitioned[f'top10_ms_{label}_over_100_personas']} ms"
    )
    figures.update(bench_two_stages(args.quick))
    figures.update(bench_turn_commits(200 if args.quick else 1000))
    figures["retrieval_target_ms"] = 20
    figures["baseline"] = "numpy float64 + full argsort; 1m scaled from 250k rows"
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
