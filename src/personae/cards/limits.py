"""Size limits for untrusted card files: what a real card needs, with room, and no more."""

from __future__ import annotations

from dataclasses import dataclass

MIB = 1024 * 1024


@dataclass(frozen=True)
class CardLimits:
    """Bytes a card may take at each stage; larger input is refused with an `InputError`."""

    file_bytes: int = 64 * MIB  # the whole PNG, JSON or CHARX file
    payload_bytes: int = 16 * MIB  # the card JSON once decoded (real cards with books: < 5 MiB)
    image_bytes: int = 48 * MIB  # an avatar image kept from a CHARX
    zip_entries: int = 10_000  # files inside a CHARX


DEFAULT_LIMITS = CardLimits()
