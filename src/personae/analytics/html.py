"""A self-contained HTML report: one file, plots embedded as SVG `data:` URIs, no external URL.

The page is rendered from the same data as the JSON report (`build_report`), so the two never
disagree. jinja2 escapes every text from the run (persona lines may contain `<`).
"""

from __future__ import annotations

from collections.abc import Mapping
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import jinja2

from personae.analytics.discord import channel_name, format_duration
from personae.analytics.output import write_text
from personae.analytics.report_json import build_report
from personae.analytics.run_data import RunData

# A page of thousands of transcripts is not read; the JSON report keeps everything.
TRANSCRIPTS_SHOWN_MAX = 200  # the first conversations to start
PERSONAS_SHOWN_MAX = 300  # the personas who spoke the most lines


def _num(value: float | None, digits: int = 2) -> str:
    return "–" if value is None else f"{value:,.{digits}f}"


def _usd(value: float | None) -> str:
    return "unknown" if value is None else f"${value:,.4f}"


def _percent(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _counts(counts: Mapping[str, int]) -> str:
    return ", ".join(f"{key} ({n})" for key, n in counts.items()) or "–"


def _duration(seconds: float | None) -> str:
    return "–" if seconds is None else format_duration(seconds)


def _environment(run: RunData) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.PackageLoader("personae.analytics", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    emojis = {room.room_id: room.emoji for room in run.rooms}
    environment.filters.update(
        num=_num,
        usd=_usd,
        percent=_percent,
        counts=_counts,
        duration=_duration,
        seconds=lambda value: f"{value:g}",
        channel=channel_name,
        name=run.persona_name,
        emoji=lambda room_id: emojis.get(room_id, "") if room_id else "",
    )
    return environment


def _version() -> str:
    try:
        return version("personae")
    except PackageNotFoundError:
        return "dev"


def render_html(run: RunData) -> str:
    """The whole report as one HTML document."""
    from personae.analytics import plots  # matplotlib loads only when a plot is drawn

    rendered: dict[str, Any] = {
        key: {"title": title, "uri": draw(run)} for key, (title, draw) in plots.PLOTS.items()
    }
    report = build_report(run)
    personas = report["personas"]
    if len(personas) > PERSONAS_SHOWN_MAX:
        personas = sorted(personas, key=lambda p: (-p["lines"], p["persona_id"]))
    template = _environment(run).get_template("report.html.j2")
    return template.render(
        report=report,
        plots=rendered,
        version=_version(),
        transcripts=report["conversations"][:TRANSCRIPTS_SHOWN_MAX],
        personas=personas[:PERSONAS_SHOWN_MAX],
    )


def write_html_report(run: RunData, path: Path) -> Path:
    """Write the HTML report to `path` (parents created) and return the path."""
    return write_text(path, render_html(run), "HTML report")
