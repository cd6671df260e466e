from __future__ import annotations

from pathlib import Path

import pytest

from personae.domain import UsageRecord
from personae.store import StoreError, open_store
from personae.store.info import database_info
from personae.store.schema import head_revision
from tests.store.builders import conversation, turn


def test_info_reports_the_revision_and_rows_per_table(store_url: str) -> None:
    with open_store(store_url) as store:
        store.conversations.create(conversation())
        store.turns.append(turn(0))
        store.turns.append(turn(1))
        store.usage.record(UsageRecord(backend="scripted", model="m"))
    info = database_info(store_url)
    assert info.revision == head_revision()
    assert info.up_to_date
    assert (info.counts["turns"], info.counts["conversation_participants"]) == (2, 2)
    assert (info.counts["api_usage"], info.counts["memories"]) == (1, 0)


def test_info_does_not_create_a_missing_database(tmp_path: Path) -> None:
    path = tmp_path / "absent.db"
    with pytest.raises(StoreError, match="there is no database at"):
        database_info(str(path))
    assert not path.exists()
