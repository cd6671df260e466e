"""A lorebook: entries of world knowledge that enter the prompt when their keys come up.

One shape for the three formats personae reads (the character book of V2/V3 cards, V3's standalone
`lorebook_v3`, SillyTavern World Info). Fields a format has and personae does not model stay in
`extra` (entry or book level) and `extensions`, so a lorebook is written back without loss.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class SelectiveLogic(StrEnum):
    """How an entry's secondary keys combine with a primary key match (SillyTavern's four)."""

    AND_ANY = "and_any"  # a primary key and at least one secondary key
    NOT_ALL = "not_all"  # a primary key and not every secondary key
    NOT_ANY = "not_any"  # a primary key and no secondary key
    AND_ALL = "and_all"  # a primary key and every secondary key


class LorePosition(StrEnum):
    """Where an activated entry goes relative to the character definition."""

    BEFORE_CHAR = "before_char"
    AFTER_CHAR = "after_char"


Number = int | float


class LoreEntry(BaseModel):
    """One lorebook entry. `None` in an optional setting means "the lorebook's default"."""

    model_config = ConfigDict(extra="forbid")

    keys: list[str] = Field(default_factory=list)
    secondary_keys: list[str] = Field(default_factory=list)
    content: str = ""
    enabled: bool = True
    constant: bool = False
    selective: bool = False
    selective_logic: SelectiveLogic = SelectiveLogic.AND_ANY
    case_sensitive: bool | None = None
    match_whole_words: bool | None = None
    use_regex: bool = False
    insertion_order: Number = 100
    priority: Number | None = None
    probability: Number = Field(100, ge=0, le=100, description="percent chance once matched")
    scan_depth: int | None = Field(None, ge=0, description="messages scanned; None: the book's")
    exclude_recursion: bool = False
    prevent_recursion: bool = False
    position: LorePosition = LorePosition.BEFORE_CHAR
    name: str | None = None
    comment: str | None = None
    id: int | str | None = None
    extensions: dict[str, Any] = Field(default_factory=dict)
    extra: dict[str, Any] = Field(
        default_factory=dict, description="fields of the source format personae does not model"
    )

    def label(self) -> str:
        """A short human name: the entry's name, comment, id or first key."""
        for candidate in (self.name, self.comment):
            if candidate:
                return candidate
        if self.id is not None:
            return f"#{self.id}"
        return self.keys[0] if self.keys else "(no keys)"


class Lorebook(BaseModel):
    """A set of entries plus book-wide scanning settings."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    description: str | None = None
    scan_depth: int | None = Field(None, ge=0)
    token_budget: int | None = Field(None, ge=0)
    recursive_scanning: bool | None = None
    extensions: dict[str, Any] = Field(default_factory=dict)
    entries: list[LoreEntry] = Field(default_factory=list)
    extra: dict[str, Any] = Field(default_factory=dict)
