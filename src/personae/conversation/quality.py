"""The quality pipeline of a spoken line: denoise it, then judge it (seed 000's stages 1-2).

Denoising cleans what models add around a line: the speaker's own tag ("Name:", "(Name)", "As
Name,", "Name,"), wrapping quotes, stage directions beyond the first, repeated sentences, and
for personas with intelligence above 70 filler words. The gates then reject a line that is too
short, repeats a recent turn, echoes another speaker, rehashes the talk (is mostly phrases
already said in it, by anyone: small models stitch lines together from what they just read),
wanders off topic, confuses roles (speaks as someone else, or as "an AI assistant", or tells
its own speaker "You are ..."), or reads its instructions aloud. The engine regenerates a
rejected line once, then falls back to a canned line. Every score is kept with the turn.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import NamedTuple

from pydantic import BaseModel, ConfigDict, Field
from rapidfuzz import fuzz

from personae.conversation.prompt import reads_instructions
from personae.domain.persona import Persona

Relevance = Callable[[str, str], float]
"""relevance(line, reference) -> 0..1: how much a line is about the reference text."""


class QualitySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_words: int = Field(3, ge=0)
    # A line this similar to a recent one is a repeat (0..1, as difflib's ratio).
    repeat_similarity: float = Field(0.9, ge=0, le=1)
    # This share of another speaker's last line inside ours is an echo.
    echo_share: float = Field(0.8, ge=0, le=1)
    # This share of a line's words in phrases already said in the window: a rehash.
    rehash_share: float = Field(0.6, ge=0, le=1)
    # Below this share of content words shared with the topic and the window: off topic.
    min_relevance: float = Field(0.05, ge=0, le=1)
    recent_turns: int = Field(6, ge=1, description="the window the gates compare a line with")
    filler_intelligence_above: int = Field(70, ge=0, le=100)
    max_words: int = Field(120, ge=1)
    max_sentences: int = Field(3, ge=1)
    # "(smiling) ... (smiling again). ... (pausing)": small models act out every sentence.
    max_stage_directions: int = Field(
        1, ge=0, description="parenthesised actions kept in a line, the first ones"
    )


# Hesitations anywhere; discourse markers only where a comma shows they are fillers
# ("you know," but not "you know me").
FILLERS = re.compile(
    r"\b(?:um+|uh+|erm+)\b,?\s*|\b(?:you know|i mean|like|sort of|kind of),\s*", re.I
)
ELLIPSIS = re.compile(r"\s*(?:\.{3,}|…)\s*")
# Reference marks small models copy from their training text: "[4]", "[4." (a mark cut off,
# anywhere: the line may be cut at a sentence end after it), or a bare "[4" at the end.
CITATION = re.compile(r"\s*\[\d{1,3}(?:\]|\.|\s*$)")
ROLE_CONFUSION = re.compile(
    r"\b(?:as an ai|an ai (?:language )?model|language model|ai assistant|i am an ai|"
    r"i'm an ai|openai|as a chatbot|how (?:can|may) i (?:help|assist) you|"
    r"(?:sorry|apologi[sz]e) for (?:the|any) (?:confusion|misunderstanding)|"
    r"(?:don['’]t|do not) have the ability to)\b|^(?:user|assistant|system)\s*:",
    re.I | re.M,
)
# Every match of ROLE_CONFUSION contains one of these (lower case): checking for them first
# spares most lines the regex, which tries its alternatives at every word.
ROLE_CONFUSION_CUES = (
    "an ai",
    "language model",
    "ai assistant",
    "openai",
    "chatbot",
    "i help you",
    "i assist you",
    "confusion",
    "misunderstanding",
    "have the ability",
    ":",
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+")
WORD = re.compile(r"[a-z0-9']+")
NON_WORD = re.compile(r"\W+")
STAGE_DIRECTION = re.compile(r"\([^()]*\)")
SPACE_BEFORE_STOP = re.compile(r"\s+([.,!?;:])")
# A stage direction, with the full stop after it when it stands alone after a sentence's end (or
# at the start): "here. (smiling again). Thank you".
DIRECTION_AND_STOP = re.compile(
    rf"(?:(?<=[.!?])\s*|^){STAGE_DIRECTION.pattern}\s*\.(?!\.)|{STAGE_DIRECTION.pattern}"
)
STOPWORDS = frozenset(
    "a an the and or but if of to in on at by for with about as is are was were be been it its "
    "this that these those i you he she we they me him her us them my your his our their what "
    "which who whom so not no do does did have has had will would can could should just than "
    "then there here very too also from into out up down over".split()
)


@dataclass(frozen=True, slots=True)
class Said:
    """A line of the talk as the gates read it, worked out once, when it is said.

    Each line is compared with the `recent_turns` lines before it, so each is read again for
    several turns. A conversation keeps its own last `recent_turns` rather than relying on a
    shared cache: a world interleaves thousands of talks, and a cache they share evicts a line
    before its talk reads it again.
    """

    text: str
    speaker_id: str
    lowered: str
    words: tuple[str, ...]  # lower case, as `WORD` finds them
    stems: frozenset[str]
    sentence_keys: frozenset[str]  # what each sentence says (`_sentence_key`)
    phrases: frozenset[tuple[str, ...]]  # every `PHRASE_WORDS` words in a row

    @classmethod
    def of(cls, text: str, speaker_id: str = "") -> Said:
        return cls(text, speaker_id, *_reading(text))


class _Reading(NamedTuple):
    """What `Said` holds of a text besides it and its speaker, in field order."""

    lowered: str
    words: tuple[str, ...]
    stems: frozenset[str]
    sentence_keys: frozenset[str]
    phrases: frozenset[tuple[str, ...]]


# Lines said word for word in several talks (a template, a scripted backend, a stock phrase),
# and a talk's topic, are read once for all; a line said once costs one lookup more.
@lru_cache(maxsize=4096)
def _reading(text: str) -> _Reading:
    lowered = text.lower()
    words = tuple(WORD.findall(lowered))
    stems = frozenset(map(_stem, words))
    return _Reading(lowered, words, stems, _sentence_keys(text), frozenset(_phrase_sequence(words)))


def denoise(
    text: str,
    persona: Persona,
    others: Sequence[str] = (),
    settings: QualitySettings | None = None,
    recent: Sequence[str | Said] = (),
    cut_off: bool = False,
) -> str:
    """The line without the noise models wrap around it.

    `others` are the other speakers' names; `recent` the latest lines, whose sentences are not
    said again (small models love to copy what was just said). A line ends at its last complete
    sentence, and keeps at most `max_sentences`. `cut_off`: the model was stopped by the token
    limit, so an unfinished last sentence goes even when it is all that is left ("... over time
    too: The old"): the line is then empty rather than half a sentence.
    """
    s = settings or QualitySettings()
    line = text.strip()
    line = _strip_own_tag(line, [persona.name, persona.id])
    line = " ".join(line.strip().strip('"“”').split())  # one space between words
    # Each pattern only where its mark is: most lines have none, and a substitution costs more.
    if persona.intelligence > s.filler_intelligence_above:
        line = FILLERS.sub("", line)
        if ".." in line or "…" in line:
            line = ELLIPSIS.sub(". ", line).replace(" .", ".")
    if "[" in line:
        line = CITATION.sub("", line)
    if "[" in line or "]" in line:
        line = _without_stray_brackets(line)
    if "(" in line:
        line = _fewer_stage_directions(line, s.max_stage_directions)
    line = _cut_at_other_speaker(line, others)
    line = _drop_repeated_sentences(line, recent)
    line = _whole_sentences(line, s.max_sentences, cut_off)
    words = line.split()
    if len(words) > s.max_words:
        line = _trim_to_sentence(" ".join(words[: s.max_words]))
    return line.strip()


@dataclass(frozen=True, slots=True)
class Verdict:
    passed: bool
    failures: tuple[str, ...]
    scores: dict[str, float] = field(default_factory=dict)


def judge(
    line: str | Said,
    speaker: Persona,
    topic: str,
    recent: Sequence[tuple[str, str] | Said],
    other_names: Sequence[str],
    relevance: Relevance | None = None,
    settings: QualitySettings | None = None,
) -> Verdict:
    """Check a denoised line; `recent` is the last turns, newest last: each a `Said`, or
    (speaker id, text)."""
    s = settings or QualitySettings()
    said = line if isinstance(line, Said) else Said.of(line, speaker.id)
    line, lowered = said.text, said.lowered
    window = [r if isinstance(r, Said) else Said.of(r[1], r[0]) for r in recent[-s.recent_turns :]]
    words = len(line.split())
    own = [r for r in window if r.speaker_id == speaker.id]
    theirs = [r for r in window if r.speaker_id != speaker.id]
    repeat = max((_similarity(lowered, r.lowered) for r in window), default=0.0)
    echo = max((_contained_share(r.lowered, lowered) for r in theirs[-1:]), default=0.0)
    rehash = _rehashed_share(said, window)
    topic_words = topic.replace("_", " ")
    if not window:
        relevant = 1.0
    elif relevance is None:
        topic_stems = _reading(topic_words).stems
        relevant = _relevance(said.words, [topic_stems, *(r.stems for r in window)])
    else:
        relevant = relevance(line, " ".join([topic_words, *(r.text for r in window)]))
    confused = (
        _speaks_as_assistant(line, lowered)
        or _speaks_as_other(line, other_names)
        or _told_who_they_are(line, speaker)
    )
    reads_prompt = reads_instructions(line)
    scores = {
        "words": float(words),
        "repetition": round(repeat, 3),
        "echo": round(echo, 3),
        "rehash": round(rehash, 3),
        "relevance": round(relevant, 3),
        "role_confusion": 1.0 if confused else 0.0,
        "prompt_echo": 1.0 if reads_prompt else 0.0,
    }
    failures = []
    if words < s.min_words:
        failures.append("too_short")
    if repeat >= s.repeat_similarity:
        failures.append("repeat")
    if echo >= s.echo_share:
        failures.append("echo")
    if rehash >= s.rehash_share:
        failures.append("rehash")
    if relevant < s.min_relevance and own + theirs:
        failures.append("off_topic")
    if confused:
        failures.append("role_confusion")
    if reads_prompt:
        failures.append("prompt_echo")
    return Verdict(passed=not failures, failures=tuple(failures), scores=scores)


def lexical_relevance(line: str, reference: str) -> float:
    """Share of the line's content words found in the reference (0..1); a cheap default that an
    embedding similarity can replace."""
    return _relevance(Said.of(line).words, [Said.of(reference).stems])


def _relevance(words: Sequence[str], references: Sequence[frozenset[str]]) -> float:
    """The share of content words among `words` whose stems are in one of `references`."""
    content = {w for w in words if w not in STOPWORDS and len(w) > 2}
    if not content:
        return 0.0
    known = frozenset().union(*references)
    return sum(1 for w in content if _stem(w) in known) / len(content)


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    for suffix in ("ing", "ed", "s"):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:-1] if word.endswith("e") and len(word) > 3 else word


def _without_stray_brackets(line: str) -> str:
    """The line without brackets that have no partner: the ends of the "[...]" around memories
    in the ask, which small models copy ("the importance of culture]."). Pairs stay."""
    stray: set[int] = set()
    opened: list[int] = []
    for i, char in enumerate(line):
        if char == "[":
            opened.append(i)
        elif char == "]":
            if opened:
                opened.pop()
            else:
                stray.add(i)
    stray.update(opened)
    if not stray:
        return line
    kept = "".join(char for i, char in enumerate(line) if i not in stray)
    return " ".join(kept.split())


def _fewer_stage_directions(line: str, keep: int) -> str:
    """The line with only its first `keep` stage directions ("(smiling)"). One taken out after a
    sentence's end takes its own full stop along ("here. (smiling again). Thank you" -> "here.
    Thank you"), and the line still starts with a capital."""
    found = 0

    def one(match: re.Match[str]) -> str:
        nonlocal found
        found += 1
        return match.group(0) if found <= keep else " "

    fewer = DIRECTION_AND_STOP.sub(one, line)
    if found <= keep:
        return line
    fewer = SPACE_BEFORE_STOP.sub(r"\1", " ".join(fewer.split()))  # "Right (winks)." -> "Right."
    return fewer[:1].upper() + fewer[1:]


def _strip_own_tag(line: str, names: Sequence[str]) -> str:
    """The line without a tag naming its own speaker: "Ilse: ...", "(Ilse) ...", "As Ilse, ..."
    or "Ilse, ..." (small models narrate who speaks, or have the speaker hail itself; the line
    is the same without it)."""
    lowered = line.lower()
    for name in filter(None, map(str.lower, names)):
        for tag in (f"{name}:", f"({name})", f"as {name},", f"{name},"):
            if lowered.startswith(tag):
                rest = line[len(tag) :].lstrip()
                return rest[:1].upper() + rest[1:]
    return line


def _speaks_as_assistant(line: str, lowered: str) -> bool:
    """The line talks like a chat assistant (`ROLE_CONFUSION`); `lowered` is it in lower case."""
    return any(cue in lowered for cue in ROLE_CONFUSION_CUES) and bool(ROLE_CONFUSION.search(line))


def _speaks_as_other(line: str, other_names: Sequence[str]) -> bool:
    """The line is tagged as another's: "Gorin: ...", "(Gorin) ..." or "As Gorin, ..."; for
    "Merchant Gorin", "Merchant: ..." and "Gorin: ..." too."""
    head = line.split(":", 1)[0].strip().lower() if ":" in line[:60] else ""
    lowered = line.lower()
    return any(
        head == form.lower()
        or (form == name and lowered.startswith((f"({form.lower()})", f"as {form.lower()},")))
        for name in other_names
        for form in name_forms(name)
    )


def _told_who_they_are(line: str, speaker: Persona) -> bool:
    """The line addresses its own speaker as "you" ("You are King Aldric, ..."): the model is
    narrating the prompt to the character, not speaking as it."""
    lowered, name = line.lower(), speaker.name.lower()
    return f"you are {name}" in lowered or f"you're {name}" in lowered


def _cut_at_other_speaker(line: str, others: Sequence[str]) -> str:
    """Models often go on to write the other speaker's reply; keep only our part."""
    cut = len(line)
    for name in others:
        # A line that opens with their whole name is theirs from the start (the gates call that
        # role confusion), not ours up to the last word of that name.
        skip = len(name) if name and line.startswith(name) else 1
        for form in name_forms(name):
            cut = min(cut, _speaker_tag_at(line, form, skip))
    return line[:cut].strip()


# Sized for a world's cast: every line asks for its listeners' forms.
@lru_cache(maxsize=1 << 16)
def name_forms(name: str) -> tuple[str, ...]:
    """How a small model tags a speaker: the whole name, or one capitalised word of it
    ("Merchant Gorin" is also "Merchant:" and "Gorin:"; seen in `personae converse`)."""
    if not name:
        return ()
    words = [w for w in name.split() if len(w) >= 3 and w[0].isupper()]
    return (name, *(w for w in words if w != name))


def _speaker_tag_at(line: str, name: str, skip: int = 1) -> int:
    """Where a "Name:" tag (whitespace before it, optional spaces before the colon) starts in
    the line after its first `skip` characters (by default: after its beginning), else
    len(line). Plain string search: with a world of personas, a regex per name would be
    compiled and evicted over and over."""
    start = line.find(name, skip)
    while start != -1:
        after = line[start + len(name) :].lstrip()
        if line[start - 1].isspace() and after.startswith(":"):
            return start - 1
        start = line.find(name, start + 1)
    return len(line)


def _sentence_key(sentence: str) -> str:
    """What a sentence says, to compare: its words in lower case, without a stage direction
    ("(laughs) The topic is philosophy." says what "The topic is philosophy." says)."""
    if "(" in sentence:
        sentence = STAGE_DIRECTION.sub(" ", sentence)
    return NON_WORD.sub(" ", sentence.lower()).strip()


def _sentence_keys(text: str) -> frozenset[str]:
    """What each sentence of `text` says."""
    return frozenset(_sentence_key(s) for s in SENTENCE_END.split(text)) - {""}


# What the plain texts among the heard say: in a talk, the request's own instructions, which
# repeat from line to line (sized for a world's thousands of talks at once).
_heard_keys = lru_cache(maxsize=1 << 16)(_sentence_keys)


def _drop_repeated_sentences(line: str, recent: Sequence[str | Said] = ()) -> str:
    seen = set().union(
        *(r.sentence_keys if isinstance(r, Said) else _heard_keys(r) for r in recent)
    )
    kept = []
    for sentence in SENTENCE_END.split(line):
        key = _sentence_key(sentence)
        if key and key in seen:
            continue
        seen.add(key)
        kept.append(sentence)
    return " ".join(kept)


def _whole_sentences(line: str, limit: int, cut_off: bool = False) -> str:
    """At most `limit` sentences, dropping an unfinished last one: always when `cut_off`, else
    when others precede it (a short line may lack its full stop and still be whole)."""
    sentences = [s for s in SENTENCE_END.split(line) if s.strip()]
    if (
        sentences
        and (cut_off or len(sentences) > 1)
        and not sentences[-1].rstrip().endswith((".", "!", "?", '"', "”"))
    ):
        sentences.pop()
    return " ".join(sentences[:limit])


def _trim_to_sentence(text: str) -> str:
    end = max(text.rfind("."), text.rfind("!"), text.rfind("?"))
    return text[: end + 1] if end > len(text) // 2 else text


def _similarity(a: str, b: str) -> float:
    """0..1 edit similarity of two lower-cased lines (as difflib's ratio, computed by rapidfuzz
    in C++)."""
    return float(fuzz.ratio(a, b)) / 100.0


# A phrase is this many words in a row: short enough to catch a clause lifted from a line,
# long enough that "I'm glad to" alone is no copy.
PHRASE_WORDS = 4


def _rehashed_share(line: Said, said: Sequence[Said]) -> float:
    """The share of the line's words that sit in a phrase (`PHRASE_WORDS` words in a row) also
    found in one of the `said` lines."""
    phrases = line.phrases
    known = [other.phrases for other in said if not other.phrases.isdisjoint(phrases)]
    if not known:  # most lines: no phrase in common, decided by set operations in C
        return 0.0
    in_order = _phrase_sequence(line.words)
    covered = [False] * (len(in_order) + PHRASE_WORDS - 1)
    for start, phrase in enumerate(in_order):
        if any(phrase in other for other in known):
            covered[start : start + PHRASE_WORDS] = [True] * PHRASE_WORDS
    return sum(covered) / len(covered)


def _phrase_sequence(words: Sequence[str]) -> tuple[tuple[str, ...], ...]:
    """Every `PHRASE_WORDS` words in a row, in order (none when there are fewer)."""
    return tuple(zip(*(words[i:] for i in range(PHRASE_WORDS)), strict=False))


def _contained_share(source: str, line: str) -> float:
    """How much of `source` (another speaker's lower-cased line) reappears in `line` (lower-cased
    too): the best alignment of the shorter inside the longer, weighted by how much of `source`
    that covers."""
    if not source or not line:
        return 0.0
    aligned = float(fuzz.partial_ratio(source, line)) / 100.0
    return aligned * min(1.0, len(line) / len(source))
