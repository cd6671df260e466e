"""Read a YAML file and remember where each value stood, so errors can name the line."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from personae.errors import InputError

Location = tuple[int | str, ...]


@dataclass(frozen=True)
class YamlSource:
    """Parsed YAML data plus the 1-based line of every mapping key and sequence item."""

    path: Path
    data: Any
    lines: dict[Location, int]

    def line_of(self, location: Sequence[int | str]) -> int | None:
        """The line of the deepest known prefix of `location` (pydantic error locations may go
        deeper than the YAML, e.g. into a validator)."""
        loc = tuple(location)
        while loc:
            if loc in self.lines:
                return self.lines[loc]
            loc = loc[:-1]
        return None

    def where(self, location: Sequence[int | str]) -> str:
        line = self.line_of(location)
        return f"{self.path}:{line}" if line is not None else str(self.path)


def read_yaml(path: Path) -> YamlSource:
    """Parse `path`; an unreadable file or broken YAML raises `InputError` naming file and line."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except (OSError, UnicodeDecodeError) as error:
        raise InputError(f"{path}: cannot read the file ({error})") from None
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"{path}:{mark.line + 1}" if mark is not None else str(path)
        problem = getattr(error, "problem", None) or str(error)
        raise InputError(f"{where}: not valid YAML: {problem}") from None
    lines: dict[Location, int] = {}
    if node is not None:
        _index(node, (), lines)
    return YamlSource(path=path, data=data, lines=lines)


def _index(node: yaml.Node, location: Location, lines: dict[Location, int]) -> None:
    lines[location] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            child = (*location, key)
            _index(value_node, child, lines)
            lines[child] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for position, item in enumerate(node.value):
            _index(item, (*location, position), lines)


M = TypeVar("M", bound=BaseModel)
Describe = Callable[[Location, Any], str]


# Enough to fix a file in one go, few enough to read: the rest are counted.
SHOWN_PROBLEMS = 20


def validate(model: type[M], source: YamlSource, describe: Describe | None = None) -> M:
    """Validate the whole file as `model`; its problems become one `InputError`, a line each
    ("file:line: subject: what is wrong"), in the order they appear in the file.

    `describe(location, data)` may turn a location into words such as "persona 'king'".
    """
    try:
        return model.model_validate(source.data)
    except ValidationError as error:
        problems = error.errors(include_url=False)
        lines = sorted(
            (source.line_of(tuple(problem["loc"])) or 0, n, _problem(problem, source, describe))
            for n, problem in enumerate(problems)
        )
        shown = [text for _, _, text in lines[:SHOWN_PROBLEMS]]
        if len(lines) > SHOWN_PROBLEMS:
            shown.append(f"(and {len(lines) - SHOWN_PROBLEMS} more problems)")
        raise InputError("\n".join(shown)) from None


def _problem(problem: Any, source: YamlSource, describe: Describe | None) -> str:
    location = tuple(problem["loc"])
    subject = describe(location, source.data) if describe else _dotted(location)
    got = f" (got {problem['input']!r})" if _is_scalar(problem.get("input")) else ""
    message = problem["msg"].removeprefix("Value error, ")
    return f"{source.where(location)}: {subject}: {message}{got}"


def _dotted(location: Location) -> str:
    return "field " + ".".join(str(part) for part in location) if location else "the file"


def _is_scalar(value: object) -> bool:
    return isinstance(value, str | int | float | bool) and len(repr(value)) <= 80
