"""The room archetypes and events that ship with personae (package data), by short name.

A world file says `use: tavern` to take the seed's #ai-tavern as it is, and may override any field.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

SHIPPED = resources.files("personae") / "data"


@cache
def shipped_rooms() -> dict[str, dict[str, Any]]:
    """Short name (tavern, market, fortress, court, library) -> room definition."""
    return _load("rooms")


@cache
def shipped_events() -> dict[str, dict[str, Any]]:
    """Short name (market_raid, royal_feast) -> event definition."""
    return _load("events")


def _load(folder: str) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for entry in sorted((SHIPPED / folder).iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml"):
            found[entry.name.removesuffix(".yaml")] = yaml.safe_load(entry.read_text("utf-8"))
    return found
