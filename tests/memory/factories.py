"""Building blocks for memory tests."""

from __future__ import annotations

from personae.domain.memory import Memory, MemoryKind, MemoryTier


def make_memory(
    memory_id: str,
    text: str = "something happened",
    *,
    owner_id: str = "anna",
    kind: MemoryKind = MemoryKind.FACT,
    importance: int = 5,
    created_at_s: float = 0.0,
    last_accessed_s: float = 0.0,
    about_id: str | None = None,
    told_by: str | None = None,
    tier: MemoryTier = MemoryTier.HOT,
    pinned: bool = False,
    superseded_by: str | None = None,
) -> Memory:
    return Memory(
        id=memory_id,
        owner_id=owner_id,
        kind=kind,
        text=text,
        importance=importance,
        created_at_s=created_at_s,
        last_accessed_s=last_accessed_s,
        about_id=about_id,
        told_by=told_by,
        tier=tier,
        pinned=pinned,
        superseded_by=superseded_by,
    )
