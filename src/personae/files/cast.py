"""Load either kind of file a command can take: a persona file or a world file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from personae.domain.persona import Persona
from personae.domain.world import Room
from personae.errors import InputError, UnknownPersonaError
from personae.files.persona_file import PersonaFile, load_persona_file
from personae.files.persona_library import PersonaLibrary, library_dir
from personae.files.world_file import WorldFile, load_world_file
from personae.files.yaml_source import read_yaml
from personae.world.catalog import shipped_rooms

WORLD_KEYS = frozenset({"rooms", "events", "world", "simulation"})


SHIPPED_WORLDS = Path(str(resources.files("personae") / "data" / "worlds"))


def default_world_path() -> Path:
    """The shipped default world (`personae demo`), usable wherever personae is installed."""
    return SHIPPED_WORLDS / "default.yaml"


def shipped_worlds() -> list[str]:
    return sorted(p.stem for p in SHIPPED_WORLDS.glob("*.yaml"))


def world_path(name_or_path: str | Path) -> Path:
    """A world file by path, or a shipped world by name (default, college_party, ...)."""
    path = Path(name_or_path)
    if path.exists() or path.suffix in (".yaml", ".yml") or "/" in str(name_or_path):
        return path
    if str(name_or_path) in shipped_worlds():
        return SHIPPED_WORLDS / f"{name_or_path}.yaml"
    raise InputError(
        f"{name_or_path}: no such file, and no shipped world of that name; "
        f"shipped: {', '.join(shipped_worlds())}"
    )


def load_cast(path: str | Path | None = None) -> PersonaFile:
    """A persona file, or a world file (a `WorldFile`, which is a `PersonaFile` with rooms); with
    no path, the shipped default world."""
    target = Path(path) if path is not None else default_world_path()
    source = read_yaml(target)
    if isinstance(source.data, dict) and WORLD_KEYS & set(source.data):
        return load_world_file(target)
    if not isinstance(source.data, dict):
        raise InputError(f"{target}: expected a persona or world file (a YAML mapping)")
    return load_persona_file(target)


def find_persona(cast: PersonaFile, persona_id: str, library: Path | None = None) -> Persona:
    """A persona of the file, else of the persona library (`personae persona import` puts card
    characters there); the error names both places."""
    try:
        return cast.persona(persona_id)
    except UnknownPersonaError:
        shelf = PersonaLibrary(library_dir(library))
        if shelf.exists(persona_id):
            return shelf.load(persona_id)
        raise


def find_room(cast: PersonaFile, name: str) -> Room:
    """A room of the world file by id, else a shipped archetype by short name or id."""
    if isinstance(cast, WorldFile):
        for room in cast.rooms:
            if room.room_id == name:
                return room
    shipped = shipped_rooms()
    for short, data in shipped.items():
        if name in (short, data["room_id"]):
            return Room.model_validate(data)
    known = sorted(
        {*shipped, *(r.room_id for r in cast.rooms)} if isinstance(cast, WorldFile) else shipped
    )
    raise InputError(f"no room {name!r}; known: {', '.join(known)}")
