"""Recalled memories as one prompt line (seed 002): "You remember: [A]; [B]; [C]"."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from personae.domain.memory import Memory
from personae.memory.settings import PromptSettings

NameOf = Callable[[str], str]
"""Display name of a persona or person id (ids are not for prompts)."""


def _same_name(identifier: str) -> str:
    return identifier


def memory_phrase(memory: Memory, name_of: NameOf = _same_name) -> str:
    """One memory as the persona should read it: hearsay says who told it."""
    text = " ".join(memory.text.split())
    if memory.told_by is not None:
        return f"{text} ({name_of(memory.told_by)} told you)"
    return text


def format_memories(
    memories: Sequence[Memory],
    settings: PromptSettings | None = None,
    name_of: NameOf = _same_name,
) -> str:
    """The memories (best first) as "You remember: [..]; [..]", cut to `max_memories` and to
    `max_chars` at a whole memory; empty when there is nothing to remember, so the prompt
    builder can leave the line out."""
    settings = settings or PromptSettings()
    block = ""
    for memory in memories[: settings.max_memories]:
        item = f"[{memory_phrase(memory, name_of)}]"
        candidate = f"{settings.lead} {item}" if not block else f"{block}; {item}"
        if len(candidate) > settings.max_chars:
            if not block:  # even the best memory alone is too long: keep its start
                room = settings.max_chars - len(settings.lead) - 4
                candidate = f"{settings.lead} [{memory_phrase(memory, name_of)[:room]}…]"
            else:
                break
        block = candidate
    return block
