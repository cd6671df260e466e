from __future__ import annotations

import json
from pathlib import Path

from personae.analytics import Delivered, deliver_reports
from tests.analytics.builders import crossroads
from tests.analytics.webhook_server import webhook_server


async def test_every_report_asked_for_is_written(tmp_path: Path) -> None:
    done = await deliver_reports(
        crossroads(),
        report=tmp_path / "r.json",
        html=tmp_path / "r.html",
        discord=str(tmp_path / "d.md"),
    )

    assert [d.kind for d in done] == ["JSON report", "HTML report", "Discord transcript"]
    assert (
        json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["schema"]
        == "personae.report/1"
    )
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert (tmp_path / "d.md").read_text(encoding="utf-8").startswith("🍺 **#ai-tavern**")


async def test_a_webhook_url_is_posted_to_and_reported_without_its_token() -> None:
    with webhook_server() as server:
        done = await deliver_reports(crossroads(), discord=server.url)

    assert len(server.requests) == 7
    assert done == [Delivered("Discord", f"7 messages posted to {server.url.rsplit('/', 1)[0]}/…")]


async def test_nothing_asked_for_writes_nothing(tmp_path: Path) -> None:
    assert await deliver_reports(crossroads()) == []
    assert list(tmp_path.iterdir()) == []
