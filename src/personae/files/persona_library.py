"""The persona library: a directory with one YAML file per persona (`<id>.yaml`), and its image
(`<id>.png`) when it came from a PNG card or was given one.

The directory is `--library DIR`, else `$PERSONAE_LIBRARY`, else `./personas`. Writes are atomic
(a temporary file renamed into place), and `save_all` writes all or nothing.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from personae.domain.persona import PERSONA_ID_PATTERN, Persona
from personae.errors import InputError, UnknownPersonaError
from personae.files.persona_file import load_persona_file

LIBRARY_ENV = "PERSONAE_LIBRARY"
DEFAULT_LIBRARY = Path("personas")
PERSONA_SUFFIX = ".yaml"
IMAGE_SUFFIX = ".png"
FILE_MODE = 0o644  # mkstemp creates 0600; library files are ordinary user files


def library_dir(option: Path | None = None, environ: Mapping[str, str] | None = None) -> Path:
    """The library directory: the option, else $PERSONAE_LIBRARY, else ./personas."""
    if option is not None:
        return option
    env = os.environ if environ is None else environ
    value = env.get(LIBRARY_ENV, "").strip()
    return Path(value) if value else DEFAULT_LIBRARY


class _Dumper(yaml.SafeDumper):
    """Safe YAML with multi-line text as literal blocks where YAML allows it."""


_UNICODE_BREAKS = ("\x85", "\u2028", "\u2029")  # line breaks to YAML: kept only when escaped


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    style = "|" if "\n" in text else None
    if any(mark in text for mark in _UNICODE_BREAKS):
        style = '"'
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style=style)


_Dumper.add_representer(str, _represent_text)


def persona_yaml(persona: Persona) -> str:
    """The persona as a single-persona YAML mapping, defaults left out."""
    data: dict[str, Any] = persona.model_dump(mode="json", exclude_defaults=True)
    ordered = {"id": data.pop("id"), "name": data.pop("name"), **data}
    return yaml.dump(ordered, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


@dataclass(frozen=True)
class LibraryItem:
    """A persona to store, with its image (PNG bytes) if it has one."""

    persona: Persona
    image: bytes | None = None


class PersonaLibrary:
    """Read and write the personas of one library directory."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def path_of(self, persona_id: str) -> Path:
        return self.root / f"{_checked_id(persona_id)}{PERSONA_SUFFIX}"

    def image_path(self, persona_id: str) -> Path:
        return self.root / f"{_checked_id(persona_id)}{IMAGE_SUFFIX}"

    def ids(self) -> list[str]:
        if not self.root.is_dir():
            return []
        return sorted(
            path.stem
            for path in self.root.glob(f"*{PERSONA_SUFFIX}")
            if path.is_file() and not path.name.startswith(".")
        )

    def exists(self, persona_id: str) -> bool:
        return self.path_of(persona_id).is_file()

    def load(self, persona_id: str) -> Persona:
        if not self.exists(persona_id):
            known = ", ".join(self.ids()) or "none"
            raise UnknownPersonaError(
                f"no persona {persona_id!r} in the library {self.root}; known: {known}"
            )
        persona = load_persona_file(self.path_of(persona_id)).personas[0]
        if persona.id != persona_id:
            raise InputError(
                f"{self.path_of(persona_id)}: the file holds persona {persona.id!r}; "
                f"rename the file to {persona.id}{PERSONA_SUFFIX} or fix its id"
            )
        return persona

    def load_all(self) -> list[Persona]:
        return [self.load(persona_id) for persona_id in self.ids()]

    def image(self, persona_id: str) -> bytes | None:
        path = self.image_path(persona_id)
        return path.read_bytes() if path.is_file() else None

    def save(self, persona: Persona, image: bytes | None = None, overwrite: bool = False) -> Path:
        self.save_all([LibraryItem(persona, image)], overwrite=overwrite)
        return self.path_of(persona.id)

    def save_all(self, items: Iterable[LibraryItem], overwrite: bool = False) -> list[Path]:
        """Write every item or none: a clash or a failed write leaves the library as it was."""
        batch = list(items)
        seen: set[str] = set()
        for item in batch:
            persona_id = item.persona.id
            if persona_id in seen:
                raise InputError(f"two personas to import share the id {persona_id!r}")
            seen.add(persona_id)
            if not overwrite and self.exists(persona_id):
                raise InputError(
                    f"persona {persona_id!r} is already in the library "
                    f"({self.path_of(persona_id)}); pass --force to replace it "
                    "or --id to import it under another id"
                )
        self.root.mkdir(parents=True, exist_ok=True)
        staged: list[tuple[Path, Path]] = []  # (temporary file, final path)
        try:
            for item in batch:
                staged.append(
                    self._stage(self.path_of(item.persona.id), persona_yaml(item.persona))
                )
                if item.image is not None:
                    staged.append(self._stage(self.image_path(item.persona.id), item.image))
            _commit(staged)
        finally:
            for temp, _final in staged:
                temp.unlink(missing_ok=True)
        return [self.path_of(item.persona.id) for item in batch]

    def _stage(self, final: Path, content: str | bytes) -> tuple[Path, Path]:
        data = content.encode("utf-8") if isinstance(content, str) else content
        handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=final.suffix, dir=self.root)
        temp = Path(name)
        try:
            with os.fdopen(handle, "wb") as out:
                out.write(data)
            os.chmod(temp, FILE_MODE)
        except OSError as error:
            temp.unlink(missing_ok=True)
            raise InputError(f"{final}: cannot write ({error})") from None
        return temp, final


def _commit(staged: list[tuple[Path, Path]]) -> None:
    """Move staged files into place; if one move fails, put back what was there before."""
    done: list[tuple[Path, bytes | None]] = []
    try:
        for temp, final in staged:
            previous = final.read_bytes() if final.is_file() else None
            os.replace(temp, final)
            done.append((final, previous))
    except OSError as error:
        for final, previous in reversed(done):
            if previous is None:
                final.unlink(missing_ok=True)
            else:
                final.write_bytes(previous)
        raise InputError(f"cannot write to the persona library ({error})") from None


def _checked_id(persona_id: str) -> str:
    """Refuse ids that could escape the library directory (they never pass Persona validation)."""
    if not re.fullmatch(PERSONA_ID_PATTERN, persona_id) or persona_id in {".", ".."}:
        raise InputError(
            f"{persona_id!r} is not a persona id: use letters, digits, '_', '-' and '.' only"
        )
    return persona_id
