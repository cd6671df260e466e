"""Load either kind of file a command can take: a persona file or a world file."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from personae.errors import InputError
from personae.files.persona_file import PersonaFile, load_persona_file
from personae.files.world_file import load_world_file
from personae.files.yaml_source import read_yaml

WORLD_KEYS = frozenset({"rooms", "events", "world", "simulation"})


def default_world_path() -> Path:
    """The shipped default world (`personae demo`), usable wherever personae is installed."""
    return Path(str(resources.files("personae") / "data" / "worlds" / "default.yaml"))


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
