"""How JSON columns are written and read: orjson, on both the SQLAlchemy path and the driver's.

A committed turn carries three JSON columns (listeners, scores, quality); the standard library's
encoder spent more time on them than SQLite took to insert the row. Both paths share these two
functions, so a value is stored in one form whichever path wrote it.
"""

from __future__ import annotations

from typing import Any

import orjson

# Non-string keys (an int persona index, say) become strings, as `json.dumps` makes them.
_OPTIONS = orjson.OPT_NON_STR_KEYS


def dumps(value: Any) -> str:
    return orjson.dumps(value, option=_OPTIONS).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)
