"""Card macros: `{{char}}`, `{{user}}`, `{{original}}` and their older spellings.

Matched case-insensitively (V3 spec). `{{char}}` is the nickname when the card sets one. `<BOT>`
and `<USER>` are the V1-era spellings still found in cards. `{{// note}}` is a comment and
disappears.
"""

from __future__ import annotations

import re

_MACRO = re.compile(
    r"\{\{\s*(char|user|original)\s*\}\}|<(bot|char|user)>|\{\{//.*?\}\}",
    re.IGNORECASE | re.DOTALL,
)


def render_macros(text: str, char: str, user: str, original: str | None = None) -> str:
    """`text` with every macro replaced; `{{original}}` stays as is when `original` is None."""

    def replace(found: re.Match[str]) -> str:
        name = (found.group(1) or found.group(2) or "").lower()
        if name in ("char", "bot"):
            return char
        if name == "user":
            return user
        if name == "original":
            return found.group(0) if original is None else original
        return ""  # a {{// comment}}

    return _MACRO.sub(replace, text)


def has_original(text: str) -> bool:
    return re.search(r"\{\{\s*original\s*\}\}", text, re.IGNORECASE) is not None
