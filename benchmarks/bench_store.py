"""Turns committed per second, each turn its own transaction, through `personae.store`.

Baselines in the same run: raw `sqlite3` inserts of the same rows into the same table with the
same pragmas (WAL, synchronous=NORMAL), one commit per row; and raw psycopg inserts for
PostgreSQL. The ratio store/raw is what the store's layers (SQLAlchemy Core, validation, JSON,
idempotency check) cost.

    python benchmarks/bench_store.py [--turns 1000] [--postgres postgresql://postgres@127.0.0.1/postgres]

Each backend runs three rounds, raw and store alternating; the figures are the medians.

The last line printed is one JSON object of the figures.
"""

from __future__ import annotations

import argparse
import json
import secrets
import sqlite3
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from personae.domain import ConversationRecord, Turn
from personae.store import open_store

CONVERSATION = "bench"
ROUNDS = 3


def make_turns(count: int, conversation_id: str = CONVERSATION) -> list[Turn]:
    return [
        Turn(
            conversation_id=conversation_id,
            index=i,
            speaker_id="bard" if i % 2 == 0 else "smith",
            listener_ids=["smith" if i % 2 == 0 else "bard"],
            text=f"Line {i}: the dragon was seen over the northern hills again last night.",
            raw_text=f"Line {i}: um, the dragon was seen over the northern hills again last night.",
            tier="full",
            score=70.0 - (i % 30),
            scores={"bard": 70.0 - (i % 30), "smith": 55.0 + (i % 7)},
            initiative_roll=(i * 7) % 20 + 1,
            quality={"words": 13.0, "on_topic": 0.9},
            prompt_tokens=400 + i % 50,
            completion_tokens=20,
            cost_usd=0.0001,
            world_time_s=6.5 * i,
        )
        for i in range(count)
    ]


def raw_row(turn: Turn) -> tuple[Any, ...]:
    return (
        turn.conversation_id,
        turn.index,
        turn.speaker_id,
        json.dumps(turn.listener_ids),
        turn.text,
        turn.raw_text,
        turn.tier,
        turn.score,
        json.dumps(turn.scores),
        turn.initiative_roll,
        turn.interrupted_id,
        json.dumps(turn.quality),
        turn.is_fallback,
        turn.is_exit,
        turn.prompt_tokens,
        turn.completion_tokens,
        turn.cost_usd,
        turn.world_time_s,
        time.time(),
    )


COLUMNS = (
    "conversation_id, turn_index, speaker_id, listener_ids, text, raw_text, tier, score, scores, "
    "initiative_roll, interrupted_id, quality, is_fallback, is_exit, prompt_tokens, "
    "completion_tokens, cost_usd, world_time_s, created_at"
)


def timed(action: Callable[[], None]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def store_rate(url: str, turns: list[Turn]) -> float:
    """Turns per second through store.turns.append, after a short warm-up conversation."""
    with open_store(url) as store:
        warm = make_turns(50, "warm-up")
        store.conversations.create(
            ConversationRecord(id="warm-up", participants=["bard", "smith"], topic="dragons")
        )
        for turn in warm:
            store.turns.append(turn)
        store.conversations.create(
            ConversationRecord(id=CONVERSATION, participants=["bard", "smith"], topic="dragons")
        )

        def append_all() -> None:
            for turn in turns:
                store.turns.append(turn)

        elapsed = timed(append_all)
        assert store.turns.next_index(CONVERSATION) == len(turns)
    return len(turns) / elapsed


def sqlite_raw_rate(path: Path, turns: list[Turn]) -> float:
    """The same rows into the same schema with the sqlite3 module, one commit each."""
    with open_store(str(path)) as store:  # the personae schema, nothing else
        store.conversations.create(
            ConversationRecord(id=CONVERSATION, participants=["bard", "smith"], topic="dragons")
        )
    connection = sqlite3.connect(path, isolation_level=None)
    connection.execute("PRAGMA synchronous = NORMAL")
    connection.execute("PRAGMA foreign_keys = ON")
    insert = f"INSERT INTO turns ({COLUMNS}) VALUES ({', '.join('?' * 19)})"

    def insert_all() -> None:
        for turn in turns:
            connection.execute("BEGIN IMMEDIATE")
            connection.execute(insert, raw_row(turn))
            connection.execute("COMMIT")

    elapsed = timed(insert_all)
    connection.close()
    return len(turns) / elapsed


def postgres_raw_rate(url: str, turns: list[Turn]) -> float:
    with open_store(url) as store:
        store.conversations.create(
            ConversationRecord(id=CONVERSATION, participants=["bard", "smith"], topic="dragons")
        )
    insert = f"INSERT INTO turns ({COLUMNS}) VALUES ({', '.join(['%s'] * 19)})"
    with psycopg.connect(url) as connection:

        def insert_all() -> None:
            for turn in turns:
                with connection.transaction():
                    connection.execute(insert, raw_row(turn))

        elapsed = timed(insert_all)
    return len(turns) / elapsed


@contextmanager
def postgres_database(server: str) -> Iterator[str]:
    """A throwaway database on `server`, dropped afterwards."""
    name = f"personae_bench_{secrets.token_hex(4)}"
    with psycopg.connect(server, autocommit=True, connect_timeout=5) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        try:
            yield server.rsplit("/", 1)[0] + "/" + name
        finally:
            admin.execute(sql.SQL("DROP DATABASE {} WITH (FORCE)").format(sql.Identifier(name)))


def median_rates(
    measure_raw: Callable[[int], float], measure_store: Callable[[int], float]
) -> tuple[float, float]:
    """Median turns/s of each over ROUNDS alternating rounds: the machine's load drifts, and
    alternating exposes both to the same drift."""
    raw: list[float] = []
    store: list[float] = []
    for round_number in range(ROUNDS):
        raw.append(measure_raw(round_number))
        store.append(measure_store(round_number))
    return statistics.median(raw), statistics.median(store)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=1000, help="turns per round and backend")
    parser.add_argument("--postgres", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = parser.parse_args()
    turns = make_turns(args.turns)
    figures: dict[str, Any] = {"turns_per_round": args.turns, "rounds": ROUNDS}

    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        sqlite_raw, sqlite_store = median_rates(
            lambda n: sqlite_raw_rate(folder / f"raw{n}.db", turns),
            lambda n: store_rate(str(folder / f"store{n}.db"), turns),
        )
    figures["sqlite_raw_turns_per_s"] = round(sqlite_raw)
    figures["sqlite_store_turns_per_s"] = round(sqlite_store)
    figures["sqlite_store_vs_raw"] = round(sqlite_store / sqlite_raw, 3)
    figures["sqlite_store_overhead_ms_per_turn"] = round(1000 / sqlite_store - 1000 / sqlite_raw, 3)
    print(
        f"SQLite (WAL, one transaction per turn): store {sqlite_store:,.0f} turns/s, "
        f"raw sqlite3 {sqlite_raw:,.0f} turns/s ({sqlite_store / sqlite_raw:.2f}x)"
    )

    def on_postgres(measure: Callable[[str, list[Turn]], float]) -> Callable[[int], float]:
        def run(_round: int) -> float:
            with postgres_database(args.postgres) as url:
                return measure(url, turns)

        return run

    try:
        postgres_raw, postgres_store = median_rates(
            on_postgres(postgres_raw_rate), on_postgres(store_rate)
        )
    except psycopg.OperationalError as error:
        print(f"PostgreSQL skipped: {args.postgres} unreachable ({error})")
        figures["postgresql_error"] = str(error).strip().splitlines()[0]
    else:
        figures["postgresql_raw_turns_per_s"] = round(postgres_raw)
        figures["postgresql_store_turns_per_s"] = round(postgres_store)
        figures["postgresql_store_vs_raw"] = round(postgres_store / postgres_raw, 3)
        figures["postgresql_store_vs_sqlite_raw"] = round(postgres_store / sqlite_raw, 3)
        print(
            f"PostgreSQL (one transaction per turn): store {postgres_store:,.0f} turns/s, "
            f"raw psycopg {postgres_raw:,.0f} turns/s ({postgres_store / postgres_raw:.2f}x)"
        )
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
