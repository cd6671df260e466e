"""Episodic memory: when a conversation ends, an LLM summarises it (JSON: summary, importance
1-10) and every participant who keeps memories remembers the episode. Invalid answers are
retried once, then the episode is skipped and logged."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from personae.domain import Memory, MemoryKind, Purpose, Turn
from personae.llm.backend import Backend
from personae.llm.types import CallContext, ChatRequest, system, user
from personae.memory.llm_json import JsonAnswer, ask_json
from personae.memory.settings import FactSettings

MAX_SUMMARY_CHARS = 600

EPISODE_INSTRUCTIONS = (
    "Summarise the conversation you are given for the long-term memory of its participants: in "
    "two or three sentences, who talked about what, what was decided or revealed, and how it "
    "ended. importance: 1 (forgettable chat) to 10 (life-changing). Answer with JSON only."
)


class EpisodeSummary(BaseModel):
    model_config = ConfigDict(extra="ignore")

    summary: str = Field(min_length=1, max_length=MAX_SUMMARY_CHARS)
    importance: int = Field(ge=1, le=10)


EPISODE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "summary": {"type": "string", "minLength": 1, "maxLength": MAX_SUMMARY_CHARS},
        "importance": {"type": "integer", "minimum": 1, "maximum": 10},
    },
    "required": ["summary", "importance"],
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Episode:
    """A finished conversation as the summariser sees it."""

    conversation_id: str
    topic: str
    turns: Sequence[Turn]
    participants: Mapping[str, str]
    """id -> display name"""
    exit_reason: str | None = None
    rememberers: frozenset[str] | None = None
    """Who keeps the episode (default: every participant)."""


def episode_request(episode: Episode, context: CallContext | None = None) -> ChatRequest:
    names = ", ".join(episode.participants[pid] for pid in sorted(episode.participants))
    lines = [f"Participants: {names}.", f"Topic: {episode.topic.replace('_', ' ')}."]
    if episode.exit_reason:
        lines.append(f"It ended because: {episode.exit_reason}.")
    lines.append("Conversation:")
    for turn in sorted(episode.turns, key=lambda t: t.index):
        speaker = episode.participants.get(turn.speaker_id, turn.speaker_id)
        lines.append(f"{speaker}: {' '.join(turn.text.split())}")
    base = context or CallContext()
    return ChatRequest.of(
        [system(EPISODE_INSTRUCTIONS), user("\n".join(lines))],
        temperature=0.2,
        json_schema=EPISODE_SCHEMA,
        context=CallContext(
            player_id=base.player_id,
            conversation_id=episode.conversation_id,
            persona=base.persona,
            topic=episode.topic,
            purpose=Purpose.SUMMARIZATION,
        ),
    )


def parse_episode(text: str) -> EpisodeSummary:
    return EpisodeSummary.model_validate_json(text)


async def summarise_episode(
    backend: Backend,
    episode: Episode,
    settings: FactSettings,
    context: CallContext | None = None,
) -> JsonAnswer[EpisodeSummary]:
    """Ask `backend` for the episode's summary; retried `extraction_retries` times."""
    return await ask_json(
        backend,
        episode_request(episode, context),
        parse_episode,
        retries=settings.extraction_retries,
        what=f"episode summary of conversation {episode.conversation_id}",
    )


def episode_memories(
    summary: EpisodeSummary,
    episode: Episode,
    *,
    now_s: float,
    new_id: Callable[[], str],
) -> list[Memory]:
    """One episodic memory per participant who keeps memories. In a two-party conversation the
    episode is about the other party; in a group it is about no one in particular."""
    keepers = [
        pid
        for pid in sorted(episode.participants)
        if episode.rememberers is None or pid in episode.rememberers
    ]
    memories = []
    for owner in keepers:
        others = [pid for pid in episode.participants if pid != owner]
        memories.append(
            Memory(
                id=new_id(),
                owner_id=owner,
                kind=MemoryKind.EPISODE,
                text=" ".join(summary.summary.split()),
                importance=summary.importance,
                about_id=others[0] if len(others) == 1 else None,
                source_conversation_id=episode.conversation_id,
                created_at_s=now_s,
                last_accessed_s=now_s,
            )
        )
    return memories
