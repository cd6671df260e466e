"""`PersonaMemory`: what the conversation engine asks of memory, over a repository, an embedder
and the settings. The decisions live in pure modules (`facts`, `scoring`, `decay`, `health`,
`prompt`); this class looks things up, calls them and stores the outcome.

One `PersonaMemory` per process owns its repository's memories: it keeps each owner's vectors in
an in-process index built on first use (from stored vectors where the model matches, else by
embedding the texts and storing the vectors for next time).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from personae.domain.memory import Memory, MemoryKind
from personae.memory.decay import apply_decay, tier_for
from personae.memory.embeddings.protocol import Embedder, Vector
from personae.memory.facts import (
    FactDecision,
    KnowledgeError,
    LearnedFact,
    Merge,
    Provenance,
    Supersede,
    normalise_text,
    provenance,
    reconcile,
    reinforced,
    telling_chain,
    told_fact,
)
from personae.memory.health import MemoryHealth, memory_health
from personae.memory.index import Hit, MemoryIndex, OwnerIndex
from personae.memory.prompt import NameOf, format_memories
from personae.memory.repository import MemoryRepository, UnknownMemoryError
from personae.memory.settings import DEFAULT_MEMORY_SETTINGS, MemorySettings


def random_memory_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Remembered:
    """The outcome of offering a memory: what was decided and the memory as now stored (the
    existing one for a merge)."""

    decision: FactDecision
    memory: Memory


@dataclass(frozen=True)
class Recalled:
    """A recalled memory with its retrieval score and normalised components."""

    memory: Memory
    hit: Hit


class PersonaMemory:
    """Remember, recall, gossip, decay and report, per persona (knowledge isolation: every
    question is asked on behalf of one owner and sees only that owner's memories)."""

    def __init__(
        self,
        repository: MemoryRepository,
        embedder: Embedder,
        settings: MemorySettings = DEFAULT_MEMORY_SETTINGS,
        *,
        new_id: Callable[[], str] = random_memory_id,
    ) -> None:
        self._repository = repository
        self._embedder = embedder
        self._settings = settings
        self._new_id = new_id
        self._index = MemoryIndex(embedder.dimensions, settings.index)
        # owner -> normalised text -> id of the current memory with that text
        self._texts: dict[str, dict[str, str]] = {}

    @property
    def settings(self) -> MemorySettings:
        return self._settings

    @property
    def repository(self) -> MemoryRepository:
        return self._repository

    def new_id(self) -> str:
        return self._new_id()

    def knows(self, owner_id: str, text: str) -> bool:
        """Whether `owner_id` holds a current memory with this text (compared normalised)."""
        self._owner_index(owner_id)
        return normalise_text(text) in self._texts[owner_id]

    # -- remembering -------------------------------------------------------------------------

    def remember(self, memory: Memory, *, replaces_id: str | None = None) -> Remembered:
        """Offer one new memory: it is merged into a duplicate, supersedes `replaces_id`, or is
        stored. `replaces_id` must be a current memory of the same owner, else it is ignored."""
        return self.remember_many([memory], replaces=[replaces_id])[0]

    def remember_many(
        self, memories: Sequence[Memory], *, replaces: Sequence[str | None] | None = None
    ) -> list[Remembered]:
        """`remember` for several memories with one embedding call, decided in order (a later
        one may merge into an earlier one)."""
        replaces = list(replaces) if replaces is not None else [None] * len(memories)
        if len(replaces) != len(memories):
            raise ValueError(f"{len(memories)} memories but {len(replaces)} replacement ids")
        vectors = self._embedder.embed([m.text for m in memories])
        return [
            self._remember_one(memory, vector, replaces_id)
            for memory, vector, replaces_id in zip(memories, vectors, replaces, strict=True)
        ]

    def _remember_one(
        self, candidate: Memory, vector: Vector, replaces_id: str | None
    ) -> Remembered:
        owner = candidate.owner_id
        index = self._owner_index(owner)
        texts = self._texts[owner]
        same_id = texts.get(normalise_text(candidate.text))
        nearest_hit = index.nearest(vector)
        decision = reconcile(
            candidate,
            same_text=self._repository.get(same_id) if same_id else None,
            replaces=self._repository.get(replaces_id) if replaces_id else None,
            nearest=(
                (self._require(nearest_hit[0]), nearest_hit[1]) if nearest_hit is not None else None
            ),
            settings=self._settings.facts,
        )
        if isinstance(decision, Merge):
            stronger = reinforced(self._require(decision.existing_id), candidate)
            self._store_update(stronger)
            return Remembered(decision, stronger)
        self._repository.add(candidate, vector, self._embedder.name)
        index.put(candidate, vector)
        texts[normalise_text(candidate.text)] = candidate.id
        if isinstance(decision, Supersede):
            self._repository.supersede(decision.old_id, candidate.id)
            old = self._require(decision.old_id)
            index.refresh(old)
            if texts.get(normalise_text(old.text)) == old.id:
                del texts[normalise_text(old.text)]
        return Remembered(decision, candidate)

    def remember_learned(self, learned: Sequence[LearnedFact]) -> list[Remembered]:
        """Store what fact extraction found: each fact's `replaces_text` is matched against its
        listener's own current memories (compared normalised), so each persona supersedes only
        what it knew itself."""
        replaces: list[str | None] = []
        for item in learned:
            owner = item.memory.owner_id
            self._owner_index(owner)
            text = item.replaces_text
            replaces.append(self._texts[owner].get(normalise_text(text)) if text else None)
        return self.remember_many([item.memory for item in learned], replaces=replaces)

    def known_facts(
        self, persona_ids: Iterable[str], about: str, now_s: float, limit: int | None = None
    ) -> list[str]:
        """The current facts of the given personas most relevant to `about` (the text of the
        turns being read), best first, each text once: what fact extraction is shown so that it
        can tell which known fact a new one makes untrue. Recalling them does not count as use.
        """
        limit = self._settings.facts.known_facts_in_prompt if limit is None else limit
        if limit == 0:
            return []
        owners = [o for o in sorted(set(persona_ids)) if len(self._owner_index(o)) > 0]
        if not owners:
            return []
        vector = self._embedder.embed([about])[0]
        found: list[Recalled] = []
        for owner in owners:
            recalled = self._recall_vector(owner, vector, now_s, k=limit * 2, touch=False)
            found += [item for item in recalled if item.memory.kind is MemoryKind.FACT]
        found.sort(key=lambda item: item.hit.score, reverse=True)
        texts: dict[str, str] = {}
        for item in found:
            texts.setdefault(normalise_text(item.memory.text), item.memory.text)
        return list(texts.values())[:limit]

    def tell(
        self,
        teller_id: str,
        memory_id: str,
        listener_id: str,
        now_s: float,
        *,
        conversation_id: str | None = None,
        turn: int | None = None,
        heard_id: str | None = None,
    ) -> Remembered:
        """Gossip: `teller_id` passes its memory `memory_id` on to `listener_id`, who now knows
        it with `told_by` = teller (or reinforces what it knew). `heard_id`: the id of the
        listener's new memory (default: a new random one)."""
        fact = self._repository.get(memory_id)
        if fact is None:
            raise KnowledgeError(f"{teller_id} cannot tell memory {memory_id!r}: no such memory")
        heard = told_fact(
            fact,
            teller_id,
            listener_id,
            new_id=heard_id or self._new_id(),
            now_s=now_s,
            conversation_id=conversation_id,
            turn=turn,
            settings=self._settings.facts,
        )
        return self.remember(heard)

    # -- recalling ---------------------------------------------------------------------------

    def recall(
        self,
        owner_id: str,
        query: str,
        now_s: float,
        *,
        k: int | None = None,
        about_id: str | None = None,
        touch: bool = True,
    ) -> list[Recalled]:
        """The owner's best memories for `query` by recency + importance + relevance. With
        `touch` (the default, as in Generative Agents) recalled memories count as used now,
        which keeps them recent and hot."""
        if len(self._owner_index(owner_id)) == 0:
            return []
        vector = self._embedder.embed([query])[0]
        return self._recall_vector(owner_id, vector, now_s, k=k, about_id=about_id, touch=touch)

    def _recall_vector(
        self,
        owner_id: str,
        vector: Vector,
        now_s: float,
        *,
        k: int | None,
        about_id: str | None = None,
        touch: bool,
    ) -> list[Recalled]:
        index = self._owner_index(owner_id)
        hits = index.search(vector, now_s, self._settings.retrieval, k=k, about_id=about_id)
        # One read for every hit and one write for every touch: a recall runs once a line.
        found = self._repository.get_many([hit.memory_id for hit in hits])
        recalled: list[Recalled] = []
        touched: list[Memory] = []
        for hit in hits:
            memory = found.get(hit.memory_id)
            if memory is None:
                raise UnknownMemoryError(f"no memory with id {hit.memory_id!r}")
            if touch and memory.last_accessed_s < now_s:
                used = memory.model_copy(update={"last_accessed_s": now_s})
                tier = tier_for(used, now_s, self._settings.decay)
                memory = used.model_copy(update={"tier": tier})
                touched.append(memory)
            recalled.append(Recalled(memory, hit))
        self._store_update_many(touched)
        return recalled

    def prompt_block(
        self,
        owner_id: str,
        query: str,
        now_s: float,
        *,
        about_id: str | None = None,
        name_of: NameOf | None = None,
    ) -> str:
        """'You remember: [..]; [..]' for the prompt, or '' when nothing is remembered."""
        recalled = self.recall(
            owner_id, query, now_s, k=self._settings.prompt.max_memories, about_id=about_id
        )
        memories = [item.memory for item in recalled]
        if name_of is None:
            return format_memories(memories, self._settings.prompt)
        return format_memories(memories, self._settings.prompt, name_of)

    # -- upkeep and reports ------------------------------------------------------------------

    def apply_decay(self, owner_id: str, now_s: float) -> list[Memory]:
        """Move the owner's memories to the tiers decay places them in now; returns the changed
        ones. Run it after each conversation (or on a world tick)."""
        changed = apply_decay(self._repository.list(owner_id), now_s, self._settings.decay)
        for memory in changed:
            self._store_update(memory)
        return changed

    def set_pinned(self, memory_id: str, pinned: bool = True) -> Memory:
        """Pin (or unpin) a memory: pinned memories never decay."""
        memory = self._require(memory_id).model_copy(update={"pinned": pinned})
        self._store_update(memory)
        return memory

    def health(self, owner_id: str, now_s: float) -> MemoryHealth:
        memories = self._repository.list(owner_id, include_superseded=True)
        return memory_health(owner_id, memories, now_s, self._settings)

    def who_knows(self, text: str, persona_ids: Iterable[str]) -> list[Provenance]:
        """Which of `persona_ids` learned `text` (compared normalised), when and from whom."""
        memories = [
            memory
            for owner in persona_ids
            for memory in self._repository.list(owner, include_superseded=True)
        ]
        return provenance(memories, text)

    def telling_chain(self, memory_id: str) -> list[Memory]:
        """How a fact reached this memory's owner, from the first-hand knower on."""
        return telling_chain(
            self._require(memory_id),
            lambda owner: self._repository.list(owner, include_superseded=True),
        )

    # -- internals ---------------------------------------------------------------------------

    def _store_update(self, memory: Memory) -> None:
        self._store_update_many([memory])

    def _store_update_many(self, memories: Sequence[Memory]) -> None:
        """Store the changed memories and let their owners' indexes take the changes over."""
        if not memories:
            return
        self._repository.update_many(memories)
        for memory in memories:
            if self._index.has_owner(memory.owner_id):
                self._index.owner(memory.owner_id).refresh(memory)

    def _require(self, memory_id: str) -> Memory:
        memory = self._repository.get(memory_id)
        if memory is None:
            raise UnknownMemoryError(f"no memory with id {memory_id!r}")
        return memory

    def _owner_index(self, owner_id: str) -> OwnerIndex:
        """The owner's index, loaded from the repository the first time."""
        if self._index.has_owner(owner_id):
            return self._index.owner(owner_id)
        index = self._index.owner(owner_id)
        current = self._repository.list(owner_id)
        self._texts[owner_id] = {normalise_text(m.text): m.id for m in current}
        if not current:
            return index
        name, dimensions = self._embedder.name, self._embedder.dimensions
        ids, matrix = self._repository.embeddings(owner_id, name)
        usable: dict[str, Vector] = {}
        if matrix.ndim == 2 and matrix.shape[1] == dimensions:
            usable = {memory_id: matrix[row] for row, memory_id in enumerate(ids)}
        missing = [m for m in current if m.id not in usable]
        if missing:
            fresh = self._embedder.embed([m.text for m in missing])
            for memory, vector in zip(missing, fresh, strict=True):
                self._repository.set_embedding(memory.id, vector, name)
                usable[memory.id] = vector
        index.put_many(current, np.vstack([usable[m.id] for m in current]))
        return index
