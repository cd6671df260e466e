"""The world file: a persona file plus rooms, events, where everyone starts, and how the run goes.

```yaml
world: {name: The Crossroads, description: A market town on the eve of war}
simulation: {tick_s: 30, ticks: 20, seed: 7}   # see personae.world.settings.WorldSettings
rooms:
  - use: tavern                      # shipped: tavern, market, fortress, court, library
    max_concurrent_conversations: 2  # ... with any field overridden
  - room_id: smithy                  # or a room of your own
    name: The Smithy
    topic_bias: [weapons, horses]
personas:
  - name: Mara                       # inline, with an optional starting room
    room: ai_tavern
  - file: more_personas.yaml         # every persona of another persona file (or `id:` one of them)
    room: ai_market
  - card: cards/Seraphina.png        # a character card (V1/V2/V3: JSON, PNG, CHARX)
    room: ai_tavern
events:
  - use: market_raid                 # a shipped event (market_raid, royal_feast)
    start_s: 900
facts:                               # what someone knows at the start; watch it spread
  - {persona: mara, text: The mill burned down last night., importance: 8}
relationships: [...]                 # as in a persona file
rule_sets: [college_party]
settings: {...}                      # dynamics tunables, as in a persona file
conversation: {...}                  # conversation engine tunables, as in a persona file
```

Personas without a room are spread over the rooms in order. Paths are relative to the world file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator

from personae.domain.persona import Persona
from personae.domain.world import Event, Room
from personae.errors import InputError
from personae.files.persona_file import PersonaFile, describe_location, load_persona_file, slug
from personae.files.yaml_source import Location, read_yaml, validate
from personae.world.catalog import shipped_events, shipped_rooms
from personae.world.settings import WorldSettings


class WorldInfo(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = "Unnamed world"
    description: str = ""


class SeedFact(BaseModel):
    """A fact one persona knows when the run begins: watch it spread (who learned it, when, and
    from whom) in the report's information propagation."""

    model_config = ConfigDict(extra="forbid")

    persona: str
    text: str = Field(min_length=1, max_length=300)
    importance: int = Field(8, ge=1, le=10)


class WorldFile(PersonaFile):
    """A validated world: rooms, events, starting rooms, and the persona file's contents."""

    model_config = ConfigDict(extra="forbid")

    world: WorldInfo = Field(default_factory=WorldInfo)
    simulation: WorldSettings = Field(default_factory=WorldSettings)
    rooms: list[Room] = Field(min_length=1)
    events: list[Event] = Field(default_factory=list)
    starting_rooms: dict[str, str] = Field(default_factory=dict)
    facts: list[SeedFact] = Field(default_factory=list)

    @model_validator(mode="after")
    def _rooms_exist(self) -> WorldFile:
        room_ids = [room.room_id for room in self.rooms]
        if len(set(room_ids)) != len(room_ids):
            twice = sorted({r for r in room_ids if room_ids.count(r) > 1})
            raise ValueError(f"room id {twice[0]!r} is defined twice")
        for persona_id, room_id in self.starting_rooms.items():
            if room_id not in room_ids:
                raise ValueError(
                    f"persona {persona_id!r} starts in unknown room {room_id!r}; "
                    f"rooms: {', '.join(room_ids)}"
                )
        for event in self.events:
            for room_id in event.affected_rooms:
                if room_id not in room_ids:
                    raise ValueError(
                        f"event {event.event_id!r} affects unknown room {room_id!r}; "
                        f"rooms: {', '.join(room_ids)}"
                    )
        known = {p.id for p in self.personas}
        for fact in self.facts:
            if fact.persona not in known:
                raise ValueError(
                    f"fact {fact.text[:40]!r} is given to unknown persona {fact.persona!r}"
                )
        unplaced = [p.id for p in self.personas if p.id not in self.starting_rooms]
        for i, persona_id in enumerate(unplaced):
            self.starting_rooms[persona_id] = room_ids[i % len(room_ids)]
        return self

    def room(self, room_id: str) -> Room:
        for room in self.rooms:
            if room.room_id == room_id:
                return room
        raise InputError(f"no room {room_id!r}; rooms: {', '.join(r.room_id for r in self.rooms)}")


def load_world_file(path: str | Path) -> WorldFile:
    """Read, expand (`use:`, `file:`) and validate a world file; errors name file, line, field."""
    source = read_yaml(Path(path))
    if not isinstance(source.data, dict):
        raise InputError(f"{source.path}: a world file is a mapping with 'rooms:' and 'personas:'")
    data = dict(source.data)
    if "rooms" in data:
        data["rooms"] = _expand_uses(data["rooms"], shipped_rooms(), "room", source.where)
    if "events" in data:
        data["events"] = _expand_uses(data["events"], shipped_events(), "event", source.where)
    if "personas" in data:
        data["personas"], data["starting_rooms"] = _expand_personas(
            data["personas"], source.path.parent, source.where
        )
    expanded = type(source)(path=source.path, data=data, lines=source.lines)
    return validate(WorldFile, expanded, describe_world_location)


def describe_world_location(location: Location, data: Any) -> str:
    if location and location[0] in ("rooms", "events") and len(location) > 1:
        kind = "room" if location[0] == "rooms" else "event"
        label = f"{kind} #{int(location[1]) + 1}"
        try:
            entry = data[location[0]][location[1]]
            label = f"{kind} {entry.get('room_id') or entry.get('event_id') or label!r}"
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        fields = ".".join(str(part) for part in location[2:])
        return f"{label}, field {fields!r}" if fields else label
    return describe_location(location, data)


def _expand_uses(entries: Any, shipped: dict[str, dict[str, Any]], kind: str, where: Any) -> Any:
    if not isinstance(entries, list):
        return entries
    expanded = []
    for i, entry in enumerate(entries):
        if isinstance(entry, dict) and "use" in entry:
            name = entry["use"]
            if name not in shipped:
                raise InputError(
                    f"{where((f'{kind}s', i, 'use'))}: unknown shipped {kind} "
                    f"{name!r}; shipped: {', '.join(sorted(shipped))}"
                )
            merged = _deep_merge(
                copy.deepcopy(shipped[name]), {k: v for k, v in entry.items() if k != "use"}
            )
            expanded.append(merged)
        else:
            expanded.append(entry)
    return expanded


def _expand_personas(entries: Any, base: Path, where: Any) -> tuple[Any, dict[str, str]]:
    if not isinstance(entries, list):
        return entries, {}
    personas: list[Any] = []
    rooms: dict[str, str] = {}
    for i, raw in enumerate(entries):
        if not isinstance(raw, dict):
            personas.append(raw)
            continue
        entry = dict(raw)
        room = entry.pop("room", None)
        if "file" in entry:
            loaded = _personas_from_file(entry, base, where(("personas", i, "file")))
            found = [p.model_dump() for p in loaded]
        elif "card" in entry:
            found = [_persona_from_card(entry, base, where(("personas", i, "card"))).model_dump()]
        else:
            found = [entry]
        for persona in found:
            persona_id = persona.get("id") or (
                slug(persona["name"]) if isinstance(persona.get("name"), str) else None
            )
            if room is not None and persona_id:
                rooms[persona_id] = room
            personas.append(persona)
    return personas, rooms


def _personas_from_file(entry: dict[str, Any], base: Path, where: str) -> list[Any]:
    unexpected = set(entry) - {"file", "id"}
    if unexpected:
        raise InputError(
            f"{where}: a file reference takes only 'file', 'id' and 'room', "
            f"not {', '.join(sorted(unexpected))}"
        )
    path = base / str(entry["file"])
    loaded = load_persona_file(path)
    if "id" in entry:
        return [loaded.persona(str(entry["id"]))]
    return list(loaded.personas)


def _persona_from_card(entry: dict[str, Any], base: Path, where: str) -> Persona:
    """A character card (V1/V2/V3 JSON, PNG or CHARX) as a persona; `id` may rename it."""
    unexpected = set(entry) - {"card", "id"}
    if unexpected:
        raise InputError(
            f"{where}: a card reference takes only 'card', 'id' and 'room', "
            f"not {', '.join(sorted(unexpected))}"
        )
    # Imported here: personae.cards itself builds on personae.files.
    from personae.cards.importer import read_card

    persona = read_card(base / str(entry["card"])).persona
    if "id" in entry:
        persona = persona.model_copy(update={"id": str(entry["id"])})
    return persona


def _deep_merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = _deep_merge(base[key], value)
        else:
            base[key] = value
    return base
