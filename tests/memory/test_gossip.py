"""Gossip in a conversation (`MemoryLink.tale` and `tell`), with the real embedded model."""

from __future__ import annotations

import random

from personae.conversation.memory_link import MemoryLink, Tale
from personae.llm.backends.scripted import ScriptedBackend
from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.repository import InMemoryMemoryRepository
from personae.memory.service import PersonaMemory
from tests.builders import persona
from tests.memory.factories import make_memory


class Eager(random.Random):
    """Passes every chance: the tale is told whenever there is one to tell."""

    def random(self) -> float:
        return 0.0


MILL = make_memory("mill", "The mill burned down last night.", owner_id="anna", importance=8)


def link_with(embedder: MiniLMEmbedder) -> MemoryLink:
    memory = PersonaMemory(InMemoryMemoryRepository(), embedder)
    memory.remember(MILL)
    return MemoryLink(memory, ScriptedBackend())


def test_a_fact_is_passed_on_to_a_listener_who_does_not_know_it_yet(
    embedder: MiniLMEmbedder,
) -> None:
    link = link_with(embedder)
    anna = persona("anna")
    assert link.tale(anna, ["bob"], [MILL], Eager()) == Tale(MILL, "bob")
    assert link.tell("anna", Tale(MILL, "bob"), 90.0, "c1", 3)  # news to bob
    # Bob knows it now, in this talk or any later one (resumed or not): nothing left to tell.
    assert link.tale(anna, ["bob"], [MILL], Eager()) is None
    heard = link.memory.repository.list("bob")
    assert [(m.id, m.told_by, m.source_turn) for m in heard] == [
        ("c1:000000090000:a00003:bob", "anna", 3)  # made of where and when: replays alike
    ]


def test_nobody_is_told_what_they_already_know(embedder: MiniLMEmbedder) -> None:
    link = link_with(embedder)
    link.memory.remember(make_memory("own", MILL.text, owner_id="bob", importance=5))
    assert link.tale(persona("anna"), ["bob"], [MILL], Eager()) is None
    assert link.tale(persona("anna"), ["carl"], [MILL], Eager()) == Tale(MILL, "carl")
