"""A reply to a JSON-schema request must at least parse as JSON; otherwise it is an error."""

from __future__ import annotations

import json

from personae.llm.errors import BackendError, PermanentBackendError, TransientBackendError
from personae.llm.types import ChatRequest


def check_json_reply(
    text: str, finish_reason: str | None, request: ChatRequest, where: str
) -> None:
    """Raise if `request` asked for JSON and `text` is not JSON.

    Cut off at max_tokens, the same call would be cut again: not worth a retry, so permanent (the
    fallback then answers with valid JSON). Otherwise the body was garbled: transient.
    """
    if request.json_schema is None:
        return
    try:
        json.loads(text)
    except ValueError as error:
        failure: BackendError
        if finish_reason == "length":
            failure = PermanentBackendError(
                f"{where} ran out of max_tokens ({request.max_tokens}) inside its JSON reply",
                reason="truncated",
            )
        else:
            failure = TransientBackendError(
                f"{where} answered a JSON request with text that is not JSON", reason="malformed"
            )
        raise failure from error
