"""Why a backend could not answer, split by what the retry wrapper should do about it."""

from __future__ import annotations

from personae.errors import InputError, PersonaeError


class BackendError(PersonaeError):
    """A backend could not answer. `reason` is a short machine-readable word for reports."""

    def __init__(self, message: str, *, reason: str, attempts: int = 1) -> None:
        super().__init__(message)
        self.reason = reason
        self.attempts = attempts


class TransientBackendError(BackendError):
    """Worth trying again: rate limited (429), server error (5xx), timeout, dropped connection,
    a malformed or truncated body, a stalled stream. `retry_after_s` is the server's Retry-After."""

    def __init__(
        self,
        message: str,
        *,
        reason: str,
        retry_after_s: float | None = None,
        attempts: int = 1,
    ) -> None:
        super().__init__(message, reason=reason, attempts=attempts)
        self.retry_after_s = retry_after_s


class PermanentBackendError(BackendError):
    """Trying again cannot help: bad credentials, a rejected request, an unknown model."""


class LLMConfigError(InputError):
    """A backend spec or LLM setting the user gave is wrong; the message says where and how."""


class ModelFileError(LLMConfigError):
    """A GGUF model file is missing or unreadable."""
