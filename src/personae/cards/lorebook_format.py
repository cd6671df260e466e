"""Lorebooks read and written: the V2/V3 character book, V3 `lorebook_v3`, SillyTavern World Info.

SillyTavern keeps settings the card specs lack (probability, selective logic, whole words, scan
depth, recursion flags) in each entry's `extensions` under its own names. They are read into
`LoreEntry`'s typed fields, taken out of `extensions`, and written back there on export, so a
book survives import -> export -> import unchanged, and SillyTavern still reads the export.
"""

from __future__ import annotations

from typing import Any

from personae.cards import coerce
from personae.cards.coerce import CardFieldError
from personae.domain.lorebook import Lorebook, LoreEntry, LorePosition, SelectiveLogic

LOGIC_BY_CODE = {
    0: SelectiveLogic.AND_ANY,
    1: SelectiveLogic.NOT_ALL,
    2: SelectiveLogic.NOT_ANY,
    3: SelectiveLogic.AND_ALL,
}
CODE_BY_LOGIC = {logic: code for code, logic in LOGIC_BY_CODE.items()}

_CARD_ENTRY_FIELDS = {
    "keys", "secondary_keys", "content", "enabled", "insertion_order", "case_sensitive",
    "use_regex", "constant", "name", "priority", "id", "comment", "selective", "position",
    "extensions", "selectiveLogic",
}  # fmt: skip
_BOOK_FIELDS = {
    "name", "description", "scan_depth", "token_budget", "recursive_scanning", "extensions",
    "entries",
}  # fmt: skip
_WORLD_INFO_ENTRY_FIELDS = {
    "uid", "key", "keysecondary", "comment", "content", "constant", "selective",
    "selectiveLogic", "order", "position", "disable", "probability", "useProbability",
    "caseSensitive", "matchWholeWords", "scanDepth", "excludeRecursion", "preventRecursion",
}  # fmt: skip


# --- character book (V2/V3) and lorebook_v3 ------------------------------------------------------


def book_from_card(raw: Any, path: str) -> Lorebook:
    """A card's `character_book` (or a `lorebook_v3`'s `data`) as a `Lorebook`."""
    book = coerce.mapping(raw, path)
    entries = coerce.mapping_list(book.get("entries"), f"{path}.entries")
    return Lorebook(
        name=coerce.optional_text(book.get("name"), f"{path}.name"),
        description=coerce.optional_text(book.get("description"), f"{path}.description"),
        scan_depth=coerce.optional_int(book.get("scan_depth"), f"{path}.scan_depth", 0),
        token_budget=coerce.optional_int(book.get("token_budget"), f"{path}.token_budget", 0),
        recursive_scanning=coerce.optional_boolean(
            book.get("recursive_scanning"), f"{path}.recursive_scanning"
        ),
        extensions=dict(coerce.mapping(book.get("extensions"), f"{path}.extensions")),
        entries=[
            _entry_from_card(entry, f"{path}.entries[{i}]") for i, entry in enumerate(entries)
        ],
        extra={key: value for key, value in book.items() if key not in _BOOK_FIELDS},
    )


def _entry_from_card(entry: dict[str, Any], path: str) -> LoreEntry:
    ext = dict(coerce.mapping(entry.get("extensions"), f"{path}.extensions"))
    ext_path = f"{path}.extensions"
    position = _position(entry.get("position"), ext, ext_path)
    logic_value = ext.pop("selectiveLogic", entry.get("selectiveLogic"))
    probability, use_probability = ext.pop("probability", None), ext.pop("useProbability", None)
    case_sensitive = coerce.optional_boolean(entry.get("case_sensitive"), f"{path}.case_sensitive")
    ext_case = coerce.optional_boolean(
        ext.pop("case_sensitive", None), f"{ext_path}.case_sensitive"
    )
    return LoreEntry(
        keys=coerce.text_list(entry.get("keys"), f"{path}.keys"),
        secondary_keys=coerce.text_list(entry.get("secondary_keys"), f"{path}.secondary_keys"),
        content=coerce.text(entry.get("content"), f"{path}.content"),
        enabled=coerce.boolean(entry.get("enabled"), f"{path}.enabled", True),
        constant=coerce.boolean(entry.get("constant"), f"{path}.constant", False),
        selective=coerce.boolean(entry.get("selective"), f"{path}.selective", False),
        selective_logic=_logic(logic_value, f"{ext_path}.selectiveLogic"),
        case_sensitive=case_sensitive if case_sensitive is not None else ext_case,
        match_whole_words=coerce.optional_boolean(
            ext.pop("match_whole_words", None), f"{ext_path}.match_whole_words"
        ),
        use_regex=coerce.boolean(entry.get("use_regex"), f"{path}.use_regex", False),
        insertion_order=coerce.number(entry.get("insertion_order"), f"{path}.insertion_order", 100),
        priority=coerce.optional_number(entry.get("priority"), f"{path}.priority"),
        probability=_probability(probability, use_probability, ext_path),
        scan_depth=coerce.optional_int(ext.pop("scan_depth", None), f"{ext_path}.scan_depth", 0),
        exclude_recursion=coerce.boolean(
            ext.pop("exclude_recursion", None), f"{ext_path}.exclude_recursion", False
        ),
        prevent_recursion=coerce.boolean(
            ext.pop("prevent_recursion", None), f"{ext_path}.prevent_recursion", False
        ),
        position=position,
        name=coerce.optional_text(entry.get("name"), f"{path}.name"),
        comment=coerce.optional_text(entry.get("comment"), f"{path}.comment"),
        id=_entry_id(entry.get("id"), f"{path}.id"),
        extensions=ext,
        extra={key: value for key, value in entry.items() if key not in _CARD_ENTRY_FIELDS},
    )


def book_to_card(book: Lorebook, v3: bool) -> dict[str, Any]:
    """The `character_book` object of a V2 (`v3=False`) or V3 card, or a `lorebook_v3`'s data."""
    out: dict[str, Any] = dict(book.extra)
    for key in ("name", "description", "scan_depth", "token_budget", "recursive_scanning"):
        value = getattr(book, key)
        if value is not None:
            out[key] = value
    out["extensions"] = dict(book.extensions)
    out["entries"] = [_entry_to_card(entry, v3) for entry in book.entries]
    return out


def _entry_to_card(entry: LoreEntry, v3: bool) -> dict[str, Any]:
    out: dict[str, Any] = dict(entry.extra)
    out.update(
        keys=list(entry.keys),
        content=entry.content,
        enabled=entry.enabled,
        insertion_order=entry.insertion_order,
        constant=entry.constant,
        selective=entry.selective,
        secondary_keys=list(entry.secondary_keys),
        position=entry.position.value,
    )
    if v3 or entry.use_regex:
        out["use_regex"] = entry.use_regex
    for key in ("case_sensitive", "name", "priority", "id", "comment"):
        value = getattr(entry, key)
        if value is not None:
            out[key] = value
    ext = dict(entry.extensions)
    ext.setdefault("position", 0 if entry.position is LorePosition.BEFORE_CHAR else 1)
    ext.update(
        selectiveLogic=CODE_BY_LOGIC[entry.selective_logic],
        probability=entry.probability,
        useProbability=True,
        exclude_recursion=entry.exclude_recursion,
        prevent_recursion=entry.prevent_recursion,
    )
    optional_ext = {
        "scan_depth": entry.scan_depth,
        "case_sensitive": entry.case_sensitive,
        "match_whole_words": entry.match_whole_words,
    }
    ext.update({key: value for key, value in optional_ext.items() if value is not None})
    out["extensions"] = ext
    return out


def lorebook_v3_json(book: Lorebook) -> dict[str, Any]:
    """A standalone V3 lorebook file."""
    return {"spec": "lorebook_v3", "data": book_to_card(book, v3=True)}


# --- SillyTavern World Info -----------------------------------------------------------------------


def book_from_world_info(raw: dict[str, Any], path: str) -> Lorebook:
    """A SillyTavern World Info export: `entries` keyed by uid, with `key` / `keysecondary`."""
    entries_raw = raw.get("entries")
    if isinstance(entries_raw, dict):
        items = [(f"{path}.entries.{uid}", value) for uid, value in entries_raw.items()]
    elif isinstance(entries_raw, list):
        items = [(f"{path}.entries[{i}]", value) for i, value in enumerate(entries_raw)]
    else:
        raise CardFieldError(f"{path}.entries", "expected an object of entries keyed by uid")
    entries = [
        _entry_from_world_info(coerce.mapping(value, where), where)
        for where, value in items
        if value is not None
    ]
    return Lorebook(
        name=coerce.optional_text(raw.get("name"), f"{path}.name"),
        description=coerce.optional_text(raw.get("description"), f"{path}.description"),
        extensions=dict(coerce.mapping(raw.get("extensions"), f"{path}.extensions")),
        entries=entries,
        extra={
            key: value
            for key, value in raw.items()
            if key not in {"entries", "name", "description", "extensions"}
        },
    )


def _entry_from_world_info(entry: dict[str, Any], path: str) -> LoreEntry:
    position_code = coerce.optional_int(entry.get("position"), f"{path}.position")
    extra = {key: value for key, value in entry.items() if key not in _WORLD_INFO_ENTRY_FIELDS}
    if position_code not in (None, 0, 1):
        extra["position"] = position_code  # author's note / depth positions: kept, not modelled
    return LoreEntry(
        keys=coerce.text_list(entry.get("key"), f"{path}.key"),
        secondary_keys=coerce.text_list(entry.get("keysecondary"), f"{path}.keysecondary"),
        content=coerce.text(entry.get("content"), f"{path}.content"),
        enabled=not coerce.boolean(entry.get("disable"), f"{path}.disable", False),
        constant=coerce.boolean(entry.get("constant"), f"{path}.constant", False),
        selective=coerce.boolean(entry.get("selective"), f"{path}.selective", False),
        selective_logic=_logic(entry.get("selectiveLogic"), f"{path}.selectiveLogic"),
        case_sensitive=coerce.optional_boolean(entry.get("caseSensitive"), f"{path}.caseSensitive"),
        match_whole_words=coerce.optional_boolean(
            entry.get("matchWholeWords"), f"{path}.matchWholeWords"
        ),
        insertion_order=coerce.number(entry.get("order"), f"{path}.order", 100),
        probability=_probability(entry.get("probability"), entry.get("useProbability"), path),
        scan_depth=coerce.optional_int(entry.get("scanDepth"), f"{path}.scanDepth", 0),
        exclude_recursion=coerce.boolean(
            entry.get("excludeRecursion"), f"{path}.excludeRecursion", False
        ),
        prevent_recursion=coerce.boolean(
            entry.get("preventRecursion"), f"{path}.preventRecursion", False
        ),
        position=LorePosition.AFTER_CHAR if position_code == 1 else LorePosition.BEFORE_CHAR,
        comment=coerce.optional_text(entry.get("comment"), f"{path}.comment"),
        id=_entry_id(entry.get("uid"), f"{path}.uid"),
        extra=extra,
    )


# --- shared field readers -------------------------------------------------------------------------


def _position(value: Any, ext: dict[str, Any], ext_path: str) -> LorePosition:
    """The entry's position: SillyTavern's numeric `extensions.position` when it is before (0) or
    after (1), else the spec's 'before_char' / 'after_char'. Other numeric positions stay in
    `extensions` for SillyTavern."""
    code = ext.get("position")
    if isinstance(code, int | float | str) and not isinstance(code, bool):
        number = coerce.optional_int(code, f"{ext_path}.position")
        if number in (0, 1):
            del ext["position"]
            return LorePosition.BEFORE_CHAR if number == 0 else LorePosition.AFTER_CHAR
    if value in ("after_char", 1):
        return LorePosition.AFTER_CHAR
    return LorePosition.BEFORE_CHAR


def _logic(value: Any, path: str) -> SelectiveLogic:
    if value is None or value == "":
        return SelectiveLogic.AND_ANY
    if isinstance(value, str) and value.strip().lower() in SelectiveLogic._value2member_map_:
        return SelectiveLogic(value.strip().lower())
    code = coerce.optional_int(value, path)
    if code not in LOGIC_BY_CODE:
        raise CardFieldError(path, f"expected 0-3 (AND ANY, NOT ALL, NOT ANY, AND ALL), got {code}")
    return LOGIC_BY_CODE[code]


def _probability(value: Any, use_probability: Any, path: str) -> int | float:
    if not coerce.boolean(use_probability, f"{path}.useProbability", True):
        return 100
    found = coerce.number(value, f"{path}.probability", 100)
    return min(100, max(0, found))


def _entry_id(value: Any, path: str) -> int | str | None:
    if value is None or isinstance(value, str):
        return value
    found = coerce.optional_number(value, path)
    if isinstance(found, float):
        raise CardFieldError(path, f"expected a whole number or text, got {found}")
    return found
