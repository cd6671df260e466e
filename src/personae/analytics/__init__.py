"""Reports of a simulation run: metrics, networks, JSON, HTML and Discord transcripts, A/B tests.

The world loop builds a `RunData` and passes it in; analytics reads neither the store nor the LLM.
"""

from personae.analytics.compare import (
    MetricComparison,
    RunSummary,
    WorldComparison,
    compare_samples,
    compare_worlds,
    summarize_run,
)
from personae.analytics.deliver import Delivered, deliver_reports
from personae.analytics.discord import (
    DiscordPostError,
    PostResult,
    is_webhook_url,
    post_discord_transcript,
    transcripts,
    write_discord_transcript,
)
from personae.analytics.html import render_html, write_html_report
from personae.analytics.output import ReportWriteError
from personae.analytics.report_json import build_report, report_json, write_json_report
from personae.analytics.run_data import FactLearned, RunData

__all__ = [
    "Delivered",
    "DiscordPostError",
    "FactLearned",
    "MetricComparison",
    "PostResult",
    "ReportWriteError",
    "RunData",
    "RunSummary",
    "WorldComparison",
    "build_report",
    "compare_samples",
    "compare_worlds",
    "deliver_reports",
    "is_webhook_url",
    "post_discord_transcript",
    "render_html",
    "report_json",
    "summarize_run",
    "transcripts",
    "write_discord_transcript",
    "write_html_report",
    "write_json_report",
]
