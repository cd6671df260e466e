"""How two personas feel about each other, symmetric and keyed by the unordered pair."""

from __future__ import annotations

from collections.abc import Iterator

from pydantic import BaseModel, ConfigDict, Field


def pair_key(a: str, b: str) -> tuple[str, str]:
    """The canonical (sorted) key of an unordered pair of persona ids."""
    return (a, b) if a <= b else (b, a)


class Relationship(BaseModel):
    """Affinity runs from -100 (enemies) through 0 (strangers) to +100 (devoted friends)."""

    model_config = ConfigDict(extra="forbid")

    a: str
    b: str
    affinity: float = Field(0, ge=-100, le=100)
    interactions: int = Field(0, ge=0)

    @property
    def key(self) -> tuple[str, str]:
        return pair_key(self.a, self.b)


class Relationships:
    """A lookup of relationships by unordered pair; unknown pairs are neutral strangers."""

    def __init__(self, relationships: list[Relationship] | None = None) -> None:
        self._by_pair: dict[tuple[str, str], Relationship] = {}
        for relationship in relationships or []:
            self.put(relationship)

    def put(self, relationship: Relationship) -> None:
        self._by_pair[relationship.key] = relationship

    def get(self, a: str, b: str) -> Relationship:
        key = pair_key(a, b)
        found = self._by_pair.get(key)
        return found if found is not None else Relationship(a=key[0], b=key[1])

    def affinity(self, a: str, b: str) -> float:
        found = self._by_pair.get(pair_key(a, b))
        return found.affinity if found is not None else 0.0

    def __iter__(self) -> Iterator[Relationship]:
        return iter(self._by_pair.values())

    def __len__(self) -> int:
        return len(self._by_pair)
