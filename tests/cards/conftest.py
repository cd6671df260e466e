"""Fixtures shared by the cards tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def library_path(tmp_path: Path) -> Path:
    return tmp_path / "personas"
