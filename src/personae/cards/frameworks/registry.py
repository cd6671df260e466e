"""Loading frameworks: the four that ship with personae, plus a user's own JSON files."""

from __future__ import annotations

import json
from collections.abc import Iterable
from importlib import resources
from pathlib import Path

from pydantic import ValidationError

from personae.cards.frameworks.model import Framework
from personae.errors import InputError

BUILTIN_FRAMEWORKS = ("assistant", "caring", "chaotic", "neuro")
DEFAULT_FRAMEWORK = "neuro"  # seed 001's fallback when a character names none


def parse_framework(text: str, source: str) -> Framework:
    """One framework from JSON text; `source` names it in errors."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InputError(f"{source}:{error.lineno}: not valid JSON: {error.msg}") from None
    try:
        return Framework.model_validate(data)
    except ValidationError as error:
        first = error.errors(include_url=False)[0]
        field = ".".join(str(part) for part in first["loc"]) or "the framework"
        more = f" (and {error.error_count() - 1} more problems)" if error.error_count() > 1 else ""
        raise InputError(f"{source}: field {field}: {first['msg']}{more}") from None


def builtin_frameworks() -> dict[str, Framework]:
    """The frameworks shipped as package data (`personae/data/frameworks/*.json`)."""
    folder = resources.files("personae") / "data" / "frameworks"
    found: dict[str, Framework] = {}
    for name in BUILTIN_FRAMEWORKS:
        item = folder / f"{name}.json"
        framework = parse_framework(item.read_text(encoding="utf-8"), f"personae:{name}.json")
        found[framework.framework_id] = framework
    return found


def load_frameworks(directories: Iterable[Path] = ()) -> dict[str, Framework]:
    """The built-in frameworks, overridden and extended by `*.json` files in `directories`."""
    found = builtin_frameworks()
    for directory in directories:
        if not directory.is_dir():
            continue
        for path in sorted(directory.glob("*.json")):
            try:
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as error:
                raise InputError(f"{path}: cannot read the framework ({error})") from None
            framework = parse_framework(text, str(path))
            found[framework.framework_id] = framework
    return found
