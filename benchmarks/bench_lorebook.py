"""Lorebook activation throughput: personae's scan against a naive scan in the same run.

A book of 400 entries (5 keys each, a fifth of them with secondary keys, some whole-word) is
scanned over the last 20 messages of a chat, as the prompt builder does before every turn. The
baseline is the straightforward way: for every key, lower-case and join the window again and
search it. Prints one JSON object as its last line.
"""

from __future__ import annotations

import json
import random
import re
import time

from personae.cards.lore_scan import LoreSettings, activate
from personae.domain.lorebook import Lorebook, LoreEntry

ENTRIES = 400
MESSAGES = 20
ROUNDS = 30
WORDS = [f"word{i}" for i in range(20000)]


def build(rng: random.Random) -> tuple[Lorebook, list[str]]:
    entries = [
        LoreEntry(
            keys=rng.sample(WORDS, 5),
            secondary_keys=rng.sample(WORDS, 2) if i % 5 == 0 else [],
            selective=i % 5 == 0,
            match_whole_words=i % 3 == 0,
            content=" ".join(rng.sample(WORDS, 30)),
        )
        for i in range(ENTRIES)
    ]
    messages = [" ".join(rng.choices(WORDS, k=40)) for _ in range(MESSAGES)]
    return Lorebook(entries=entries, scan_depth=MESSAGES), messages


def naive(book: Lorebook, messages: list[str]) -> int:
    hits = 0
    for entry in book.entries:

        def found(key: str, entry: LoreEntry = entry) -> bool:
            text = "\n".join(messages[-MESSAGES:]).lower()
            if entry.match_whole_words:
                return re.search(rf"(?<!\w){re.escape(key.lower())}(?!\w)", text) is not None
            return key.lower() in text

        if any(found(key) for key in entry.keys) and (
            not entry.selective or any(found(key) for key in entry.secondary_keys)
        ):
            hits += 1
    return hits


def timed(function: object, *args: object) -> tuple[float, int]:
    started = time.perf_counter()
    result = 0
    for _ in range(ROUNDS):
        result = function(*args)  # type: ignore[operator]
    return (time.perf_counter() - started) / ROUNDS, result


def main() -> None:
    book, messages = build(random.Random(7))
    settings = LoreSettings(default_scan_depth=MESSAGES)
    ours_s, _ = timed(lambda: len(activate(book, messages, random.Random(0), settings).entries))
    base_s, base_hits = timed(naive, book, messages)
    ours_hits = len(activate(book, messages, random.Random(0), settings).entries)
    figures = {
        "entries": ENTRIES,
        "messages": MESSAGES,
        "activated": ours_hits,
        "baseline_activated": base_hits,
        "scan_ms": round(ours_s * 1000, 3),
        "baseline_scan_ms": round(base_s * 1000, 3),
        "speedup": round(base_s / ours_s, 2),
    }
    print(f"personae scan {figures['scan_ms']} ms, naive {figures['baseline_scan_ms']} ms")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
