"""What a conversation teaches: facts every few messages, an episode at the end. The LLM calls
(`extraction`, `episodes`) joined to the bookkeeping (`PersonaMemory`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from personae.domain import Turn
from personae.llm.backend import Backend
from personae.llm.types import CallContext
from personae.memory.episodes import Episode, episode_memories, summarise_episode
from personae.memory.extraction import ExtractionWindow, extract_facts, learned_facts
from personae.memory.service import PersonaMemory, Remembered


@dataclass(frozen=True)
class Learning:
    """What one extraction or summary left behind. `skipped`: no valid answer after the retries
    (logged; the conversation goes on). `calls`: LLM calls made, retries included."""

    remembered: list[Remembered]
    calls: int
    skipped: bool
    problems: tuple[str, ...] = ()


async def learn_facts(
    memory: PersonaMemory,
    backend: Backend,
    conversation_id: str,
    turns: Sequence[Turn],
    participants: Mapping[str, str],
    now_s: float,
    *,
    rememberers: frozenset[str] | None = None,
    context: CallContext | None = None,
) -> Learning:
    """Extract the facts of `turns` (the messages since the last extraction) and give each
    listener its memories: duplicates merge, replaced facts are superseded."""
    if not turns:
        return Learning([], 0, skipped=False)
    keepers = [p for p in participants if rememberers is None or p in rememberers]
    said = " ".join(turn.text for turn in turns)
    window = ExtractionWindow(
        conversation_id=conversation_id,
        turns=turns,
        participants=participants,
        known_facts=memory.known_facts(keepers, said, now_s),
        rememberers=rememberers,
    )
    settings = memory.settings.facts
    answer = await extract_facts(backend, window, settings, context)
    if answer.value is None:
        return Learning([], answer.calls, skipped=True, problems=answer.problems)
    learned = learned_facts(answer.value, window, now_s=now_s, new_id=memory.new_id)
    return Learning(memory.remember_learned(learned), answer.calls, False, answer.problems)


async def remember_episode(
    memory: PersonaMemory,
    backend: Backend,
    episode: Episode,
    now_s: float,
    *,
    context: CallContext | None = None,
) -> Learning:
    """Summarise a finished conversation and store it as an episode for each participant."""
    if not episode.turns:
        return Learning([], 0, skipped=False)
    answer = await summarise_episode(backend, episode, memory.settings.facts, context)
    if answer.value is None:
        return Learning([], answer.calls, skipped=True, problems=answer.problems)
    memories = episode_memories(answer.value, episode, now_s=now_s, new_id=memory.new_id)
    return Learning(memory.remember_many(memories), answer.calls, False, answer.problems)
