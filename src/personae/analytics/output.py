"""Writing a report file, with an error a user can act on when the path is not writable."""

from __future__ import annotations

from pathlib import Path

from personae.errors import InputError


class ReportWriteError(InputError):
    """A report could not be written where the user asked."""


def write_text(path: Path, text: str, what: str) -> Path:
    """Write `text` to `path` (creating its folders); `what` names the report in the error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as error:
        reason = error.strerror or str(error)
        raise ReportWriteError(
            f"cannot write the {what} to {path}: {reason}; choose a writable file path"
        ) from error
    return path
