"""A JSON document for a JSON schema, filled from the text of the request: the scripted backend's
answer to summarisation and fact-extraction requests, and the fallback's, so the layers above can
be tested offline. Deterministic for a given schema, text and generator.

Strings named like a summary get a condensed summary of the text; arrays get one item per
statement of the text (the "facts"); other strings get a statement or a keyword; numbers stay in
their bounds. Local `$ref`s (`#/$defs/...`, as pydantic writes them) are followed.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from typing import Any

from personae.llm.text import informative_sentences, keyword, seeded_rng

_SUMMARY_NAMES = ("summary", "summarization", "summarisation", "abstract", "gist", "synopsis")
_KEYWORD_NAMES = ("name", "title", "topic", "subject", "keyword", "label", "category", "entity")
_DEFAULT_MAX_ITEMS = 5
_SUMMARY_SENTENCES = 3
_MAX_DEPTH = 8


def json_for_schema(schema: Mapping[str, Any], text: str, rng: random.Random) -> Any:
    """A value that validates against `schema`, drawn from `text`."""
    return _Filler(schema, informative_sentences(text), text, rng).value(schema, "", None, 0)


class _Filler:
    def __init__(
        self, root: Mapping[str, Any], statements: Sequence[str], text: str, rng: random.Random
    ) -> None:
        self.root = root
        self.statements = list(statements)
        self.text = text
        self.rng = rng

    def resolve(self, schema: Mapping[str, Any]) -> Mapping[str, Any]:
        ref = schema.get("$ref")
        if not isinstance(ref, str) or not ref.startswith("#/"):
            return schema
        node: Any = self.root
        for part in ref[2:].split("/"):
            node = node.get(part, {}) if isinstance(node, Mapping) else {}
        return self.resolve(node) if isinstance(node, Mapping) else {}

    def value(self, schema: Mapping[str, Any], name: str, statement: str | None, depth: int) -> Any:
        schema = self.resolve(schema)
        if "const" in schema:
            return schema["const"]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self.rng.choice(schema["enum"])
        for combinator in ("anyOf", "oneOf", "allOf"):
            options = schema.get(combinator)
            if isinstance(options, list) and options:
                # An optional value (one of the options is null) is left out: a scripted answer
                # should not claim, say, that a new fact replaces a known one.
                if combinator != "allOf" and any(
                    self.resolve(o).get("type") == "null" for o in options
                ):
                    return None
                chosen = next((o for o in options if self.resolve(o).get("type") != "null"), None)
                return self.value(chosen or options[0], name, statement, depth)
        kind = schema.get("type")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "null")
        if kind is None:
            kind = (
                "object" if "properties" in schema else "array" if "items" in schema else "string"
            )
        if depth > _MAX_DEPTH:
            return {"object": {}, "array": []}.get(kind, self.scalar(kind, schema, name, None))
        if kind == "object":
            return self.object(schema, statement, depth)
        if kind == "array":
            return self.array(schema, name, depth)
        return self.scalar(kind, schema, name, statement)

    def object(
        self, schema: Mapping[str, Any], statement: str | None, depth: int
    ) -> dict[str, Any]:
        properties = schema.get("properties", {})
        return {
            prop: self.value(sub, prop, statement, depth + 1)
            for prop, sub in properties.items()
            if isinstance(sub, Mapping)
        }

    def array(self, schema: Mapping[str, Any], name: str, depth: int) -> list[Any]:
        items = schema.get("items", {})
        items = items if isinstance(items, Mapping) else {}
        low = int(schema.get("minItems", 0))
        high = int(schema.get("maxItems", max(low, _DEFAULT_MAX_ITEMS)))
        count = min(max(len(self.statements), low), high)
        pool = self.statements or [""]
        values = [
            self.value(items, singular(name), pool[i % len(pool)], depth + 1) for i in range(count)
        ]
        if schema.get("uniqueItems"):
            values = _unique(values, low)
        return values

    def scalar(self, kind: str, schema: Mapping[str, Any], name: str, statement: str | None) -> Any:
        if kind == "string":
            return self.string(schema, name, statement)
        if kind in ("integer", "number"):
            return self.number(kind, schema, statement or name)
        if kind == "boolean":
            return self.rng.random() < 0.5
        return None

    def string(self, schema: Mapping[str, Any], name: str, statement: str | None) -> str:
        lowered = name.lower()
        if any(hint in lowered for hint in _SUMMARY_NAMES):
            text = self.summary()
        elif any(hint in lowered for hint in _KEYWORD_NAMES):
            text = keyword(statement or self.text, "unknown")
        elif statement:
            text = statement
        else:
            text = self.statements[0] if self.statements else "nothing of note"
        low = int(schema.get("minLength", 0))
        high = schema.get("maxLength")
        if high is not None:
            text = text[: int(high)]
        return text.ljust(low, ".")

    def summary(self) -> str:
        picked = self.statements[:_SUMMARY_SENTENCES]
        if len(self.statements) > _SUMMARY_SENTENCES:
            picked.append(self.statements[-1])
        return " ".join(_end_sentence(s) for s in picked) if picked else "Nothing happened."

    def number(self, kind: str, schema: Mapping[str, Any], basis: str) -> int | float:
        low = float(schema.get("minimum", schema.get("exclusiveMinimum", -1.0) + 1.0))
        default_high = low + 10.0 if low > 0 else 10.0
        high = float(schema.get("maximum", schema.get("exclusiveMaximum", default_high + 1) - 1))
        high = max(high, low)
        # Stable in the statement, so the same fact always gets the same importance.
        share = seeded_rng(basis).random()
        if kind == "integer":
            return int(low + round(share * (high - low)))
        return round(low + share * (high - low), 3)


def singular(name: str) -> str:
    return name[:-1] if name.endswith("s") and len(name) > 1 else name


def _end_sentence(sentence: str) -> str:
    return sentence if sentence.endswith((".", "!", "?")) else sentence + "."


def _unique(values: list[Any], minimum: int) -> list[Any]:
    seen: list[Any] = []
    for value in values:
        if value not in seen:
            seen.append(value)
    while len(seen) < minimum:
        seen.append(f"{seen[-1] if seen else 'item'} ({len(seen) + 1})")
    return seen
