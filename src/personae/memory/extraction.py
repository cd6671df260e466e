"""Fact extraction (seed 002): every few messages an LLM lists the facts worth remembering from the
latest turns, as JSON of a schema (fact, importance 1-10, about whom, source turn, and which known
fact it makes untrue). Invalid answers are retried once, then the window is skipped and logged.

Each fact becomes a memory of every participant who heard it: everyone in the conversation
except the one who said it. The speaker is recorded as its teller, unless the fact is about the
speaker (then it is first-hand). Pure functions build the request and turn the answer into
memories; `extract_facts` is the one call to the backend.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from personae.domain import Memory, MemoryKind, Purpose, Turn
from personae.llm.backend import Backend
from personae.llm.types import CallContext, ChatRequest, system, user
from personae.memory.facts import LearnedFact
from personae.memory.llm_json import InvalidAnswerError, JsonAnswer, ask_json
from personae.memory.settings import FactSettings

MAX_FACT_CHARS = 300

EXTRACTION_INSTRUCTIONS = (
    "You keep the long-term memory of characters in a conversation. From the conversation you "
    "are given, list the new facts worth remembering later: who someone is, what they do, like, "
    "own, plan or fear, and news about the world. Leave out greetings, small talk and anything "
    "already listed as known. Write each fact as one short standalone sentence naming people by "
    "name. importance: 1 (trivia) to 10 (life-changing). about: the id of the participant the "
    "fact is about, or null. source_turn: the number of the turn it comes from. replaces: the "
    "number of a known fact this new fact makes untrue, or null. Answer with JSON only."
)


def is_extraction_due(message_count: int, settings: FactSettings) -> bool:
    """True after every `extract_every_messages` messages (seed 002: every 5)."""
    return message_count > 0 and message_count % settings.extract_every_messages == 0


class ExtractedFact(BaseModel):
    model_config = ConfigDict(extra="ignore")

    fact: str = Field(min_length=1, max_length=MAX_FACT_CHARS)
    importance: int = Field(ge=1, le=10)
    about: str | None = None
    source_turn: int = Field(ge=0)
    replaces: int | None = None


class FactList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    facts: list[ExtractedFact]


@dataclass(frozen=True)
class ExtractionWindow:
    """What one extraction looks at: the new turns, who took part (id -> display name) and the
    facts about them already known (numbered from 1 in the prompt, so the model can say which
    one a new fact replaces)."""

    conversation_id: str
    turns: Sequence[Turn]
    participants: Mapping[str, str]
    known_facts: Sequence[str] = ()
    rememberers: frozenset[str] | None = None
    """Who keeps memories (default: every participant). A person chatting with a persona takes
    part in the conversation but keeps no memories of ours."""

    def remembers(self, participant_id: str) -> bool:
        return self.rememberers is None or participant_id in self.rememberers

    @property
    def first_turn(self) -> int:
        return min(turn.index for turn in self.turns)

    @property
    def last_turn(self) -> int:
        return max(turn.index for turn in self.turns)


def extraction_schema(window: ExtractionWindow, settings: FactSettings) -> dict[str, Any]:
    """The JSON schema of an answer for this window: bounds and choices that depend on it (turn
    numbers, participant ids, known fact numbers) are part of the schema, so a backend that
    decodes by schema cannot step outside them."""
    properties: dict[str, Any] = {
        "fact": {"type": "string", "minLength": 1, "maxLength": MAX_FACT_CHARS},
        "importance": {"type": "integer", "minimum": 1, "maximum": 10},
        "about": {"anyOf": [{"enum": sorted(window.participants)}, {"type": "null"}]},
        "source_turn": {
            "type": "integer",
            "minimum": window.first_turn,
            "maximum": window.last_turn,
        },
    }
    required = ["fact", "importance", "about", "source_turn"]
    if window.known_facts:
        properties["replaces"] = {
            "anyOf": [
                {"type": "integer", "minimum": 1, "maximum": len(window.known_facts)},
                {"type": "null"},
            ]
        }
        required.append("replaces")
    return {
        "type": "object",
        "properties": {
            "facts": {
                "type": "array",
                "maxItems": settings.max_facts_per_extraction,
                "items": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": False,
                },
            }
        },
        "required": ["facts"],
        "additionalProperties": False,
    }


def extraction_request(
    window: ExtractionWindow, settings: FactSettings, context: CallContext | None = None
) -> ChatRequest:
    """The chat request for one window. Instructions go in the system message; the user message
    holds only data (participants, known facts, the turns)."""
    lines = ["Participants:"]
    lines += [f"- {pid}: {name}" for pid, name in sorted(window.participants.items())]
    if window.known_facts:
        lines.append("Known facts:")
        lines += [f"{number}. {fact}" for number, fact in enumerate(window.known_facts, 1)]
    lines.append(f"Conversation, turns {window.first_turn} to {window.last_turn}:")
    for turn in sorted(window.turns, key=lambda t: t.index):
        speaker = window.participants.get(turn.speaker_id, turn.speaker_id)
        lines.append(f"[{turn.index}] {speaker}: {' '.join(turn.text.split())}")
    base = context or CallContext()
    return ChatRequest.of(
        [system(EXTRACTION_INSTRUCTIONS), user("\n".join(lines))],
        temperature=0.2,
        json_schema=extraction_schema(window, settings),
        context=CallContext(
            player_id=base.player_id,
            conversation_id=window.conversation_id,
            persona=base.persona,
            topic=base.topic,
            purpose=Purpose.FACT_EXTRACTION,
        ),
    )


def parse_extraction(
    text: str, window: ExtractionWindow, settings: FactSettings
) -> list[ExtractedFact]:
    """The answer's facts, or `ValueError` when it breaks the schema or names a turn, person or
    known fact outside the window."""
    facts = FactList.model_validate_json(text).facts
    if len(facts) > settings.max_facts_per_extraction:
        raise InvalidAnswerError(
            f"{len(facts)} facts, at most {settings.max_facts_per_extraction} allowed"
        )
    turns = {turn.index for turn in window.turns}
    for fact in facts:
        if fact.source_turn not in turns:
            raise InvalidAnswerError(f"source_turn {fact.source_turn} is not in the window")
        if fact.about is not None and fact.about not in window.participants:
            raise InvalidAnswerError(f"about {fact.about!r} is not a participant")
        if fact.replaces is not None and not 1 <= fact.replaces <= len(window.known_facts):
            raise InvalidAnswerError(f"replaces {fact.replaces} is not a known fact number")
    return facts


def learned_facts(
    facts: Sequence[ExtractedFact],
    window: ExtractionWindow,
    *,
    now_s: float,
    new_id: Callable[[], str],
) -> list[LearnedFact]:
    """One memory per (fact, listener): everyone in the conversation hears what a speaker says,
    except the speaker."""
    speakers = {turn.index: turn.speaker_id for turn in window.turns}
    learned: list[LearnedFact] = []
    for fact in facts:
        speaker = speakers[fact.source_turn]
        replaces = window.known_facts[fact.replaces - 1] if fact.replaces is not None else None
        for listener in sorted(window.participants):
            if listener in (speaker, fact.about) or not window.remembers(listener):
                continue
            memory = Memory(
                id=new_id(),
                owner_id=listener,
                kind=MemoryKind.FACT,
                text=" ".join(fact.fact.split()),
                importance=fact.importance,
                about_id=fact.about,
                told_by=None if fact.about == speaker else speaker,
                source_conversation_id=window.conversation_id,
                source_turn=fact.source_turn,
                created_at_s=now_s,
                last_accessed_s=now_s,
            )
            learned.append(LearnedFact(memory, replaces))
    return learned


async def extract_facts(
    backend: Backend,
    window: ExtractionWindow,
    settings: FactSettings,
    context: CallContext | None = None,
) -> JsonAnswer[list[ExtractedFact]]:
    """Ask `backend` for the window's facts; retried `extraction_retries` times when invalid."""
    request = extraction_request(window, settings, context)
    return await ask_json(
        backend,
        request,
        lambda text: parse_extraction(text, window, settings),
        retries=settings.extraction_retries,
        what=f"fact extraction for conversation {window.conversation_id} "
        f"(turns {window.first_turn}-{window.last_turn})",
    )
