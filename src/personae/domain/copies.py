"""A shallow copy of a model with some fields changed: `model_copy(update=...)`, for hot paths.

A conversation copies every participant's state (and the persona around it) after each line, and
a world tick copies every idle persona twice (its view in the room, its rest). Pydantic's
`model_copy` takes ~1.3 us for that on the reference machine, most of it generic machinery
(`copy.copy` of three attributes, the private-attribute and extra-field cases); this takes about
half. The result is the same: a new instance sharing unchanged field values, `changes` applied
without validation (as `model_copy` applies them), and the fields set updated. Models with extra
fields or private attributes go to `model_copy` itself.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_set = object.__setattr__  # pydantic's own way past its __setattr__


def with_changes(model: M, changes: Mapping[str, object]) -> M:
    """`model.model_copy(update=changes)`, faster (see the module docstring)."""
    if model.__pydantic_extra__ is not None or model.__pydantic_private__ is not None:
        return model.model_copy(update=dict(changes))
    cls = type(model)
    copied = cls.__new__(cls)
    fields = model.__dict__.copy()
    fields.update(changes)
    _set(copied, "__dict__", fields)
    _set(copied, "__pydantic_extra__", None)
    _set(copied, "__pydantic_fields_set__", model.__pydantic_fields_set__.union(changes))
    _set(copied, "__pydantic_private__", None)
    return copied
