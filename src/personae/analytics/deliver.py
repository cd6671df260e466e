"""Every report a user asked for, in one call: what `personae simulate --report --html
--discord` does at the end of a run."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import httpx

from personae.analytics.discord import (
    is_webhook_url,
    post_discord_transcript,
    redacted_url,
    write_discord_transcript,
)
from personae.analytics.html import write_html_report
from personae.analytics.report_json import write_json_report
from personae.analytics.run_data import RunData


@dataclass(frozen=True, slots=True)
class Delivered:
    """One report written or posted: what it is and where it went (a webhook without its token)."""

    kind: str
    where: str


async def deliver_reports(
    run: RunData,
    *,
    report: Path | None = None,
    html: Path | None = None,
    discord: str | None = None,
    client: httpx.AsyncClient | None = None,
) -> list[Delivered]:
    """Write the JSON report to `report`, the HTML report to `html`, and the Discord transcript
    to `discord` (a file path, or a webhook URL to post to). Nothing is done for a None."""
    done: list[Delivered] = []
    if report is not None:
        done.append(Delivered("JSON report", str(write_json_report(run, report))))
    if html is not None:
        done.append(Delivered("HTML report", str(write_html_report(run, html))))
    if discord is not None and is_webhook_url(discord):
        posted = await post_discord_transcript(run, discord, client=client)
        done.append(
            Delivered("Discord", f"{posted.messages} messages posted to {redacted_url(discord)}")
        )
    elif discord is not None:
        written = write_discord_transcript(run, Path(discord))
        done.append(Delivered("Discord transcript", str(written)))
    return done
