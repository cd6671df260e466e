"""Errors a user can cause. The CLI prints them as one line and exits with code 2."""

from __future__ import annotations


class PersonaeError(Exception):
    """Base of every error personae raises on purpose."""


class InputError(PersonaeError):
    """A file or argument the user gave is wrong; the message says where and how to fix it."""


class UnknownPersonaError(InputError):
    """A persona id was named that the loaded file does not define."""
