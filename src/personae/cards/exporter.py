"""Export a persona as a character card: V2 JSON, V3 JSON or PNG.

A PNG export carries both a `chara` chunk (V2, for older readers) and a `ccv3` chunk (V3), and
keeps the persona's image byte for byte; without an image it gets a plain placeholder square.
"""

from __future__ import annotations

import base64
import json
import os
import tempfile
from pathlib import Path
from typing import Literal

from personae.cards.card_codec import card_from_persona
from personae.cards.importer import CARD_KEYWORDS
from personae.cards.png_chunks import PngChunkError, placeholder_png, read_chunks, with_text_chunks
from personae.domain.persona import Persona
from personae.errors import InputError

ExportFormat = Literal["v2", "v3", "png"]
EXPORT_FORMATS: tuple[ExportFormat, ...] = ("v2", "v3", "png")
FILE_MODE = 0o644  # mkstemp creates 0600; an exported card is an ordinary user file


def card_json(persona: Persona, card_format: Literal["v2", "v3"]) -> str:
    """The card as pretty-printed JSON text."""
    return json.dumps(card_from_persona(persona, card_format), ensure_ascii=False, indent=2)


def card_png(persona: Persona, image: bytes | None = None) -> bytes:
    """The card embedded in `image` (PNG bytes), or in a placeholder when there is none."""
    base = image if image is not None else placeholder_png(persona.id)
    try:
        chunks = read_chunks(base)
    except PngChunkError as error:
        raise InputError(
            f"the image of persona {persona.id!r} cannot carry a card: {error}"
        ) from None
    texts = [
        ("chara", _base64_json(card_json(persona, "v2"))),
        ("ccv3", _base64_json(card_json(persona, "v3"))),
    ]
    return with_text_chunks(chunks, texts, drop=set(CARD_KEYWORDS))


def export_card(persona: Persona, card_format: ExportFormat, image: bytes | None = None) -> bytes:
    """The exported card's bytes; a persona whose privacy settings forbid export is refused."""
    if not persona.privacy.exportable:
        raise InputError(
            f"persona {persona.id!r} is marked not exportable (privacy.exportable: false)"
        )
    if card_format == "png":
        return card_png(persona, image)
    return card_json(persona, card_format).encode("utf-8")


def write_export(path: Path, content: bytes) -> None:
    """Write atomically, so a failed export never leaves half a file behind."""
    temp: Path | None = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handle, name = tempfile.mkstemp(prefix=".tmp-", suffix=path.suffix, dir=path.parent)
        temp = Path(name)
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        os.chmod(temp, FILE_MODE)
        os.replace(temp, path)
        temp = None
    except OSError as error:
        raise InputError(f"{path}: cannot write the card ({error.strerror or error})") from None
    finally:
        if temp is not None:
            temp.unlink(missing_ok=True)


def _base64_json(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")
