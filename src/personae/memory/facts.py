"""Fact bookkeeping as pure functions: duplicates merge, newer facts supersede older ones, gossip
passes a fact on with its teller recorded, and provenance answers who learned what, when, from whom.

Nothing here deletes: a superseded fact keeps `superseded_by` and stays in history; a merged
duplicate leaves the first memory in place (with its original teller) and only reinforces it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.errors import PersonaeError
from personae.memory.settings import FactSettings

_NOT_WORD = re.compile(r"[^\w\s]+")
_SPACES = re.compile(r"\s+")


class KnowledgeError(PersonaeError):
    """A persona tried to use knowledge it does not hold (knowledge isolation)."""


def normalise_text(text: str) -> str:
    """Text compared for sameness: Unicode-normalised, case-folded, punctuation and repeated
    spaces removed. "Bob  likes ale!" and "bob likes ale" are the same fact."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return _SPACES.sub(" ", _NOT_WORD.sub(" ", folded)).strip()


@dataclass(frozen=True)
class Insert:
    """A new fact: store it."""


@dataclass(frozen=True)
class Merge:
    """The owner knows this already: reinforce `existing_id` instead of storing a copy."""

    existing_id: str
    reason: str


@dataclass(frozen=True)
class Supersede:
    """The new fact makes `old_id` untrue: store it and mark the old one superseded."""

    old_id: str


FactDecision = Insert | Merge | Supersede


@dataclass(frozen=True)
class LearnedFact:
    """A new memory for one listener (from fact extraction), and the text of the known fact it
    replaces, matched against the listener's own memories: each persona supersedes only what it
    knew."""

    memory: Memory
    replaces_text: str | None


def reconcile(
    candidate: Memory,
    *,
    same_text: Memory | None = None,
    replaces: Memory | None = None,
    nearest: tuple[Memory, float] | None = None,
    settings: FactSettings | None = None,
) -> FactDecision:
    """What to do with `candidate` given what its owner already knows; the caller looks up the
    owner's current memory with the same normalised text (`same_text`), the fact the extraction
    says the candidate replaces (`replaces`), and the most similar current memory with its cosine
    (`nearest`, from the owner's vector index).

    In order: the same text merges; an explicit replacement supersedes; an embedding neighbour at
    or above `duplicate_min_cosine` merges; anything else is inserted. Episodes are always
    inserted: two conversations are two episodes however alike. Contradiction is never guessed
    from embeddings: "likes ale" and "hates ale" sit close together in embedding space.
    Memories of another owner, or superseded ones, never count (knowledge isolation).
    """
    settings = settings or FactSettings()
    if candidate.kind is MemoryKind.EPISODE:
        return Insert()

    def usable(memory: Memory | None) -> bool:
        return (
            memory is not None
            and memory.owner_id == candidate.owner_id
            and memory.superseded_by is None
            and memory.kind is candidate.kind
        )

    if (
        same_text is not None
        and usable(same_text)
        and normalise_text(same_text.text) == normalise_text(candidate.text)
    ):
        return Merge(existing_id=same_text.id, reason="same text")
    if replaces is not None and usable(replaces):
        return Supersede(old_id=replaces.id)
    if nearest is not None:
        neighbour, cosine = nearest
        if usable(neighbour) and cosine >= settings.duplicate_min_cosine:
            return Merge(existing_id=neighbour.id, reason=f"cosine {cosine:.3f}")
    return Insert()


def reinforced(existing: Memory, duplicate: Memory) -> Memory:
    """`existing` after hearing it again as `duplicate`: the higher importance, used now, hot.
    The first teller and source stay: provenance records where a fact was first learned."""
    return existing.model_copy(
        update={
            "importance": max(existing.importance, duplicate.importance),
            "last_accessed_s": max(
                existing.last_accessed_s, duplicate.created_at_s, duplicate.last_accessed_s
            ),
            "tier": MemoryTier.HOT,
        }
    )


def told_fact(
    fact: Memory,
    teller_id: str,
    listener_id: str,
    *,
    new_id: str,
    now_s: float,
    conversation_id: str | None = None,
    turn: int | None = None,
    settings: FactSettings | None = None,
) -> Memory:
    """The listener's new memory when `teller_id` passes on `fact` (gossip). The teller must own
    the fact: a persona can only tell what it knows."""
    settings = settings or FactSettings()
    if fact.owner_id != teller_id:
        raise KnowledgeError(
            f"{teller_id} cannot tell memory {fact.id!r}: it belongs to {fact.owner_id}"
        )
    if listener_id == teller_id:
        raise KnowledgeError(f"{teller_id} cannot tell a fact to itself")
    if fact.superseded_by is not None:
        raise KnowledgeError(
            f"{teller_id} no longer holds memory {fact.id!r} as true: it was superseded by "
            f"{fact.superseded_by!r}"
        )
    importance = min(max(fact.importance + settings.gossip_importance_delta, 1), 10)
    return Memory(
        id=new_id,
        owner_id=listener_id,
        kind=MemoryKind.FACT,
        text=fact.text,
        importance=importance,
        about_id=fact.about_id,
        told_by=teller_id,
        source_conversation_id=conversation_id,
        source_turn=turn,
        created_at_s=now_s,
        last_accessed_s=now_s,
    )


@dataclass(frozen=True)
class Provenance:
    """One persona's knowledge of a fact: when it learned it, from whom, and where."""

    owner_id: str
    memory_id: str
    learned_at_s: float
    told_by: str | None
    """None: heard first-hand (or extracted from its own conversation)."""
    source_conversation_id: str | None
    source_turn: int | None
    superseded_by: str | None


def provenance(memories: Iterable[Memory], text: str) -> list[Provenance]:
    """Who learned `text` (compared normalised), when and from whom, earliest first."""
    wanted = normalise_text(text)
    found = [m for m in memories if normalise_text(m.text) == wanted]
    found.sort(key=lambda m: (m.created_at_s, m.owner_id, m.id))
    return [
        Provenance(
            owner_id=m.owner_id,
            memory_id=m.id,
            learned_at_s=m.created_at_s,
            told_by=m.told_by,
            source_conversation_id=m.source_conversation_id,
            source_turn=m.source_turn,
            superseded_by=m.superseded_by,
        )
        for m in found
    ]


def telling_chain(memory: Memory, memories_of: Callable[[str], Sequence[Memory]]) -> list[Memory]:
    """The path a fact took to `memory`'s owner, first-hand knower first: each step is the
    teller's own memory of the same text, learned no later than the telling. `memories_of`
    gives a persona's memories (superseded ones included: a fact may be outdated since)."""
    wanted = normalise_text(memory.text)
    chain = [memory]
    seen = {memory.owner_id}
    current = memory
    while current.told_by is not None and current.told_by not in seen:
        sources = [
            m
            for m in memories_of(current.told_by)
            if normalise_text(m.text) == wanted and m.created_at_s <= current.created_at_s
        ]
        if not sources:
            break
        current = max(sources, key=lambda m: (m.created_at_s, m.id))
        seen.add(current.owner_id)
        chain.append(current)
    chain.reverse()
    return chain
