"""Errors of the store. Each says which database, what is wrong with it, and what to do."""

from __future__ import annotations

from personae.errors import PersonaeError


class StoreError(PersonaeError):
    """The database cannot be used as asked; the CLI prints it as one line and exits with 2."""


class UnusableDatabaseError(StoreError):
    """The database is corrupt, not a database, or belongs to another program. It is left as is."""


class SchemaTooNewError(StoreError):
    """The database was written by a newer personae whose schema this code does not know."""


class TurnConflictError(StoreError):
    """A turn index already holds a different line: appending it again would rewrite history."""


class NotFoundError(StoreError):
    """A conversation, run or persona the caller named is not in the store."""
