"""Memory in a conversation: what a speaker remembers, what everyone learns, and gossip.

- **Recall**: before a line, the speaker's best memories for the topic and the people present
  (recency + importance + relevance, `personae.memory`) go into the prompt as "You remember: ...".
- **Digest**: every 5 lines one LLM call (JSON schema) lists the facts the new lines revealed, which
  become memories of those who heard them; the same call extends the running summary with the
  lines that left the context window and, at the end, writes the episode each participant keeps.
  One call for all three keeps a conversation near one LLM call per spoken line.
- **Gossip**: a speaker may pass on an important fact it knows and the listener does not; the
  listener's memory records who told it, whatever words the model finds for it.

Knowledge stays isolated: every recall and every memory belongs to one persona; people in a chat
keep no memories of ours.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import count
from typing import Any, Protocol

from personae.conversation.window import Digest, summarize, transcript
from personae.domain.memory import Memory, MemoryKind
from personae.domain.persona import Persona
from personae.domain.turn import ConversationRecord, Turn
from personae.llm.backend import Backend
from personae.llm.types import CallContext, ChatRequest, Message, Role
from personae.memory.episodes import EPISODE_INSTRUCTIONS, Episode, EpisodeSummary, episode_memories
from personae.memory.extraction import (
    EXTRACTION_INSTRUCTIONS,
    ExtractionWindow,
    extraction_request,
    extraction_schema,
    learned_facts,
    parse_extraction,
)
from personae.memory.facts import Insert
from personae.memory.learning import remember_episode
from personae.memory.llm_json import ask_json
from personae.memory.service import PersonaMemory
from personae.store.records import FactTelling

logger = logging.getLogger(__name__)

SUMMARY_CHARS = 800
GOSSIP_MIN_IMPORTANCE = 6
GOSSIP_CHANCE = 0.5


class TellingLog(Protocol):
    """Where who-told-whom is written (the store's memory repository)."""

    def record_telling(self, telling: FactTelling) -> None: ...


@dataclass(frozen=True)
class Tale:
    """A fact a speaker is about to pass on to a listener."""

    memory: Memory
    listener_id: str


class MemoryLink:
    """The conversation engine's `Recall` and `Digester` over a `PersonaMemory`."""

    def __init__(
        self,
        memory: PersonaMemory,
        llm: Backend,
        player_id: str = "local",
        tellings: TellingLog | None = None,
    ) -> None:
        self.memory = memory
        self.llm = llm
        self.player_id = player_id
        self.tellings = tellings

    # -- recall and gossip --

    async def recall(
        self, owner: Persona, about: Sequence[str], query: str, now_s: float, k: int
    ) -> list[Memory]:
        return [found.memory for found in self.memory.recall(owner.id, query, now_s, k=k)]

    def tale(
        self,
        speaker: Persona,
        listeners: Sequence[str],
        recalled: Sequence[Memory],
        rng: random.Random,
    ) -> Tale | None:
        """An important fact among `recalled` that a listener does not know yet; chosen by
        chance (`GOSSIP_CHANCE`), with a seeded generator. What a listener knows is in the
        store, so a resumed conversation passes on what the uninterrupted one would have."""
        facts = [
            m
            for m in recalled
            if m.kind is MemoryKind.FACT and m.importance >= GOSSIP_MIN_IMPORTANCE
        ]
        for memory in facts:
            for listener in listeners:
                if listener not in (memory.about_id, memory.told_by) and not self.memory.knows(
                    listener, memory.text
                ):
                    return Tale(memory, listener) if rng.random() < GOSSIP_CHANCE else None
        return None

    def tell(self, teller: str, tale: Tale, now_s: float, conversation_id: str, turn: int) -> bool:
        """The listener now knows the fact, told by `teller`; True when it was news to them."""
        remembered = self.memory.tell(
            teller,
            tale.memory.id,
            tale.listener_id,
            now_s,
            conversation_id=conversation_id,
            turn=turn,
            heard_id=memory_id(conversation_id, now_s, f"a{turn:05d}:{tale.listener_id}"),
        )
        news = isinstance(remembered.decision, Insert)
        if news and self.tellings is not None:
            self.tellings.record_telling(
                FactTelling(
                    memory_id=remembered.memory.id,
                    teller_id=teller,
                    listener_id=tale.listener_id,
                    source_memory_id=tale.memory.id,
                    conversation_id=conversation_id,
                    turn_index=turn,
                    world_time_s=now_s,
                )
            )
        return news

    # -- the digest --

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
        names = {pid: personas[pid].name for pid in record.participants if pid in personas}
        keepers = frozenset(pid for pid in names if pid not in record.people)
        lines = list(new_lines) or list(fold)
        if not lines and not final:
            return Digest(summary)
        episode = (
            Episode(
                record.id,
                record.topic,
                list(history) or _all_lines(new_lines, fold),
                names,
                record.exit_reason,
                keepers,
            )
            if final
            else None
        )
        if not lines:
            if episode is not None and episode.turns:
                await remember_episode(
                    self.memory,
                    self.llm,
                    episode,
                    now_s,
                    context=CallContext(
                        player_id=self.player_id, conversation_id=record.id, topic=record.topic
                    ),
                )
            return Digest(summary)
        window = ExtractionWindow(
            conversation_id=record.id,
            turns=lines,
            participants=names,
            known_facts=self.memory.known_facts(keepers, " ".join(t.text for t in lines), now_s),
            rememberers=keepers,
        )
        request = self._request(
            record, window, fold, summary, personas, list(history)[-10:] if final else None
        )
        settings = self.memory.settings.facts

        def parse(text: str) -> tuple[Any, str | None, EpisodeSummary | None]:
            data = json.loads(text)
            if not isinstance(data, dict):
                raise ValueError("the answer is not a JSON object")
            folded = data.pop("summary", None) if fold else None
            episode_data = data.pop("episode", None)
            if final and episode_data is None:
                raise ValueError("the answer has no episode")
            ended = EpisodeSummary.model_validate(episode_data) if final else None
            facts = parse_extraction(json.dumps(data), window, settings)
            return facts, folded, ended

        answer = await ask_json(
            self.llm,
            request,
            parse,
            retries=settings.extraction_retries,
            what=f"digest of conversation {record.id}",
        )
        new_summary = summary
        if answer.value is None:
            if fold:  # the summary must go on even when the model could not answer
                new_summary = await summarize(
                    self.llm, record, personas, fold, summary, self.player_id
                )
            return Digest(new_summary)
        facts, folded, ended = answer.value
        # Ids made of where and when, not random: a replayed or resumed run stores the same
        # ids, and memories of one moment reload in the order they were learned.
        numbered = count()

        def new_id() -> str:
            return memory_id(record.id, now_s, f"b{next(numbered):03d}")

        learned = learned_facts(facts, window, now_s=now_s, new_id=new_id)
        self.memory.remember_learned(learned)
        if fold:
            new_summary = str(folded).strip()[:SUMMARY_CHARS] if folded else summary
        if ended is not None and episode is not None:
            self.memory.remember_many(episode_memories(ended, episode, now_s=now_s, new_id=new_id))
        return Digest(new_summary)

    def _request(
        self,
        record: ConversationRecord,
        window: ExtractionWindow,
        fold: Sequence[Turn],
        summary: str,
        personas: Mapping[str, Persona],
        ending: Sequence[Turn] | None,
    ) -> ChatRequest:
        """Memory's own extraction request, asked for the summary and the episode as well."""
        base = extraction_request(
            window,
            self.memory.settings.facts,
            CallContext(player_id=self.player_id, conversation_id=record.id, topic=record.topic),
        )
        schema = extraction_schema(window, self.memory.settings.facts)
        schema = {
            **schema,
            "properties": dict(schema["properties"]),
            "required": list(schema["required"]),
        }
        instructions = [EXTRACTION_INSTRUCTIONS]
        data = [base.messages[-1].content]
        if fold:
            schema["properties"]["summary"] = {
                "type": "string",
                "minLength": 1,
                "maxLength": SUMMARY_CHARS,
            }
            schema["required"].append("summary")
            instructions.append(
                "summary: the summary so far, extended with the earlier lines given, in at most "
                "60 words."
            )
            data.append(
                ("Summary so far: " + summary + "\n" if summary else "")
                + "Earlier lines:\n"
                + transcript(fold, personas)
            )
        if ending is not None:
            schema["properties"]["episode"] = _episode_schema()
            schema["required"].append("episode")
            instructions.append(
                "episode: " + EPISODE_INSTRUCTIONS.removesuffix(" Answer with JSON only.")
            )
            data.append(
                "The conversation, for the episode:\n"
                + (f"(earlier: {summary})\n" if summary else "")
                + transcript(ending, personas)
            )
        return ChatRequest.of(
            [Message(Role.SYSTEM, " ".join(instructions)), Message(Role.USER, "\n".join(data))],
            temperature=base.temperature,
            json_schema=schema,
            context=base.context,
        )


@lru_cache(maxsize=1)
def _episode_schema() -> dict[str, Any]:
    from personae.memory.episodes import EPISODE_SCHEMA

    return dict(EPISODE_SCHEMA)


def _all_lines(new_lines: Sequence[Turn], fold: Sequence[Turn]) -> list[Turn]:
    by_index = {turn.index: turn for turn in [*fold, *new_lines]}
    return [by_index[i] for i in sorted(by_index)]


def memory_id(conversation_id: str, now_s: float, part: str) -> str:
    """The id of a memory a conversation makes at world time `now_s`: the conversation, the
    time in milliseconds, and `part` (which memory of that moment). Sorted, an owner's memories
    of one moment come in the order they were made (tellings "a...", before a digest's "b...")."""
    return f"{conversation_id}:{round(now_s * 1000):012d}:{part}"
