"""Lenient, typed reading of card JSON values, for the oddities of real cards.

Real cards carry numbers as strings ("0.5"), tags as one comma-separated string, `null` for
missing text and dates in half a dozen formats. These readers accept what means the same and
raise `CardFieldError` (with the JSON path) for what is plainly the wrong type.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

Number = int | float
MAX_NESTING = 100


class CardFieldError(ValueError):
    """A card field has a value of the wrong type; `path` says which field (e.g. data.tags)."""

    def __init__(self, path: str, problem: str) -> None:
        super().__init__(f"field {path}: {problem}")
        self.path = path
        self.problem = problem


def text(value: Any, path: str, default: str = "") -> str:
    if value is None:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    raise CardFieldError(path, f"expected text, got {_kind(value)}")


def optional_text(value: Any, path: str) -> str | None:
    return None if value is None else text(value, path)


def text_list(value: Any, path: str) -> list[str]:
    """A list of strings; one string becomes its comma-separated parts."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list):
        return [text(item, f"{path}[{i}]") for i, item in enumerate(value) if item is not None]
    raise CardFieldError(path, f"expected a list of text, got {_kind(value)}")


def number(value: Any, path: str, default: Number) -> Number:
    found = optional_number(value, path)
    return default if found is None else found


def optional_number(value: Any, path: str) -> Number | None:
    if value is None:
        return None
    if isinstance(value, bool):
        raise CardFieldError(path, "expected a number, got true/false")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise CardFieldError(path, "expected a finite number")
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return None
        try:
            return int(stripped)
        except ValueError:
            pass
        try:
            parsed = float(stripped)
        except ValueError:
            raise CardFieldError(path, f"expected a number, got {value[:40]!r}") from None
        return optional_number(parsed, path)
    raise CardFieldError(path, f"expected a number, got {_kind(value)}")


def optional_int(value: Any, path: str, minimum: int | None = None) -> int | None:
    found = optional_number(value, path)
    if found is None:
        return None
    if isinstance(found, float):
        raise CardFieldError(path, f"expected a whole number, got {found}")
    if minimum is not None and found < minimum:
        raise CardFieldError(path, f"expected {minimum} or more, got {found}")
    return found


_TRUE = {"true", "yes", "1", "on"}
_FALSE = {"false", "no", "0", "off", ""}


def boolean(value: Any, path: str, default: bool) -> bool:
    found = optional_boolean(value, path)
    return default if found is None else found


def optional_boolean(value: Any, path: str) -> bool | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise CardFieldError(path, f"expected true or false, got {_kind(value)}")


def mapping(value: Any, path: str) -> dict[str, Any]:
    if value is None:
        return {}
    if isinstance(value, dict):
        return value
    raise CardFieldError(path, f"expected an object, got {_kind(value)}")


def mapping_list(value: Any, path: str) -> list[dict[str, Any]]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise CardFieldError(path, f"expected a list of objects, got {_kind(value)}")
    return [mapping(item, f"{path}[{i}]") for i, item in enumerate(value) if item is not None]


def text_mapping(value: Any, path: str) -> dict[str, str]:
    return {str(key): text(item, f"{path}.{key}") for key, item in mapping(value, path).items()}


_SILLYTAVERN_DATE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})\s*@\s*(\d{1,2})h\s*(\d{1,2})m\s*(\d{1,2})s(?:\s*(\d{1,3})ms)?$"
)
MILLISECONDS_THRESHOLD = 100_000_000_000  # a Unix time above this is in milliseconds


def timestamp(value: Any) -> Number | None:
    """Unix seconds from what cards put in date fields; a date that cannot be read is `None`
    (dates never make an import fail)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        if not math.isfinite(value) or value < 0:
            return None
        seconds = value / 1000 if value > MILLISECONDS_THRESHOLD else value
        if seconds > MILLISECONDS_THRESHOLD:
            # Too large even as milliseconds: written back in seconds it would read as
            # milliseconds again, so it is no date personae can carry.
            return None
        return int(seconds) if float(seconds).is_integer() else seconds
    if not isinstance(value, str):
        return None
    stripped = value.strip()
    try:
        return timestamp(float(stripped))
    except ValueError:
        pass
    found = _SILLYTAVERN_DATE.match(stripped)
    if found:
        year, month, day, hour, minute, second = (int(part) for part in found.groups()[:6])
        try:
            moment = datetime(year, month, day, hour, minute, second, tzinfo=UTC)
        except ValueError:
            return None
        return int(moment.timestamp())
    try:
        moment = datetime.fromisoformat(stripped.replace("Z", "+00:00"))
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return int(moment.timestamp())


def check_nesting(value: Any, path: str, limit: int = MAX_NESTING) -> None:
    """Refuse JSON nested deeper than `limit` (it would overflow writers and validators)."""
    stack: list[tuple[Any, int]] = [(value, 0)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            raise CardFieldError(path, f"nested more than {limit} levels deep")
        children: Iterable[Any] = ()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        stack.extend((child, depth + 1) for child in children)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"text {value[:40]!r}"
    if isinstance(value, int | float):
        return f"the number {value}"
    return type(value).__name__
