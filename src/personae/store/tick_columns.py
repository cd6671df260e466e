"""A world tick's snapshots as columns: one stored row a tick, not one row per persona.

At 10k personas a row per persona cost every tick ~25 ms of INSERTs (and the table 10k rows a
tick); as columns the same tick packs into one row in a few milliseconds. Ids and rooms are text,
one per line (ids cannot hold a newline); numbers are IEEE doubles, little-endian, so a tick reads
back exactly as it was written, on any machine and either database.
"""

from __future__ import annotations

import sys
from array import array
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from typing import Any

from personae.domain.world import PersonaSnapshot

NUMBER_COLUMNS = ("social_energy", "interaction_fatigue", "available_time_s")


@dataclass(frozen=True, slots=True)
class TickColumns:
    """Every persona at the end of one tick: index i of each column is one persona."""

    persona_ids: Sequence[str]
    room_ids: Sequence[str]
    social_energy: Sequence[float]
    interaction_fatigue: Sequence[float]
    available_time_s: Sequence[float]
    talking: Sequence[bool]

    def __post_init__(self) -> None:
        count = len(self.persona_ids)
        for column in fields(self):
            if len(getattr(self, column.name)) != count:
                raise ValueError(
                    f"a tick's columns must be as long as its {count} persona ids: "
                    f"{column.name} has {len(getattr(self, column.name))}"
                )

    @classmethod
    def of(cls, taken: Sequence[PersonaSnapshot]) -> TickColumns:
        return cls(
            persona_ids=[s.persona_id for s in taken],
            room_ids=[s.room_id for s in taken],
            social_energy=[s.social_energy for s in taken],
            interaction_fatigue=[s.interaction_fatigue for s in taken],
            available_time_s=[s.available_time_s for s in taken],
            talking=[s.talking for s in taken],
        )

    def snapshots(
        self, tick: int, at_s: float, persona_id: str | None = None
    ) -> list[PersonaSnapshot]:
        """The tick as one snapshot per persona (or only `persona_id`'s), in persona-id order."""
        taken = [
            PersonaSnapshot(
                tick=tick,
                at_s=at_s,
                persona_id=pid,
                room_id=room,
                social_energy=energy,
                interaction_fatigue=fatigue,
                available_time_s=time_s,
                talking=talking,
            )
            for pid, room, energy, fatigue, time_s, talking in zip(
                self.persona_ids,
                self.room_ids,
                self.social_energy,
                self.interaction_fatigue,
                self.available_time_s,
                self.talking,
                strict=True,
            )
            if persona_id is None or pid == persona_id
        ]
        return sorted(taken, key=lambda s: s.persona_id)


def pack(columns: TickColumns) -> dict[str, str | bytes]:
    """The stored values of a tick's columns, by column name."""
    return {
        "persona_ids": _lines("persona id", columns.persona_ids),
        "room_ids": _lines("room id", columns.room_ids),
        **{name: _doubles(getattr(columns, name)) for name in NUMBER_COLUMNS},
        "talking": bytes(bytearray(bool(t) for t in columns.talking)),
    }


def unpack(stored: Mapping[Any, Any]) -> TickColumns:
    """A tick's columns from their stored values (see `pack`)."""
    ids = stored["persona_ids"]
    rooms = stored["room_ids"]
    return TickColumns(
        persona_ids=ids.split("\n") if ids else [],
        room_ids=rooms.split("\n") if rooms else [],
        **{name: _numbers(stored[name]) for name in NUMBER_COLUMNS},
        talking=[bool(b) for b in bytes(stored["talking"])],
    )


def _lines(what: str, values: Sequence[str]) -> str:
    joined = "\n".join(values)
    if joined.count("\n") != max(0, len(values) - 1):
        bad = next(v for v in values if "\n" in v)
        raise ValueError(f"a {what} cannot hold a newline: {bad!r}")
    return joined


def _doubles(values: Sequence[float]) -> bytes:
    packed = array("d", values)
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tobytes()


def _numbers(stored: bytes) -> list[float]:
    packed = array("d")
    packed.frombytes(bytes(stored))
    if sys.byteorder == "big":
        packed.byteswap()
    return packed.tolist()
