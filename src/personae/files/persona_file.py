"""The persona file: personas, their relationships, enabled rule sets and tunables, in YAML.

```yaml
personas:
  - id: king_aldric          # optional: derived from the name when missing
    name: King Aldric
    status: 10
    charisma: 16
    topics: {military_strategy: 95, grain_prices: 10}
    state: {current_priority: urgent, available_time_s: 60}
relationships:
  - between: [king_aldric, farmer_tom]
    affinity: 10
rule_sets: [college_party]
settings:                    # dynamics tunables (personae.dynamics.settings)
  score: {continue_threshold: 45}
conversation:                # conversation engine tunables (personae.conversation.settings)
  dry_after_rejected_lines: 0
  quality: {rehash_share: 0.5}
```

A file may also hold a single persona as one mapping (`name: ...` at the top level); that is
the shape of the persona library (`personae.files.persona_library`), one persona per file.

The world file of `personae simulate` extends this format with rooms and events.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from personae.conversation.settings import ConversationSettings
from personae.domain.persona import Persona
from personae.domain.relationship import Relationship, Relationships
from personae.dynamics.rules import RULE_SETS, RuleSet
from personae.dynamics.settings import DynamicsSettings
from personae.errors import InputError, UnknownPersonaError
from personae.files.yaml_source import Location, YamlSource, read_yaml, validate


def slug(name: str) -> str:
    """A persona id from a display name: lower case letters, digits and underscores."""
    text = re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")
    return text[:64] or "persona"


def person_id(name: str) -> str:
    """The id of the person called `name` in a chat (`personae chat --user NAME`); `personae
    memory show --about NAME` finds what a persona remembers about them by it."""
    return f"user_{slug(name)}"


class RelationshipEntry(BaseModel):
    model_config = ConfigDict(extra="forbid")

    between: tuple[str, str]
    affinity: float = Field(0, ge=-100, le=100)
    interactions: int = Field(0, ge=0)

    @field_validator("between")
    @classmethod
    def _two_different(cls, between: tuple[str, str]) -> tuple[str, str]:
        if between[0] == between[1]:
            raise ValueError("a relationship needs two different personas")
        return between


class PersonaFile(BaseModel):
    """What a persona file holds, validated."""

    model_config = ConfigDict(extra="forbid")

    personas: list[Persona] = Field(min_length=1)
    relationships: list[RelationshipEntry] = Field(default_factory=list)
    rule_sets: list[str] = Field(default_factory=list)
    settings: DynamicsSettings = Field(default_factory=DynamicsSettings)
    conversation: ConversationSettings = Field(default_factory=ConversationSettings)

    @model_validator(mode="before")
    @classmethod
    def _ids_from_names(cls, data: Any) -> Any:
        if isinstance(data, dict) and isinstance(data.get("personas"), list):
            for entry in data["personas"]:
                if (
                    isinstance(entry, dict)
                    and "id" not in entry
                    and isinstance(entry.get("name"), str)
                ):
                    entry["id"] = slug(entry["name"])
        return data

    @field_validator("rule_sets")
    @classmethod
    def _known_rule_sets(cls, names: list[str]) -> list[str]:
        for name in names:
            if name not in RULE_SETS:
                raise ValueError(
                    f"unknown rule set {name!r}; known: {', '.join(sorted(RULE_SETS))}"
                )
        return names

    @model_validator(mode="after")
    def _consistent_ids(self) -> PersonaFile:
        seen: set[str] = set()
        for persona in self.personas:
            if persona.id in seen:
                raise ValueError(f"persona id {persona.id!r} is defined twice")
            seen.add(persona.id)
        for entry in self.relationships:
            for persona_id in entry.between:
                if persona_id not in seen:
                    raise ValueError(f"relationship names unknown persona {persona_id!r}")
        return self

    def persona(self, persona_id: str) -> Persona:
        for persona in self.personas:
            if persona.id == persona_id:
                return persona
        known = ", ".join(p.id for p in self.personas)
        raise UnknownPersonaError(f"no persona {persona_id!r} in this file; known: {known}")

    def relationship_book(self) -> Relationships:
        return Relationships(
            [
                Relationship(
                    a=e.between[0], b=e.between[1], affinity=e.affinity, interactions=e.interactions
                )
                for e in self.relationships
            ]
        )

    def enabled_rule_sets(self) -> list[RuleSet]:
        return [RULE_SETS[name] for name in self.rule_sets]


def describe_location(location: Location, data: Any) -> str:
    """Words for where in a persona file a problem is, e.g. "persona 'king', field 'charisma'"."""
    if not location:
        return "the file"
    head, rest = location[0], location[1:]
    if head == "personas" and rest and isinstance(rest[0], int):
        label = f"persona #{rest[0] + 1}"
        try:
            entry = data["personas"][rest[0]]
            label = f"persona {entry.get('id') or entry.get('name')!r}"
        except (KeyError, IndexError, TypeError, AttributeError):
            pass
        fields = ".".join(str(part) for part in rest[1:])
        return f"{label}, field {fields!r}" if fields else label
    if head == "relationships" and rest and isinstance(rest[0], int):
        fields = ".".join(str(part) for part in rest[1:])
        label = f"relationship #{rest[0] + 1}"
        return f"{label}, field {fields!r}" if fields else label
    return "field " + repr(".".join(str(part) for part in location))


def load_persona_file(path: str | Path) -> PersonaFile:
    """Read and validate a persona file; problems raise `InputError` naming file, line and field.

    The file is either a mapping with a `personas:` list or a single persona mapping."""
    source = read_yaml(Path(path))
    if not isinstance(source.data, dict):
        raise InputError(
            f"{source.path}: a persona file is a mapping: a 'personas:' list or one persona"
        )
    if is_single_persona(source.data):
        source = as_persona_list(source)
    return validate(PersonaFile, source, describe_location)


def is_single_persona(data: dict[Any, Any]) -> bool:
    """A mapping that is one persona rather than a file of them: it has a name and no list."""
    return "personas" not in data and "name" in data


def as_persona_list(source: YamlSource) -> YamlSource:
    """The same single-persona source as a one-item `personas:` list, line numbers kept."""
    lines = {("personas", 0, *location): line for location, line in source.lines.items()}
    lines[("personas",)] = source.lines.get((), 1)
    return YamlSource(path=source.path, data={"personas": [dict(source.data)]}, lines=lines)
