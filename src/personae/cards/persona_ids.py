"""Persona ids and names from untrusted cards: ids safe as file names, names that are not paths."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from personae.cards.coerce import CardFieldError
from personae.domain.persona import PERSONA_ID_PATTERN, Persona
from personae.errors import InputError
from personae.files.persona_file import slug

# Names Windows reserves for devices; a file called con.yaml cannot be created there.
_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)),
             *(f"lpt{i}" for i in range(1, 10))}  # fmt: skip


def persona_id_for(name: str) -> str:
    """A persona id from a display name: ASCII letters, digits and '_', never a reserved device
    name, and distinct for names with no Latin letters at all (their slug would be empty)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    candidate = slug(ascii_name)
    if candidate == "persona" and name.strip().lower() != "persona":
        digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
        candidate = f"persona_{digest}"
    if candidate in _RESERVED:
        candidate = f"{candidate}_persona"
    return candidate


def check_name(name: str, path: str) -> None:
    """Refuse a character name that looks like a file path or carries control characters."""
    if "/" in name or "\\" in name:
        raise CardFieldError(path, f"the name {name[:60]!r} looks like a file path ('/' or '\\')")
    if name in {".", ".."} or name.startswith("../"):
        raise CardFieldError(path, f"the name {name[:60]!r} looks like a file path")
    if any(unicodedata.category(char) == "Cc" for char in name):
        raise CardFieldError(path, "the name contains control characters (e.g. NUL or newline)")


def with_id(persona: Persona, persona_id: str) -> Persona:
    """The persona under another id; an id that is not file-name safe is an `InputError`."""
    if not re.fullmatch(PERSONA_ID_PATTERN, persona_id):
        raise InputError(
            f"{persona_id!r} is not a persona id: start with a letter or digit, then letters, "
            "digits, '_', '-' or '.' (at most 64)"
        )
    return persona.model_copy(update={"id": persona_id})
