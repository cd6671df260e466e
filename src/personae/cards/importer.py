"""Import a character card file: JSON, PNG (tEXt/zTXt/iTXt chunk `chara` or `ccv3`) or CHARX.

The format is told from the bytes, not the file name. Every problem a card can have becomes one
`InputError` that names the file and the problem; nothing is written anywhere by this module.
"""

from __future__ import annotations

import base64
import binascii
import io
import json
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from personae.cards.card_codec import DecodedCard, NotACardError, persona_from_card
from personae.cards.coerce import CardFieldError
from personae.cards.limits import DEFAULT_LIMITS, CardLimits
from personae.cards.png_chunks import (
    PngChunkError,
    TextChunk,
    read_chunks,
    text_chunks,
    with_text_chunks,
)
from personae.domain.persona import Persona
from personae.errors import InputError

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
ZIP_SIGNATURES = (b"PK\x03\x04", b"PK\x05\x06")
CARD_KEYWORDS = ("ccv3", "chara")  # in order of preference (V3 spec: prefer ccv3)
SourceFormat = Literal["json", "png", "charx"]


@dataclass
class ImportedCard:
    """A persona read from a card file, its image (PNG bytes without the card chunks) if it had
    one, and notes on anything unusual that was handled."""

    persona: Persona
    source_format: SourceFormat
    image: bytes | None = None
    warnings: list[str] = field(default_factory=list)


class CardProblem(ValueError):
    """Why card bytes cannot be imported; the caller adds the file name."""


def read_card(path: Path, limits: CardLimits = DEFAULT_LIMITS) -> ImportedCard:
    """Read and decode the card file at `path`; problems raise `InputError` naming the file."""
    try:
        size = path.stat().st_size
        if size > limits.file_bytes:
            raise InputError(
                f"{path}: the file has {size} bytes; cards over {limits.file_bytes} are refused"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory, not a card file") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the file ({error.strerror or error})") from None
    return decode_card(data, str(path), limits)


def decode_card(data: bytes, source: str, limits: CardLimits = DEFAULT_LIMITS) -> ImportedCard:
    """Decode card bytes; `source` names them in error messages."""
    try:
        return _decode(data, limits)
    except (CardProblem, CardFieldError, NotACardError, PngChunkError) as problem:
        raise InputError(f"{source}: {problem}") from None


def _decode(data: bytes, limits: CardLimits) -> ImportedCard:
    if len(data) > limits.file_bytes:
        raise CardProblem(f"the card has {len(data)} bytes; over {limits.file_bytes} is refused")
    if data.startswith(PNG_SIGNATURE):
        return _from_png(data, limits)
    if data.startswith(ZIP_SIGNATURES):
        return _from_charx(data, limits)
    if data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{"):
        decoded = persona_from_card(parse_json(data, limits))
        return ImportedCard(decoded.persona, "json", warnings=decoded.warnings)
    if not data.strip():
        raise CardProblem("the file is empty")
    raise CardProblem("not a character card: expected a PNG, a JSON object or a CHARX (zip) file")


# --- PNG ------------------------------------------------------------------------------------------


def _from_png(data: bytes, limits: CardLimits) -> ImportedCard:
    chunks = read_chunks(data)
    by_keyword: dict[str, TextChunk] = {}
    for chunk in text_chunks(chunks):
        by_keyword.setdefault(chunk.keyword.lower(), chunk)
    found = [by_keyword[keyword] for keyword in CARD_KEYWORDS if keyword in by_keyword]
    if not found:
        raise CardProblem(
            "this PNG holds no character card (no tEXt, zTXt or iTXt chunk named 'chara' or 'ccv3')"
        )
    warnings: list[str] = []
    first_problem: Exception | None = None
    for chunk in found:
        try:
            decoded = persona_from_card(_chunk_json(chunk, limits))
        except (CardProblem, CardFieldError, NotACardError, PngChunkError) as problem:
            first_problem = first_problem or problem
            warnings.append(f"the {chunk.keyword!r} chunk cannot be read ({problem})")
            continue
        image = with_text_chunks(chunks, [], drop=set(CARD_KEYWORDS))
        return ImportedCard(decoded.persona, "png", image, warnings + decoded.warnings)
    assert first_problem is not None
    if len(found) == 1:
        raise CardProblem(f"the {found[0].keyword!r} chunk: {first_problem}")
    raise CardProblem(
        f"neither card chunk can be read; the {found[0].keyword!r} chunk: {first_problem}"
    )


def _chunk_json(chunk: TextChunk, limits: CardLimits) -> Any:
    encoded_limit = limits.payload_bytes * 4 // 3 + 4
    text = chunk.decode(encoded_limit).strip()
    if text.startswith("{"):  # some writers store the JSON itself rather than base64
        return parse_json(text.encode("utf-8"), limits)
    if len(text) > encoded_limit:
        raise CardProblem(
            f"the card payload has {len(text)} characters; over {encoded_limit} is refused"
        )
    return parse_json(_base64(text), limits)


def _base64(text: str) -> bytes:
    compact = "".join(text.split())
    if not compact:
        raise CardProblem("the card chunk is empty")
    padded = compact + "=" * (-len(compact) % 4)
    alphabet = b"-_" if ("-" in compact or "_" in compact) else b"+/"
    try:
        return base64.b64decode(padded.encode("ascii"), altchars=alphabet, validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CardProblem("the card chunk is not valid base64") from None


# --- CHARX ----------------------------------------------------------------------------------------


def _from_charx(data: bytes, limits: CardLimits) -> ImportedCard:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = archive.infolist()
            if len(members) > limits.zip_entries:
                raise CardProblem(
                    f"the CHARX holds {len(members)} files; over {limits.zip_entries} is refused"
                )
            names = {info.filename: info for info in members}
            card_info = names.get("card.json")
            if card_info is None:
                raise CardProblem("this zip is not a CHARX card: no card.json at its root")
            raw = parse_json(_read_member(archive, card_info, limits.payload_bytes), limits)
            decoded = persona_from_card(raw)
            image, note = _charx_icon(archive, names, decoded, limits)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error) as error:
        raise CardProblem(f"damaged CHARX (zip) file: {error}") from None
    except (NotImplementedError, RuntimeError) as error:
        raise CardProblem(f"unsupported CHARX (zip) file: {error}") from None
    warnings = decoded.warnings + ([note] if note else [])
    return ImportedCard(decoded.persona, "charx", image, warnings)


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limit: int) -> bytes:
    if info.file_size > limit:
        raise CardProblem(
            f"{info.filename} in the CHARX has {info.file_size} bytes; over {limit} is refused"
        )
    if info.flag_bits & 0x1:
        raise CardProblem(f"{info.filename} in the CHARX is encrypted")
    return archive.read(info)


def _charx_icon(
    archive: zipfile.ZipFile,
    names: dict[str, zipfile.ZipInfo],
    decoded: DecodedCard,
    limits: CardLimits,
) -> tuple[bytes | None, str | None]:
    """The card's main icon when it is an embedded PNG; other assets stay listed in the profile
    (their `embeded://` files are not copied)."""
    icons = [asset for asset in decoded.persona.profile.assets if asset.get("type") == "icon"]
    icons.sort(key=lambda asset: asset.get("name") != "main")
    for asset in icons:
        uri = asset.get("uri")
        if not isinstance(uri, str) or not uri.startswith("embeded://"):
            continue
        info = names.get(uri.removeprefix("embeded://"))
        if info is None:
            return None, f"the icon {uri} is missing from the CHARX"
        image = _read_member(archive, info, limits.image_bytes)
        if not image.startswith(PNG_SIGNATURE):
            return None, f"the icon {uri} is not a PNG; a PNG export will use a placeholder"
        return with_text_chunks(read_chunks(image), [], drop=set(CARD_KEYWORDS)), None
    return None, None


# --- JSON -----------------------------------------------------------------------------------------


def parse_json(data: bytes, limits: CardLimits = DEFAULT_LIMITS) -> Any:
    """Strict JSON from untrusted bytes: UTF-8, no NaN/Infinity, bounded size and depth."""
    if len(data) > limits.payload_bytes:
        raise CardProblem(
            f"the card JSON has {len(data)} bytes; over {limits.payload_bytes} is refused"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise CardProblem("the card JSON is not UTF-8 text") from None
    try:
        return json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as error:
        raise CardProblem(
            f"the card is not valid JSON: {error.msg} at line {error.lineno}, column {error.colno}"
        ) from None
    except RecursionError:
        raise CardProblem("the card JSON is nested too deeply") from None


def _refuse_constant(name: str) -> Any:
    raise CardProblem(f"the card JSON contains {name}, which JSON does not allow")
