"""Small text helpers shared by the scripted backend and the fallback lines: pure functions."""

from __future__ import annotations

import hashlib
import random
import re
from collections.abc import Iterable

# About four characters per token for English with BPE tokenizers: used only where a backend
# reports no counts (scripted lines) and for rate-limit and budget reservations before a call.
CHARS_PER_TOKEN = 4

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_WORD = re.compile(r"[A-Za-z][A-Za-z'-]+")
_INSTRUCTION_START = (
    "summarize",
    "summarise",
    "extract",
    "list",
    "return",
    "respond",
    "reply",
    "write",
    "give",
    "answer",
    "output",
    "use",
    "you are",
)
_STOPWORDS = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "their",
        "there",
        "these",
        "those",
        "which",
        "while",
        "would",
        "could",
        "should",
        "other",
        "being",
        "having",
        "doing",
        "because",
        "through",
        "during",
        "before",
        "where",
        "what",
        "when",
        "your",
        "yours",
        "this",
        "that",
        "with",
        "from",
        "have",
        "just",
        "very",
        "really",
        "think",
        "know",
        "maybe",
        "something",
        "anything",
        "nothing",
    ]
)


def estimate_tokens(text: str) -> int:
    # ceil(len / CHARS_PER_TOKEN) in integers: every message of every request is estimated.
    return (len(text) + CHARS_PER_TOKEN - 1) // CHARS_PER_TOKEN


def stable_seed(*parts: object, bits: int = 64) -> int:
    """A `bits`-bit number from a stable hash of `parts`: the same in every process (Python's
    own `hash` is salted per process). Cheaper than a seeded generator when one number will do.
    BLAKE2 is built into Python: OpenSSL's SHA-256 looks its algorithm up on every call, which
    cost more than the hashing on the per-line path."""
    key = "\x1f".join(repr(p) for p in parts).encode()
    return int.from_bytes(hashlib.blake2b(key, digest_size=8).digest(), "big") >> (64 - bits)


def seeded_rng(*parts: object) -> random.Random:
    """A generator seeded by a stable hash of `parts`: the same inputs give the same choices in
    every process, whatever order calls arrive in."""
    return random.Random(stable_seed(*parts))


def sentences(text: str) -> list[str]:
    """Sentences and lines of `text`, stripped, in order, without duplicates."""
    seen: dict[str, None] = {}
    for piece in _SENTENCE_END.split(text):
        cleaned = piece.strip().strip("-*• \t")
        if cleaned:
            seen.setdefault(cleaned, None)
    return list(seen)


def informative_sentences(text: str) -> list[str]:
    """The sentences of `text` that state something: not instructions to the model (a line that
    starts like "Summarize..." or mentions JSON), not headers ending in ':', not one-word lines."""
    kept = []
    for sentence in sentences(text):
        lowered = sentence.lower()
        if lowered.startswith(_INSTRUCTION_START) or "json" in lowered or "schema" in lowered:
            continue
        if sentence.endswith(":") or len(sentence.split()) < 3:
            continue
        kept.append(sentence)
    return kept


def keyword(text: str, default: str) -> str:
    """The most telling word of `text`: its longest word of five letters or more that is not a
    common function word; `default` when there is none."""
    words = [w for w in _WORD.findall(text) if len(w) >= 5 and w.lower() not in _STOPWORDS]
    return max(words, key=len) if words else default


def truncate_to_tokens(text: str, max_tokens: int) -> str:
    """Cut `text` at a word boundary so its estimated size fits `max_tokens`."""
    if estimate_tokens(text) <= max_tokens:
        return text
    limit = max_tokens * CHARS_PER_TOKEN
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(",;:") + "..."


def humanize(topic: str) -> str:
    return topic.replace("_", " ").strip()


def form_of_address(name: str) -> str:
    """What one calls a persona to its face: its name without the epithet ("Mara the Tavern
    Keeper" -> "Mara"); titles stay ("King Aldric", "Brother Aldo")."""
    head, found, _ = name.partition(" the ")
    return head.strip() if found and head.strip() else name


def first_sentence(text: str) -> str:
    found = sentences(text)
    return found[0] if found else ""


def join_words(words: Iterable[str]) -> str:
    return " ".join(w for w in words if w)


def fill(template: str, **values: str) -> str:
    """Replace `{name}` slots; unlike `str.format`, other braces in a persona's text are kept."""
    for name, value in values.items():
        template = template.replace("{" + name + "}", value)
    return template
