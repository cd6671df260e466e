"""The context window: recent lines in full, older ones folded into a running summary.

Nothing already summarised is summarised again: each digest folds only the lines that have left
the window since the last one into the previous summary. A conversation of any length keeps its
context in a bounded prompt.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from personae.domain.memory import Memory
from personae.domain.persona import Persona
from personae.domain.turn import ConversationRecord, Turn
from personae.domain.usage import Purpose
from personae.llm.backend import Backend
from personae.llm.types import CallContext, ChatRequest, Message, Role

logger = logging.getLogger(__name__)

SUMMARY_WORDS = 60
SUMMARY_SCHEMA: Mapping[str, Any] = {
    "type": "object",
    "properties": {"summary": {"type": "string"}},
    "required": ["summary"],
}


def fold_point(lines: int, summarized: int, window: int) -> int:
    """How many lines from the start the summary should cover: all but the last `window`."""
    return max(summarized, lines - window)


@dataclass(frozen=True, slots=True)
class Digest:
    summary: str
    memories: Sequence[Memory] = field(default_factory=tuple)


class Digester(Protocol):
    """Reads new lines every few turns: folds `fold` into the summary, and may learn facts."""

    async def digest(
        self,
        *,
        record: ConversationRecord,
        personas: Mapping[str, Persona],
        new_lines: Sequence[Turn],
        fold: Sequence[Turn],
        summary: str,
        now_s: float,
        final: bool,
        history: Sequence[Turn] = (),
    ) -> Digest: ...


def transcript(lines: Sequence[Turn], personas: Mapping[str, Persona]) -> str:
    return "\n".join(
        f"{personas[t.speaker_id].name if t.speaker_id in personas else t.speaker_id}: {t.text}"
        for t in lines
    )


class SummaryDigester:
    """Summaries only: one LLM call (purpose summarization) when lines leave the window."""

    def __init__(self, llm: Backend, player_id: str = "local") -> None:
        self.llm = llm
        self.player_id = player_id

    async def digest(
        self,
        *,
        record: ConversationRecord,
        personas: Mapping[str, Persona],
        new_lines: Sequence[Turn],
        fold: Sequence[Turn],
        summary: str,
        now_s: float,
        final: bool,
        history: Sequence[Turn] = (),
    ) -> Digest:
        if not fold:
            return Digest(summary)
        return Digest(await summarize(self.llm, record, personas, fold, summary, self.player_id))


async def summarize(
    llm: Backend,
    record: ConversationRecord,
    personas: Mapping[str, Persona],
    fold: Sequence[Turn],
    summary: str,
    player_id: str,
) -> str:
    """The previous summary extended with `fold`; falls back to an extract if the model's JSON
    is unusable twice."""
    prompt = (
        f"Summarize this conversation about {record.topic.replace('_', ' ')} in at most "
        f"{SUMMARY_WORDS} words, keeping who said what that matters.\n"
        + (f"Summary so far: {summary}\n" if summary else "")
        + "New lines:\n"
        + transcript(fold, personas)
    )
    request = ChatRequest.of(
        [
            Message(Role.SYSTEM, "You write short, factual summaries as JSON."),
            Message(Role.USER, prompt),
        ],
        temperature=0.2,
        max_tokens=120,
        json_schema=SUMMARY_SCHEMA,
        context=CallContext(
            player_id=player_id,
            conversation_id=record.id,
            purpose=Purpose.SUMMARIZATION,
            topic=record.topic,
        ),
    )
    for attempt in range(2):
        response = await llm.complete(request)
        found = _summary_from(response.text)
        if found:
            return _clip_words(found, SUMMARY_WORDS * 2)
        logger.info(
            "conversation %s: summary attempt %d was not valid JSON", record.id, attempt + 1
        )
    return _clip_words(
        " ".join(filter(None, [summary, _extract(fold, personas)])), SUMMARY_WORDS * 2
    )


def _summary_from(text: str) -> str | None:
    try:
        data = json.loads(text)
    except (json.JSONDecodeError, TypeError):
        return None
    value = data.get("summary") if isinstance(data, dict) else None
    return value.strip() if isinstance(value, str) and value.strip() else None


def _extract(fold: Sequence[Turn], personas: Mapping[str, Persona]) -> str:
    return " ".join(
        f"{personas[t.speaker_id].name if t.speaker_id in personas else t.speaker_id} said: "
        f"{t.text.split('.')[0].strip()}."
        for t in fold
    )


def _clip_words(text: str, limit: int) -> str:
    words = text.split()
    return " ".join(words[:limit])
