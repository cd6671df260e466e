"""Which lorebook entries a conversation activates, and in what order they enter the prompt.

The rules (Character Card V2/V3 lorebooks, with SillyTavern's World Info semantics where the
specs leave room):

- an entry activates when one of its keys appears in the last `scan_depth` messages (the entry's,
  else the book's, else `LoreSettings.default_scan_depth`); an empty key never matches;
- keys match as substrings, case-insensitively unless `case_sensitive`; with `match_whole_words`
  a one-word key must stand as a whole word; with `use_regex` (or a `/pattern/flags` key, as
  SillyTavern writes them) keys are regular expressions, and an invalid one never matches;
- `selective` entries with secondary keys also need them, combined by `selective_logic`
  (AND ANY, NOT ALL, NOT ANY, AND ALL); V3 ignores secondary keys for regex entries;
- `constant` entries always activate; disabled entries never do; V3 decorators `@@activate` and
  `@@dont_activate` at the top of the content force either way and are stripped from it;
- an activated entry is kept with its `probability` (percent), rolled on the injected generator;
- with `recursive_scanning`, activated content is scanned again for more keys, at most
  `max_recursion_steps` times; `exclude_recursion` entries are not activated that way and
  `prevent_recursion` entries' content does not activate others;
- when a token budget is set, entries are admitted by priority (`priority`, else
  `insertion_order`; higher first, constants before all) until the next would not fit;
- the admitted entries enter the prompt by ascending `insertion_order`, before or after the
  character definition as their `position` says.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache

from personae.domain.lorebook import Lorebook, LoreEntry, LorePosition, SelectiveLogic

TokenCounter = Callable[[str], int]
MESSAGE_SEPARATOR = "\n\x01"  # a non-word character between messages: no match spans two
MAX_PATTERN_LENGTH = 1000


def approx_tokens(text: str) -> int:
    """About four characters a token: the usual estimate when no tokenizer is at hand."""
    return (len(text) + 3) // 4


@dataclass(frozen=True)
class LoreSettings:
    """Scanning defaults for what a lorebook does not set itself."""

    default_scan_depth: int = 2  # messages scanned; SillyTavern's default
    case_sensitive: bool = False
    match_whole_words: bool = False
    recursive: bool | None = None  # None: the book's recursive_scanning (absent: off)
    max_recursion_steps: int = 3
    token_budget: int | None = None  # None: the book's token_budget (absent or 0: unlimited)


@dataclass(frozen=True)
class ActivatedEntry:
    """An entry that made it into the prompt, and why."""

    entry: LoreEntry
    index: int  # position in the book
    reason: str
    step: int  # 0: the messages; 1+: recursion
    tokens: int
    content: str  # without decorators

    @property
    def position(self) -> LorePosition:
        return self.entry.position


@dataclass(frozen=True)
class SkippedEntry:
    """An entry whose keys matched but that was left out (probability, budget)."""

    label: str
    reason: str


@dataclass(frozen=True)
class LoreActivation:
    """The outcome of one scan: admitted entries in prompt order, and the ones left out."""

    entries: tuple[ActivatedEntry, ...] = ()
    skipped: tuple[SkippedEntry, ...] = ()
    tokens: int = 0

    def texts(self, position: LorePosition) -> list[str]:
        return [item.content for item in self.entries if item.position is position and item.content]

    @property
    def before_char(self) -> str:
        return "\n".join(self.texts(LorePosition.BEFORE_CHAR))

    @property
    def after_char(self) -> str:
        return "\n".join(self.texts(LorePosition.AFTER_CHAR))


@dataclass
class _Candidate:
    index: int
    entry: LoreEntry
    reason: str
    step: int
    content: str
    forced: bool = False


@dataclass
class _Scan:
    book: Lorebook
    messages: Sequence[str]
    settings: LoreSettings
    rng: random.Random
    count_tokens: TokenCounter
    decided: set[int] = field(default_factory=set)
    admitted: list[ActivatedEntry] = field(default_factory=list)
    skipped: list[SkippedEntry] = field(default_factory=list)
    used_tokens: int = 0
    windows: dict[int, Haystack] = field(default_factory=dict)  # scan depth -> its text


def activate(
    book: Lorebook,
    messages: Sequence[str],
    rng: random.Random,
    settings: LoreSettings | None = None,
    count_tokens: TokenCounter = approx_tokens,
) -> LoreActivation:
    """Scan `messages` (oldest first) and return the entries that enter the prompt."""
    scan = _Scan(book, messages, settings or LoreSettings(), rng, count_tokens)
    recursive = scan.settings.recursive
    if recursive is None:
        recursive = bool(book.recursive_scanning)
    recursion_text = ""
    steps = scan.settings.max_recursion_steps if recursive else 0
    for step in range(steps + 1):
        candidates = _candidates(scan, step, recursion_text)
        if not candidates:
            break
        new = _admit(scan, candidates)
        recursion_text += "".join(
            MESSAGE_SEPARATOR + item.content for item in new if not item.entry.prevent_recursion
        )
        if not new:
            break
    ordered = sorted(scan.admitted, key=lambda item: (item.entry.insertion_order, item.index))
    return LoreActivation(tuple(ordered), tuple(scan.skipped), scan.used_tokens)


def _candidates(scan: _Scan, step: int, recursion_text: str) -> list[_Candidate]:
    found: list[_Candidate] = []
    recursion = Haystack(recursion_text)
    for index, entry in enumerate(scan.book.entries):
        if index in scan.decided or not entry.enabled:
            continue
        decorators, content = split_decorators(entry.content)
        if "@@activate" in decorators:
            found.append(_Candidate(index, entry, "@@activate", step, content, forced=True))
            continue
        if "@@dont_activate" in decorators:
            continue
        if entry.constant:
            if step == 0:
                found.append(_Candidate(index, entry, "constant", step, content, forced=True))
            continue
        if step > 0 and entry.exclude_recursion:
            continue
        haystack = recursion if step > 0 else _window(scan, entry)
        reason = match_reason(entry, haystack, scan.settings)
        if reason is not None:
            where = f"recursion step {step}: " if step else ""
            found.append(_Candidate(index, entry, where + reason, step, content))
    return found


def _window(scan: _Scan, entry: LoreEntry) -> Haystack:
    depth = entry.scan_depth
    if depth is None:
        depth = scan.book.scan_depth
    if depth is None:
        depth = scan.settings.default_scan_depth
    if depth not in scan.windows:
        recent = scan.messages[-depth:] if depth > 0 else []
        scan.windows[depth] = Haystack("".join(MESSAGE_SEPARATOR + message for message in recent))
    return scan.windows[depth]


def _admit(scan: _Scan, candidates: list[_Candidate]) -> list[ActivatedEntry]:
    """Roll probabilities, then admit by priority within the token budget."""
    budget = scan.settings.token_budget
    if budget is None:
        budget = scan.book.token_budget
    kept: list[_Candidate] = []
    for candidate in candidates:
        scan.decided.add(candidate.index)
        if _passes_probability(candidate.entry.probability, scan.rng):
            kept.append(candidate)
        else:
            scan.skipped.append(
                SkippedEntry(
                    candidate.entry.label(),
                    f"lost its {candidate.entry.probability:g}% probability roll",
                )
            )
    kept.sort(key=lambda c: (not c.forced, -_priority(c.entry), c.index))
    new: list[ActivatedEntry] = []
    for candidate in kept:
        tokens = scan.count_tokens(candidate.content)
        if budget and scan.used_tokens + tokens > budget:
            scan.skipped.append(
                SkippedEntry(
                    candidate.entry.label(),
                    f"over the token budget ({scan.used_tokens} + {tokens} > {budget})",
                )
            )
            continue
        scan.used_tokens += tokens
        item = ActivatedEntry(
            candidate.entry,
            candidate.index,
            candidate.reason,
            candidate.step,
            tokens,
            candidate.content,
        )
        new.append(item)
        scan.admitted.append(item)
    return new


def _passes_probability(probability: float, rng: random.Random) -> bool:
    if probability >= 100:
        return True
    if probability <= 0:
        return False
    return rng.random() * 100 < probability


def _priority(entry: LoreEntry) -> float:
    return float(entry.priority if entry.priority is not None else entry.insertion_order)


# --- matching -------------------------------------------------------------------------------------


class Haystack:
    """Scanned text, case-folded once however many keys look at it."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def folded(self) -> str:
        return self.text.casefold()


def match_reason(entry: LoreEntry, text: str | Haystack, settings: LoreSettings) -> str | None:
    """Why `entry`'s keys match `text` (e.g. "key 'forest'"), or None when they do not."""
    if isinstance(text, str):
        text = Haystack(text)
    primary = next((key for key in entry.keys if key_matches(entry, key, text, settings)), None)
    if primary is None:
        return None
    reason = f"key {primary.strip()!r}"
    secondary = [key for key in entry.secondary_keys if key.strip()]
    if not entry.selective or not secondary or entry.use_regex:
        return reason
    hits = [key for key in secondary if key_matches(entry, key, text, settings)]
    logic = entry.selective_logic
    passed = {
        SelectiveLogic.AND_ANY: bool(hits),
        SelectiveLogic.NOT_ALL: len(hits) < len(secondary),
        SelectiveLogic.NOT_ANY: not hits,
        SelectiveLogic.AND_ALL: len(hits) == len(secondary),
    }[logic]
    if not passed:
        return None
    shown = ", ".join(repr(key.strip()) for key in hits) or "none"
    return f"{reason}; secondary keys {logic.value.replace('_', ' ').upper()} (matched: {shown})"


def key_matches(entry: LoreEntry, key: str, text: str | Haystack, settings: LoreSettings) -> bool:
    """Whether one key matches `text` under the entry's settings; an empty key never does."""
    haystack = Haystack(text) if isinstance(text, str) else text
    needle = key.strip()
    if not needle:
        return False
    case_sensitive = entry.case_sensitive
    if case_sensitive is None:
        case_sensitive = settings.case_sensitive
    flags = 0 if case_sensitive else re.IGNORECASE
    if entry.use_regex:
        pattern = _compile(needle, flags)
        return pattern is not None and pattern.search(haystack.text) is not None
    slashed = _slash_regex(needle)
    if slashed is not None:
        return slashed.search(haystack.text) is not None
    whole_words = entry.match_whole_words
    if whole_words is None:
        whole_words = settings.match_whole_words
    present = needle in haystack.text if case_sensitive else needle.casefold() in haystack.folded
    if not present:
        return False  # cheap test first: a whole word is also a substring
    if whole_words and len(needle.split()) == 1:
        pattern = _compile(rf"(?<!\w){re.escape(needle)}(?!\w)", flags)
        return pattern is not None and pattern.search(haystack.text) is not None
    return True


_SLASH_REGEX = re.compile(r"^/(.+)/([gimsuy]*)$", re.DOTALL)
_FLAG_BITS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}


def _slash_regex(key: str) -> re.Pattern[str] | None:
    """A SillyTavern `/pattern/flags` key as a compiled pattern (None: not one, or invalid)."""
    found = _SLASH_REGEX.match(key)
    if found is None:
        return None
    pattern, letters = found.groups()
    flags = 0
    for letter in letters:
        flags |= _FLAG_BITS.get(letter, 0)
    return _compile(pattern.replace("\\/", "/"), flags)


@lru_cache(maxsize=4096)
def _compile(pattern: str, flags: int) -> re.Pattern[str] | None:
    if len(pattern) > MAX_PATTERN_LENGTH:
        return None
    try:
        return re.compile(pattern, flags)
    except (re.error, RecursionError, OverflowError, ValueError):
        return None


def split_decorators(content: str) -> tuple[set[str], str]:
    """V3 decorators (`@@name value` lines at the top of the content) and the content without
    them. Fallback lines (`@@@name`) are removed too."""
    if not content.lstrip().startswith("@@"):
        return set(), content
    lines = content.split("\n")
    names: set[str] = set()
    taken = 0
    for line in lines:
        stripped = line.strip()
        if not stripped.startswith("@@"):
            break
        if not stripped.startswith("@@@"):
            names.add(stripped.split(maxsplit=1)[0])
        taken += 1
    if not taken:
        return names, content
    return names, "\n".join(lines[taken:]).strip("\n")
