"""Ask an LLM backend for a JSON document and validate it: an invalid answer is retried, then the
request is given up and logged. Memory never fails a conversation because a model misspoke."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from personae.llm.backend import Backend
from personae.llm.errors import BackendError
from personae.llm.types import ChatRequest

logger = logging.getLogger(__name__)

T = TypeVar("T")


class InvalidAnswerError(ValueError):
    """The answer parsed but says something impossible (a turn outside the window, ...)."""


@dataclass(frozen=True)
class JsonAnswer(Generic[T]):
    """`value` is the validated answer, or None when every attempt failed (`problems` says why,
    one entry per failed attempt). `calls` counts the backend calls made."""

    value: T | None
    calls: int
    problems: tuple[str, ...]


async def ask_json(
    backend: Backend,
    request: ChatRequest,
    parse: Callable[[str], T],
    *,
    retries: int,
    what: str,
) -> JsonAnswer[T]:
    """Call `backend` and `parse` its text (which raises `ValueError`, pydantic's
    `ValidationError` included, for an invalid answer), up to `retries` more times.

    A fallback line (the LLM stack's answer when no model could be reached) is not a model's
    judgement and counts as invalid; so does a `BackendError`. Failures are logged at WARNING
    with `what` (e.g. "fact extraction for conversation c1").
    """
    problems: list[str] = []
    calls = 0
    for _attempt in range(retries + 1):
        calls += 1
        try:
            response = await backend.complete(request)
        except BackendError as error:
            problems.append(f"backend failed: {error}")
            continue
        if response.is_fallback_line:
            problems.append(f"no model answered ({response.fallback_reason})")
            continue
        try:
            return JsonAnswer(parse(response.text), calls, tuple(problems))
        except ValueError as error:
            problems.append(f"invalid answer: {_first_line(str(error))}")
    logger.warning("%s skipped after %d calls: %s", what, calls, "; ".join(problems))
    return JsonAnswer(None, calls, tuple(problems))


def _first_line(text: str, limit: int = 300) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[: limit - 1] + "…"
