from __future__ import annotations

import base64
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

from personae.analytics import render_html, write_html_report
from personae.analytics.plots import PLOTS
from tests.analytics.builders import crossroads, turn

DATA_URI = re.compile(r'src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"')
EXTERNAL = re.compile(
    r"""(?:src|href|action|poster)\s*=\s*["']?\s*(?:https?:|//|file:)|url\(\s*["']?\s*(?:https?:|//)|@import|<link\b""",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def page() -> str:
    return render_html(crossroads())


def test_every_plot_is_embedded_as_an_svg(page: str) -> None:
    images = DATA_URI.findall(page)

    assert len(images) == len(PLOTS) == 5
    for encoded in images:
        assert "<svg" in base64.b64decode(encoded).decode("utf-8")


def test_the_plots_are_the_ones_the_issue_asks_for(page: str) -> None:
    for caption in (
        "Continue score per conversation",
        "Room activity over time",
        "Relationship graph",
        "Tokens and cost over time",
    ):
        assert f"<figcaption>{caption}</figcaption>" in page


def test_the_page_references_nothing_outside_itself(page: str) -> None:
    assert EXTERNAL.search(page) is None
    for encoded in DATA_URI.findall(page):
        svg = base64.b64decode(encoded).decode("utf-8")
        assert re.search(r"""href=["'](?:https?:|//)""", svg) is None


def test_the_page_holds_the_summary_tables_and_transcripts(page: str) -> None:
    for text in (
        "<h2>Rooms</h2>",
        "<h2>Personas</h2>",
        "<h2>Migrations</h2>",
        "<h3>Factions</h3>",
        "<h3>Leadership</h3>",
    ):
        assert text in page
    assert "Have you heard about the strange lights seen near the old ruins?" in page
    assert "[Continue Score: 72 | Duration: 2:30 | Topic: rumors]" in page


def test_an_unknown_cost_reads_unknown(page: str) -> None:
    assert "<b>unknown</b>cost (1 line without a known price" in page


def test_text_from_the_run_is_escaped() -> None:
    run = crossroads(
        turns=[turn("c1", 0, "bard", ["merchant"], "<script>alert('x')</script>", 50, 0)]
    )

    page = render_html(run)

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert" in page


def test_the_same_run_renders_the_same_page() -> None:
    assert render_html(crossroads()) == render_html(crossroads())


def test_a_run_with_nothing_in_it_still_renders() -> None:
    page = render_html(
        crossroads(
            conversations=[],
            turns=[],
            migrations=[],
            snapshots=[],
            facts=[],
            relationships=[],
            clock_s=0,
        )
    )

    assert len(DATA_URI.findall(page)) == 5
    assert "No conversation yet." in page


def test_the_report_is_written_to_one_file(tmp_path: Path) -> None:
    path = write_html_report(crossroads(), tmp_path / "report.html")

    assert path.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert list(tmp_path.iterdir()) == [path]


def _chromium() -> str | None:
    return next(
        (
            found
            for name in ("chromium", "chromium-browser", "google-chrome")
            if (found := shutil.which(name))
        ),
        None,
    )


def _plots_loaded(html: Path) -> str:
    """What headless Chromium reports after the page's load event: plots that decoded."""
    browser = _chromium()
    assert browser is not None
    with tempfile.TemporaryDirectory() as profile:
        dom = subprocess.run(
            [
                browser,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                f"--user-data-dir={profile}",
                "--dump-dom",
                html.as_uri(),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        ).stdout
    found = re.search(r'data-plots-loaded="(\d+)"', dom)
    assert found is not None, "the page's load handler did not run"
    return found.group(1)


@pytest.mark.skipif(
    _chromium() is None, reason="no chromium binary on PATH: apt-get install -y chromium"
)
def test_headless_chromium_loads_the_page_with_every_plot_and_notices_a_broken_one(
    tmp_path: Path,
) -> None:
    good = write_html_report(crossroads(), tmp_path / "report.html")
    page = good.read_text(encoding="utf-8")
    broken = tmp_path / "broken.html"
    broken.write_text(
        page.replace("data:image/svg+xml;base64,", "data:image/svg+xml;base64,AAAA", 1),
        encoding="utf-8",
    )

    assert _plots_loaded(good) == "5"
    assert _plots_loaded(broken) == "4"


def test_a_fact_known_only_to_its_source_reached_one_persona() -> None:
    only_the_bard = [f for f in crossroads().facts if f.learner_id == "bard"]
    page = render_html(crossroads(facts=only_the_bard))
    assert "reached 1 persona in" in page
    assert "reached 4 personas in" in render_html(crossroads())
