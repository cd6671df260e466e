"""Continue-score throughput: the scalar scorer against the numpy batch scorer on the same rows.

Usage: python benchmarks/bench_scoring.py [--rows N] [--scalar-rows N]
The scalar scorer runs over the first --scalar-rows rows (default: all of them), the batch scorer
over all rows; both must agree exactly. Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import json
import random
import time

import numpy as np

from personae.domain import ConversationContext, InteractionState, Persona, Priority
from personae.dynamics.batch import PRIORITY_CODES, ScoreRows, batch_continue_scores
from personae.dynamics.score import continue_score

TOPICS = ["trade", "politics", "gossip", "war", "music", "grain_prices"]


def make_pool(rng: random.Random, size: int) -> tuple[list[Persona], list[ConversationContext]]:
    personas = [
        Persona(
            id=f"p{i}",
            name=f"P{i}",
            status=rng.randint(0, 10),
            charisma=rng.randint(3, 18),
            topics={t: rng.randint(0, 100) for t in rng.sample(TOPICS, 4)},
            state=InteractionState(
                current_priority=rng.choice(list(Priority)),
                interest_level=rng.uniform(0, 100),
                interaction_fatigue=rng.uniform(0, 100),
                available_time_s=rng.uniform(0, 900),
            ),
        )
        for i in range(size)
    ]
    contexts = [
        ConversationContext(
            participants=["a", "b"],
            topic=rng.choice(TOPICS),
            topic_drift_count=rng.randint(0, 5),
            duration_s=rng.uniform(0, 600),
            token_budget=rng.randint(0, 1500),
        )
        for _ in range(size)
    ]
    return personas, contexts


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--scalar-rows", type=int, default=None)
    args = parser.parse_args()
    rows = args.rows
    scalar_rows = min(args.scalar_rows or rows, rows)

    rng = random.Random(7)
    personas, contexts = make_pool(rng, 2000)
    np_rng = np.random.default_rng(7)
    self_idx = np_rng.integers(0, len(personas), rows)
    other_idx = np_rng.integers(0, len(personas), rows)
    ctx_idx = np_rng.integers(0, len(contexts), rows)
    affinity = np_rng.uniform(-100, 100, rows)

    # Column views of the pool, gathered per row: this is how a world tick feeds the batch scorer.
    def column(values: list[float] | list[int], dtype: type) -> np.ndarray:
        return np.array(values, dtype=dtype)

    p_priority = column([PRIORITY_CODES[p.state.current_priority] for p in personas], np.int64)
    p_status = column([p.status for p in personas], np.int64)
    p_charisma = column([p.charisma for p in personas], np.int64)
    p_interest = column([p.state.interest_level for p in personas], np.float64)
    p_fatigue = column([p.state.interaction_fatigue for p in personas], np.float64)
    p_time = column([p.state.available_time_s for p in personas], np.float64)
    topic_index = {t: i for i, t in enumerate(TOPICS)}
    preference = np.array(
        [[p.topic_interest(t) for t in TOPICS] for p in personas], dtype=np.float64
    )
    c_topic = column([topic_index[c.topic] for c in contexts], np.int64)
    c_duration = column([c.duration_s for c in contexts], np.float64)
    c_drift = column([c.topic_drift_count for c in contexts], np.int64)
    c_tokens = column([c.token_budget for c in contexts], np.int64)

    batch_rows = ScoreRows(
        priority=p_priority[self_idx],
        duration_s=c_duration[ctx_idx],
        status_self=p_status[self_idx],
        status_other=p_status[other_idx],
        invited=np.zeros(rows, dtype=np.bool_),
        charisma_self=p_charisma[self_idx],
        charisma_other=p_charisma[other_idx],
        preference_self=preference[self_idx, c_topic[ctx_idx]],
        interest_self=p_interest[self_idx],
        preference_other=preference[other_idx, c_topic[ctx_idx]],
        interest_other=p_interest[other_idx],
        drift_count=c_drift[ctx_idx],
        fatigue=p_fatigue[self_idx],
        affinity=affinity,
        available_time_s=p_time[self_idx],
        token_budget=c_tokens[ctx_idx],
    )

    batch_continue_scores(batch_rows)  # warm up
    best_batch = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        batch = batch_continue_scores(batch_rows)
        best_batch = min(best_batch, time.perf_counter() - start)

    start = time.perf_counter()
    scalar = [
        continue_score(personas[s], personas[o], contexts[c], float(a)).total
        for s, o, c, a in zip(
            self_idx[:scalar_rows].tolist(),
            other_idx[:scalar_rows].tolist(),
            ctx_idx[:scalar_rows].tolist(),
            affinity[:scalar_rows].tolist(),
            strict=True,
        )
    ]
    scalar_s = time.perf_counter() - start
    agree = bool(np.array_equal(np.array(scalar), batch[:scalar_rows]))

    scalar_rate = scalar_rows / scalar_s
    batch_rate = rows / best_batch
    print(f"scalar: {scalar_rows:,} rows in {scalar_s:.2f} s = {scalar_rate:,.0f} rows/s")
    print(
        f"batch:  {rows:,} rows in {best_batch * 1000:.1f} ms = {batch_rate:,.0f} rows/s "
        f"(best of 5)"
    )
    print(f"results identical: {agree}")
    print(
        json.dumps(
            {
                "rows": rows,
                "scalar_rows": scalar_rows,
                "scalar_pairs_per_s": round(scalar_rate),
                "batch_pairs_per_s": round(batch_rate),
                "batch_over_scalar": round(batch_rate / scalar_rate, 1),
                "identical": agree,
            }
        )
    )


if __name__ == "__main__":
    main()
