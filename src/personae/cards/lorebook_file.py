"""Reading a standalone lorebook file: V3 `lorebook_v3`, SillyTavern World Info, or a bare
character book object. Problems raise `InputError` naming the file."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from personae.cards.coerce import CardFieldError, check_nesting
from personae.cards.importer import CardProblem, parse_json
from personae.cards.limits import DEFAULT_LIMITS, CardLimits
from personae.cards.lorebook_format import book_from_card, book_from_world_info
from personae.domain.lorebook import Lorebook
from personae.errors import InputError


def read_lorebook(path: Path, limits: CardLimits = DEFAULT_LIMITS) -> Lorebook:
    try:
        size = path.stat().st_size
        if size > limits.payload_bytes:
            raise InputError(
                f"{path}: {size} bytes; lorebooks over {limits.payload_bytes} are refused"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror or error})") from None
    try:
        return lorebook_from_json(parse_json(data, limits))
    except (CardProblem, CardFieldError) as problem:
        raise InputError(f"{path}: {problem}") from None


def lorebook_from_json(raw: Any) -> Lorebook:
    """A lorebook from parsed JSON of any of the three shapes."""
    if not isinstance(raw, dict):
        raise CardProblem("a lorebook is a JSON object")
    check_nesting(raw, "(lorebook)")
    if raw.get("spec") == "lorebook_v3":
        return book_from_card(raw.get("data"), "data")
    if isinstance(raw.get("entries"), dict):
        return book_from_world_info(raw, "")
    if isinstance(raw.get("entries"), list):
        if any(
            isinstance(entry, dict) and "key" in entry and "keys" not in entry
            for entry in raw["entries"]
        ):
            return book_from_world_info(raw, "")
        return book_from_card(raw, "")
    data = raw.get("data")
    if isinstance(data, dict) and isinstance(data.get("character_book"), dict):
        return book_from_card(data["character_book"], "data.character_book")
    raise CardProblem(
        "not a lorebook: expected 'entries' (World Info or character book) or spec 'lorebook_v3'"
    )
