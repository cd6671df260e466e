"""Builders for the cards tests: the real fixture cards, tiny PNGs and small cards."""

from __future__ import annotations

import base64
import io
import json
import os
import zlib
from pathlib import Path
from typing import Any

import png

# The real-world cards and lorebooks live in ../shared/fixtures beside the repository (CI puts
# them there); PERSONAE_FIXTURES may point elsewhere. Without them these tests must fail, not
# quietly run on nothing.
FIXTURES = Path(
    os.environ.get("PERSONAE_FIXTURES", Path(__file__).resolve().parents[3] / "shared" / "fixtures")
)
FIXTURE_CARDS = sorted((FIXTURES / "cards").glob("*.png"))
ELDORIA = FIXTURES / "lorebooks" / "Eldoria.json"
if not FIXTURE_CARDS or not ELDORIA.is_file():
    raise RuntimeError(
        f"the fixture cards and lorebooks are missing from {FIXTURES}: put the project's shared/ "
        "folder beside the repository, or set PERSONAE_FIXTURES"
    )


def tiny_png(width: int = 2, height: int = 2) -> bytes:
    out = io.BytesIO()
    png.Writer(width=width, height=height, greyscale=False).write(
        out, [[10, 20, 30] * width for _ in range(height)]
    )
    return out.getvalue()


def chunk_body(chunk_type: str, keyword: str, text: str) -> bytes:
    key = keyword.encode("latin-1") + b"\0"
    if chunk_type == "tEXt":
        return key + text.encode("latin-1")
    if chunk_type == "zTXt":
        return key + b"\0" + zlib.compress(text.encode("latin-1"))
    return key + b"\0\0" + b"en\0" + b"\0" + text.encode("utf-8")  # iTXt, uncompressed


def png_with_chunks(chunks: list[tuple[str, str, str]], image: bytes | None = None) -> bytes:
    """A PNG with extra text chunks (type, keyword, text) before IEND."""
    base = list(png.Reader(bytes=image or tiny_png()).chunks())
    extra = [(t.encode("ascii"), chunk_body(t, k, v)) for t, k, v in chunks]
    out = io.BytesIO()
    png.write_chunks(out, [*base[:-1], *extra, base[-1]])
    return out.getvalue()


def b64(card: dict[str, Any]) -> str:
    return base64.b64encode(json.dumps(card).encode("utf-8")).decode("ascii")


def v2_card(name: str = "Aria", **data: Any) -> dict[str, Any]:
    return {
        "spec": "chara_card_v2",
        "spec_version": "2.0",
        "data": {
            "name": name,
            "description": "A bard.",
            "personality": "cheerful",
            "scenario": "",
            "first_mes": "Hello {{user}}!",
            "mes_example": "",
            "creator_notes": "",
            "system_prompt": "",
            "post_history_instructions": "",
            "alternate_greetings": [],
            "tags": [],
            "creator": "",
            "character_version": "",
            "extensions": {},
            **data,
        },
    }


def v3_card(name: str = "Aria", **data: Any) -> dict[str, Any]:
    card = v2_card(name, **data)
    card["spec"], card["spec_version"] = "chara_card_v3", "3.0"
    card["data"].setdefault("group_only_greetings", [])
    return card
