"""Learning from conversations end to end: the real embedded model, the scripted backend, and a
loopback server speaking OpenAI's chat wire protocol for answers a model gives on a bad day."""

from __future__ import annotations

import json
import logging
from collections import deque
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from itertools import count
from typing import Any

import pytest

from personae.domain import MemoryKind, Turn
from personae.llm.backends.openai_compat import OpenAICompatibleBackend
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.fault_server import OpenAIWireServer
from personae.llm.stack import LLMStack
from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.episodes import Episode
from personae.memory.facts import Insert, Supersede
from personae.memory.learning import Learning, learn_facts, remember_episode
from personae.memory.repository import InMemoryMemoryRepository
from personae.memory.service import PersonaMemory
from tests.memory.factories import make_memory

PEOPLE = {"anna": "Anna", "bob": "Bob", "carl": "Carl"}
LINES = [
    ("anna", "Hello Bob, what news from your family?"),
    ("bob", "My brother Tom lives in Lyon now."),
    ("carl", "Lyon! I thought he stayed in Paris."),
    ("bob", "He moved in spring, after the fire."),
    ("anna", "Give him my regards."),
]
TURNS = [
    Turn(conversation_id="c1", index=i, speaker_id=speaker, text=text, tier="full", score=70)
    for i, (speaker, text) in enumerate(LINES)
]


class AnsweringServer(OpenAIWireServer):
    """The loopback wire server, answering JSON requests with the queued texts in order."""

    def __init__(self, answers: list[str]) -> None:
        super().__init__()
        self.answers = deque(answers)

    def _reply_text(self, request: dict[str, Any]) -> str:
        if request.get("response_format") and self.answers:
            return self.answers.popleft()
        return super()._reply_text(request)


def facts_answer(*facts: dict[str, Any]) -> str:
    return json.dumps({"facts": list(facts)})


LYON = {
    "fact": "Tom lives in Lyon.",
    "importance": 6,
    "about": None,
    "source_turn": 1,
    "replaces": 1,
}


@pytest.fixture
def memory(embedder: MiniLMEmbedder) -> PersonaMemory:
    numbers = count(1)
    return PersonaMemory(InMemoryMemoryRepository(), embedder, new_id=lambda: f"m{next(numbers)}")


@pytest.fixture
async def server() -> AsyncIterator[AnsweringServer]:
    async with AnsweringServer([]) as running:
        yield running


@asynccontextmanager
async def backend_for(server: OpenAIWireServer) -> AsyncIterator[OpenAICompatibleBackend]:
    backend = OpenAICompatibleBackend(base_url=server.base_url, model="wire-model", timeout_s=5.0)
    try:
        yield backend
    finally:
        await backend.aclose()


async def learn_over_wire(
    memory: PersonaMemory, server: OpenAIWireServer, now_s: float = 1.0
) -> Learning:
    async with backend_for(server) as backend:
        return await learn_facts(memory, backend, "c1", TURNS, PEOPLE, now_s=now_s)


async def test_listeners_learn_what_was_said_and_who_said_it(
    memory: PersonaMemory, server: AnsweringServer
) -> None:
    server.answers.append(facts_answer({**LYON, "replaces": None}))
    learning = await learn_over_wire(memory, server, 100.0)
    assert (learning.calls, learning.skipped) == (1, False)
    stored = [(r.memory.owner_id, r.memory.text, r.memory.told_by) for r in learning.remembered]
    assert stored == [("anna", "Tom lives in Lyon.", "bob"), ("carl", "Tom lives in Lyon.", "bob")]
    assert memory.repository.list("bob") == []


async def test_a_newer_fact_from_extraction_supersedes_each_listeners_old_one(
    memory: PersonaMemory, server: AnsweringServer
) -> None:
    memory.remember(make_memory("paris-a", "Tom lives in Paris.", owner_id="anna"))
    memory.remember(make_memory("paris-c", "Tom lives in Paris.", owner_id="carl"))
    server.answers.append(facts_answer(LYON))
    learning = await learn_over_wire(memory, server, 100.0)
    assert [r.decision for r in learning.remembered] == [
        Supersede(old_id="paris-a"),
        Supersede(old_id="paris-c"),
    ]
    request = server.seen.bodies[0]
    assert "1. Tom lives in Paris." in request["messages"][1]["content"]
    history = memory.repository.list("anna", include_superseded=True)
    assert [(m.text, m.superseded_by is not None) for m in history] == [
        ("Tom lives in Paris.", True),
        ("Tom lives in Lyon.", False),
    ]


async def test_an_invalid_answer_is_retried_once(
    memory: PersonaMemory, server: AnsweringServer
) -> None:
    server.answers.extend(
        ['{"facts": ["The wire works."]}', facts_answer({**LYON, "replaces": None})]
    )
    learning = await learn_over_wire(memory, server, 1.0)
    assert (learning.calls, learning.skipped) == (2, False)
    assert len(learning.remembered) == 2
    assert "invalid answer" in learning.problems[0]


async def test_two_invalid_answers_skip_the_window_and_are_logged(
    memory: PersonaMemory, server: AnsweringServer, caplog: pytest.LogCaptureFixture
) -> None:
    server.answers.extend(["[]", facts_answer({**LYON, "source_turn": 99})])
    with caplog.at_level(logging.WARNING, logger="personae.memory.llm_json"):
        learning = await learn_over_wire(memory, server, 1.0)
    assert (learning.calls, learning.skipped, learning.remembered) == (2, True, [])
    assert memory.repository.list("anna") == []
    (record,) = [r for r in caplog.records if r.name == "personae.memory.llm_json"]
    assert "fact extraction for conversation c1 (turns 0-4) skipped after 2 calls" in (
        record.getMessage()
    )
    assert "source_turn 99 is not in the window" in record.getMessage()


async def test_a_failing_backend_skips_the_window(memory: PersonaMemory) -> None:
    async with OpenAIWireServer() as failing:
        failing.script.extend(["500", "500"])
        learning = await learn_over_wire(memory, failing)
    assert (learning.calls, learning.skipped) == (2, True)
    assert "backend failed" in learning.problems[0]


async def test_a_fallback_line_is_not_taken_for_facts(memory: PersonaMemory) -> None:
    async with OpenAIWireServer() as failing:
        failing.script.extend(["401"] * 4)
        async with backend_for(failing) as backend:
            stack = LLMStack(chain=[backend])
            learning = await learn_facts(memory, stack, "c1", TURNS, PEOPLE, now_s=1.0)
    assert (learning.skipped, learning.remembered) == (True, [])
    assert "no model answered" in learning.problems[0]


async def test_the_scripted_backend_teaches_deterministically(embedder: MiniLMEmbedder) -> None:
    def run_once() -> PersonaMemory:
        numbers = count(1)
        return PersonaMemory(
            InMemoryMemoryRepository(), embedder, new_id=lambda: f"m{next(numbers)}"
        )

    first, second = run_once(), run_once()
    one = await learn_facts(first, ScriptedBackend(seed=5), "c1", TURNS, PEOPLE, now_s=1.0)
    two = await learn_facts(second, ScriptedBackend(seed=5), "c1", TURNS, PEOPLE, now_s=1.0)
    assert one.remembered
    assert [r.memory for r in one.remembered] == [r.memory for r in two.remembered]


async def test_a_person_in_the_chat_keeps_no_memories(memory: PersonaMemory) -> None:
    learning = await learn_facts(
        memory,
        ScriptedBackend(seed=5),
        "c1",
        TURNS,
        PEOPLE,
        now_s=1.0,
        rememberers=frozenset({"anna"}),
    )
    assert {r.memory.owner_id for r in learning.remembered} <= {"anna"}


async def test_nothing_said_means_no_call(memory: PersonaMemory) -> None:
    learning = await learn_facts(memory, ScriptedBackend(), "c1", [], PEOPLE, now_s=1.0)
    assert (learning.calls, learning.remembered) == (0, [])


async def test_a_finished_conversation_becomes_an_episode_for_each_participant(
    memory: PersonaMemory,
) -> None:
    episode = Episode("c1", "family_news", TURNS[:2], {"anna": "Anna", "bob": "Bob"}, "bored")
    learning = await remember_episode(memory, ScriptedBackend(seed=2), episode, now_s=300.0)
    assert [r.decision for r in learning.remembered] == [Insert(), Insert()]
    anna, bob = (r.memory for r in learning.remembered)
    assert (anna.owner_id, anna.about_id, anna.kind) == ("anna", "bob", MemoryKind.EPISODE)
    assert (bob.owner_id, bob.about_id) == ("bob", "anna")
    assert anna.text == bob.text
    assert anna.source_conversation_id == "c1"


async def test_an_episode_summary_is_retried_then_skipped(
    memory: PersonaMemory, server: AnsweringServer
) -> None:
    server.answers.extend(['{"summary": ""}', '{"summary": "They met.", "importance": 0}'])
    episode = Episode("c1", "family_news", TURNS, PEOPLE)
    async with backend_for(server) as backend:
        learning = await remember_episode(memory, backend, episode, now_s=1.0)
    assert (learning.calls, learning.skipped) == (2, True)
