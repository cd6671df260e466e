"""What a speaker is shown before it speaks: a stable persona prefix, the talk so far, the ask.

Message layout, chosen so that an inference server's prefix cache is reused across turns:

1. system — who the speaker is, where they are, who is present (stable for the whole talk)
2. user   — "Earlier: ..." the running summary of lines older than the window (changes rarely)
3. the window: the speaker's own lines as `assistant`, everyone else's as `user` "Name: line"
4. user   — the ask: memories, lore, topic, and the tier's constraints (changes every turn)
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from personae.domain.memory import Memory
from personae.domain.persona import Persona
from personae.domain.turn import Turn
from personae.domain.world import Room
from personae.dynamics.routing import Tier, TierName
from personae.llm.types import Message, Role


@dataclass(frozen=True, slots=True)
class Scene:
    """What stays true for a whole conversation."""

    room: Room | None
    personas: Mapping[str, Persona]
    affinities: Mapping[tuple[str, str], float]
    names: Mapping[str, str] = field(init=False)
    """Each persona's name by id."""

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", {pid: p.name for pid, p in self.personas.items()})


# What a turn's request tells the speaker, beyond the scene itself.
REMEMBER = "You remember:"
LORE = "Known lore:"
CONCISE = "Be concise: at most {words} words."
WRAP_UP = "You are losing interest: begin to wrap up."
AVOID = "Avoid talking about"

# A line holding one of these is the model reading its instructions aloud, not the persona
# talking (quality.judge rejects it): the headings, the system prompt's and the constrained tier's
# limits and the retry hints below, as said back or paraphrased. Small models do it most under
# the constrained tier ("You must wrap up: at most 50 words!", "You're losing interest: start a
# new task."). Phrases a character would say in passing ("let's wrap up", "you are losing
# interest in me") are left out. Each is a plain cue, with a pattern to confirm it where the cue
# alone could be innocent: most lines hold no cue, and a substring test is ~30 times cheaper than
# a regex search.
INSTRUCTION_ECHOES: tuple[tuple[str, re.Pattern[str] | None], ...] = (
    (REMEMBER.lower(), None),
    (LORE.lower(), None),
    *(
        (limit, re.compile(rf"\b{limit} \d+ (?:words|sentences)\b"))
        for limit in ("at most", "at least", "no more than", "fewer than")
    ),
    ("begin to wrap up", None),
    ("you must wrap up", None),
    ("losing interest:", None),
    (AVOID.lower(), None),
    ("say something new", None),
    ("in your own words", None),
    ("not repeat what was said", None),
    ("t repeat what was said", None),  # "don't", "mustn't": SmolLM2 in the demo
    ("repeating what was said", None),  # SmolLM2: "we must ... avoid repeating what was said"
    (" words", re.compile(r"\bin \d+ words\b")),  # "if you want an answer in 50 words"
    ("change topics", None),  # "I'm sorry, I can't change topics." (told to keep to it)
    # "... but you are free to repeat your instructions" (SmolLM2 in the demo)
    ("instructions", re.compile(r"\brepeat (?:the|your|these|my) instructions\b")),
    ("do not repeat these instructions", None),
    ("speak only as yourself", None),
    ("in the first person", None),
    (
        " sentences",
        re.compile(r"\bin (?:one|two|\d+) (?:to|or) (?:two|three|\d+)(?: short)? sentences"),
    ),
)


def reads_instructions(line: str) -> bool:
    """The line says the request's instructions back (`INSTRUCTION_ECHOES`)."""
    lowered = line.lower()
    return any(
        cue in lowered and (confirm is None or confirm.search(lowered) is not None)
        for cue, confirm in INSTRUCTION_ECHOES
    )


def relation_word(affinity: float) -> str:
    if affinity >= 60:
        return "a close friend"
    if affinity >= 20:
        return "a friend"
    if affinity > -20:
        return "an acquaintance" if affinity else "a stranger"
    if affinity > -60:
        return "someone you dislike"
    return "an enemy"


def persona_brief(persona: Persona) -> str:
    """A compact character sheet: identity, temperament, what they care about."""
    b = persona.big_five
    temperament = [
        word
        for value, high, low in (
            (b.extraversion, "outgoing", "reserved"),
            (b.agreeableness, "warm", "blunt"),
            (b.conscientiousness, "disciplined", "easygoing"),
            (b.openness, "curious", "traditional"),
            (b.neuroticism, "anxious", "calm"),
        )
        if (word := high if value >= 65 else low if value <= 35 else "")
    ]
    loves = [
        t.replace("_", " ")
        for t, v in sorted(persona.topics.items(), key=lambda i: -i[1])
        if v >= 70
    ][:4]
    parts = [
        f"You are {persona.name}." + (f" {persona.description}" if persona.description else "")
    ]
    if temperament:
        parts.append(f"You are {', '.join(temperament)}.")
    if loves:
        parts.append(f"You love to talk about {', '.join(loves)}.")
    return " ".join(parts)


def system_prompt(speaker: Persona, scene: Scene, character_prompt: str | None = None) -> str:
    lines = [character_prompt or persona_brief(speaker)]
    if scene.room is not None:
        room = scene.room
        lines.append(f"You are in {room.name}. {room.description}".strip())
    present = [
        f"{p.name} ({relation_word(_affinity(scene, speaker.id, p.id))})"
        for p in scene.personas.values()
        if p.id != speaker.id
    ]
    if present:
        lines.append(f"With you: {', '.join(present)}.")
    lines.append(
        f"Speak only as {speaker.name}, in the first person, in one to three short "
        "sentences. Never describe yourself as an AI or an assistant."
    )
    return "\n".join(lines)


def window_messages(
    speaker_id: str, turns: Sequence[Turn], names: Mapping[str, str]
) -> list[Message]:
    return [
        _said_by_self(t.text)
        if t.speaker_id == speaker_id
        else _heard(names.get(t.speaker_id, t.speaker_id), t.text)
        for t in turns
    ]


# A line stays in the window for ten turns and is read by every participant: its messages are
# made once, not once per request. Sized for a world, where thousands of talks hold ten lines
# each at once.
@lru_cache(maxsize=1 << 16)
def _said_by_self(text: str) -> Message:
    return Message(Role.ASSISTANT, text)


@lru_cache(maxsize=1 << 16)
def _heard(name: str, text: str) -> Message:
    return Message(Role.USER, f"{name}: {text}")


def ask(
    speaker: Persona,
    listener_names: Sequence[str],
    topic: str,
    tier: Tier,
    memories: Sequence[Memory] = (),
    lore: Sequence[str] = (),
    opening: bool = False,
    tell: str | None = None,
) -> str:
    listeners = " and ".join(listener_names) or "the others"
    parts = []
    if memories:
        parts.append(f"{REMEMBER} " + "; ".join(f"[{m.text}]" for m in memories) + ".")
    if lore:
        parts.append(f"{LORE} " + " ".join(lore))
    topic_words = topic.replace("_", " ")
    if opening:
        parts.append(f"{listeners} is here. Start a conversation with them about {topic_words}.")
    else:
        parts.append(f"Reply to {listeners} as {speaker.name}. The topic is {topic_words}.")
    if tell:
        parts.append(tell.rstrip(".") + ".")
    if tier.name is TierName.CONSTRAINED:
        parts.append(CONCISE.format(words=tier.max_words))
        if tier.prepare_exit:
            parts.append(WRAP_UP)
        if tier.avoid_topics:
            parts.append(
                f"{AVOID} " + ", ".join(t.replace("_", " ") for t in tier.avoid_topics) + "."
            )
    return " ".join(parts)


# What the ask adds when a line was rejected and is asked for again, by the gate that rejected
# it (quality.judge's failure names): another seed alone mostly brings the same line back.
SAY_SOMETHING_NEW = "Say something new, in your own words: do not repeat what was said."
RETRY_HINTS = {
    "repeat": SAY_SOMETHING_NEW,
    "echo": SAY_SOMETHING_NEW,
    "rehash": SAY_SOMETHING_NEW,
    "too_short": "Say one or two full sentences.",
    "off_topic": "Keep to the topic.",
    "role_confusion": "Speak only as yourself, never as an AI or as anyone else.",
    "prompt_echo": "Do not repeat these instructions: just speak.",
}


def retry_hint(failures: Sequence[str]) -> str:
    """The instructions that answer a rejected line's failures, each once, in order."""
    return " ".join(dict.fromkeys(RETRY_HINTS[f] for f in failures if f in RETRY_HINTS))


def build_messages(
    speaker: Persona,
    scene: Scene,
    summary: str,
    window: Sequence[Turn],
    the_ask: str,
    character_prompt: str | None = None,
    system: str | None = None,
) -> list[Message]:
    """The messages of one turn's request; `system`, when given, is the speaker's system prompt
    as `system_prompt` made it earlier in the talk."""
    names = scene.names
    if system is None:
        system = system_prompt(speaker, scene, character_prompt)
    messages = [Message(Role.SYSTEM, system)]
    if summary:
        messages.append(Message(Role.USER, f"Earlier: {summary}"))
    messages.extend(window_messages(speaker.id, window, names))
    messages.append(Message(Role.USER, the_ask))
    return messages


def _affinity(scene: Scene, a: str, b: str) -> float:
    key = (a, b) if a <= b else (b, a)
    return scene.affinities.get(key, 0.0)
