"""`PersonaMemory` end to end with the real embedded model and the in-memory repository."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import count

import numpy as np
import pytest

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.memory.embeddings.minilm import MiniLMEmbedder
from personae.memory.embeddings.protocol import Matrix
from personae.memory.facts import Insert, KnowledgeError, Merge, Supersede
from personae.memory.repository import InMemoryMemoryRepository, MemoryRepository
from personae.memory.service import PersonaMemory
from personae.memory.settings import SECONDS_PER_DAY
from tests.memory.factories import make_memory


class CountingEmbedder:
    """The real embedder, counting the texts it is asked to embed."""

    def __init__(self, inner: MiniLMEmbedder) -> None:
        self.inner = inner
        self.texts: list[str] = []

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def dimensions(self) -> int:
        return self.inner.dimensions

    def embed(self, texts: Sequence[str]) -> Matrix:
        self.texts.extend(texts)
        return self.inner.embed(texts)


def sequential_ids() -> Callable[[], str]:
    numbers = count(1)
    return lambda: f"id{next(numbers)}"


@pytest.fixture
def memory(embedder: MiniLMEmbedder) -> PersonaMemory:
    """In memory: the repository contract tests prove the store behaves the same; the tests
    that depend on persistence below run on every repository."""
    return PersonaMemory(InMemoryMemoryRepository(), embedder, new_id=sequential_ids())


FACTS = [
    "Bob the smith forges swords for the king's army.",
    "The harvest failed and grain prices doubled.",
    "Princess Ilse is secretly in love with the stable boy.",
    "A storm sank three ships in the harbour.",
]


def remember_all(memory: PersonaMemory, owner: str, texts: Sequence[str]) -> list[Memory]:
    memories = [
        make_memory(f"{owner}{i}", text, owner_id=owner, created_at_s=float(i))
        for i, text in enumerate(texts)
    ]
    memory.remember_many(memories)
    return memories


def test_recall_finds_the_relevant_memory(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS)
    (best,) = memory.recall("anna", "Who makes weapons around here?", now_s=10.0, k=1)
    assert best.memory.id == "anna0"
    assert best.hit.relevance == 1.0


def test_a_persona_recalls_only_its_own_memories(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[1:])
    remember_all(memory, "bob", FACTS[:1])
    recalled = memory.recall("anna", "Who makes weapons around here?", now_s=10.0, k=10)
    assert {item.memory.owner_id for item in recalled} == {"anna"}
    assert memory.recall("carl", "anything", now_s=10.0) == []


def test_the_same_fact_twice_is_one_memory(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[:1])
    again = make_memory("dup", "bob the smith forges swords for the king's army", importance=9)
    result = memory.remember(again)
    assert result.decision == Merge(existing_id="anna0", reason="same text")
    assert result.memory.importance == 9
    assert memory.repository.get("dup") is None


def test_a_paraphrase_merges_into_the_known_fact(memory: PersonaMemory) -> None:
    memory.remember(make_memory("a", "The player works at a coffee shop"))
    result = memory.remember(make_memory("b", "The player has a job at a coffee shop"))
    assert isinstance(result.decision, Merge)
    assert result.decision.existing_id == "a"


def test_a_negation_is_not_merged_as_a_duplicate(memory: PersonaMemory) -> None:
    memory.remember(make_memory("a", "Bob likes ale"))
    assert memory.remember(make_memory("b", "Bob does not like ale")).decision == Insert()


def test_a_newer_contradicting_fact_supersedes_and_history_keeps_the_old(
    embedder: MiniLMEmbedder, repository: MemoryRepository
) -> None:
    memory = PersonaMemory(repository, embedder)
    memory.remember(make_memory("paris", "Bob lives in Paris", created_at_s=1.0))
    result = memory.remember(
        make_memory("lyon", "Bob lives in Lyon", created_at_s=2.0), replaces_id="paris"
    )
    assert result.decision == Supersede(old_id="paris")
    history = memory.repository.list("anna", include_superseded=True)
    assert [(m.id, m.superseded_by) for m in history] == [("paris", "lyon"), ("lyon", None)]
    recalled = memory.recall("anna", "Where does Bob live?", now_s=3.0, k=5)
    assert [item.memory.id for item in recalled] == ["lyon"]


def test_the_superseded_text_can_be_learned_again(memory: PersonaMemory) -> None:
    memory.remember(make_memory("paris", "Bob lives in Paris", created_at_s=1.0))
    memory.remember(make_memory("lyon", "Bob lives in Lyon", created_at_s=2.0), replaces_id="paris")
    back = memory.remember(
        make_memory("back", "Bob lives in Paris", created_at_s=3.0), replaces_id="lyon"
    )
    assert back.decision == Supersede(old_id="lyon")


def test_gossip_passes_a_fact_on_and_records_the_teller(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[1:2])
    heard = memory.tell("anna", "anna0", "bob", now_s=100.0, conversation_id="c7", turn=3)
    assert heard.decision == Insert()
    assert (heard.memory.owner_id, heard.memory.told_by) == ("bob", "anna")
    (recalled,) = memory.recall("bob", "How is the harvest?", now_s=101.0, k=1)
    assert recalled.memory.id == heard.memory.id
    knowers = memory.who_knows(FACTS[1], ["anna", "bob", "carl"])
    learned = [(p.owner_id, p.told_by, p.learned_at_s) for p in knowers]
    assert learned == [("anna", None, 0.0), ("bob", "anna", 100.0)]


def test_gossip_travels_along_a_chain(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[3:4])
    to_bob = memory.tell("anna", "anna0", "bob", now_s=50.0)
    to_carl = memory.tell("bob", to_bob.memory.id, "carl", now_s=90.0)
    chain = memory.telling_chain(to_carl.memory.id)
    assert [m.owner_id for m in chain] == ["anna", "bob", "carl"]


def test_hearing_known_gossip_again_only_reinforces(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[3:4])
    remember_all(memory, "carl", FACTS[3:4])
    first = memory.tell("anna", "anna0", "bob", now_s=50.0)
    second = memory.tell("carl", "carl0", "bob", now_s=60.0)
    assert second.decision == Merge(existing_id=first.memory.id, reason="same text")
    assert second.memory.told_by == "anna"


def test_nobody_can_tell_someone_elses_memory(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[:1])
    with pytest.raises(KnowledgeError, match="belongs to anna"):
        memory.tell("bob", "anna0", "carl", now_s=1.0)


def test_recalling_counts_as_using(memory: PersonaMemory) -> None:
    memory.remember(make_memory("m", FACTS[0], created_at_s=0.0, tier=MemoryTier.COLD))
    memory.recall("anna", "swords", now_s=500.0)
    stored = memory.repository.get("m")
    assert stored is not None
    assert (stored.last_accessed_s, stored.tier) == (500.0, MemoryTier.HOT)


def test_recalling_without_touch_changes_nothing(memory: PersonaMemory) -> None:
    memory.remember(make_memory("m", FACTS[0]))
    memory.recall("anna", "swords", now_s=500.0, touch=False)
    stored = memory.repository.get("m")
    assert stored is not None
    assert stored.last_accessed_s == 0.0


def test_the_prompt_block_lists_recalled_memories(memory: PersonaMemory) -> None:
    remember_all(memory, "anna", FACTS[:2])
    memory.tell("anna", "anna1", "bob", now_s=5.0)
    block = memory.prompt_block("bob", "grain", now_s=6.0, name_of={"anna": "Anna"}.__getitem__)
    assert block == "You remember: [The harvest failed and grain prices doubled. (Anna told you)]"


def test_decay_moves_unused_memories_to_colder_tiers(memory: PersonaMemory) -> None:
    memory.remember(make_memory("m", FACTS[0], created_at_s=0.0))
    memory.remember(make_memory("pinned", FACTS[1], created_at_s=0.0, pinned=True))
    changed = memory.apply_decay("anna", now_s=30 * SECONDS_PER_DAY)
    assert [(m.id, m.tier) for m in changed] == [("m", MemoryTier.COLD)]
    health = memory.health("anna", now_s=30 * SECONDS_PER_DAY)
    assert health.tier(MemoryTier.COLD).count == 1
    assert health.stale_tiers == 0


def test_a_new_process_rebuilds_the_index_from_stored_vectors(
    embedder: MiniLMEmbedder, repository: MemoryRepository
) -> None:
    first = PersonaMemory(repository, embedder)
    remember_all(first, "anna", FACTS)
    counting = CountingEmbedder(embedder)
    second = PersonaMemory(repository, counting)
    (best,) = second.recall("anna", "shipwreck", now_s=10.0, k=1)
    assert best.memory.id == "anna3"
    assert counting.texts == ["shipwreck"]  # stored vectors were reused, only the query embedded


def test_vectors_of_another_model_are_replaced(
    embedder: MiniLMEmbedder, repository: MemoryRepository
) -> None:
    repository.add(make_memory("m", FACTS[3]), np.ones(3), "other-model")
    counting = CountingEmbedder(embedder)
    PersonaMemory(repository, counting).recall("anna", "shipwreck", now_s=1.0)
    assert counting.texts == [FACTS[3], "shipwreck"]
    ids, matrix = repository.embeddings("anna", embedder.name)
    assert ids == ["m"]
    assert matrix.shape == (1, 384)


def test_pinning_is_stored(memory: PersonaMemory) -> None:
    memory.remember(make_memory("m", FACTS[0]))
    assert memory.set_pinned("m").pinned
    stored = memory.repository.get("m")
    assert stored is not None
    assert stored.pinned


def test_episodes_are_remembered_even_when_alike(memory: PersonaMemory) -> None:
    first = make_memory("e1", "Talked with Bob about grain.", kind=MemoryKind.EPISODE)
    second = make_memory("e2", "Talked with Bob about grain.", kind=MemoryKind.EPISODE)
    decisions = [r.decision for r in memory.remember_many([first, second])]
    assert decisions == [Insert(), Insert()]
