"""`personae usage`: LLM calls, tokens and cost, grouped, with each player's budget this month."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from personae.domain import UsageRecord
from personae.errors import InputError
from personae.llm.report import GroupBy, month_start, since_days, usage_report
from personae.llm.settings import load_llm_settings
from personae.store import open_store, resolve_location


def read_usage(db: str | None, player: str | None, since: float) -> list[UsageRecord]:
    """Usage rows from the store at `db` (default: $PERSONAE_DB, else ./personae.db)."""
    location = resolve_location(db)
    if location.sqlite_path is not None and not location.sqlite_path.exists():
        raise InputError(
            f"no database at {location.sqlite_path}: give --db PATH or set PERSONAE_DB to the "
            "database your runs write to"
        )
    with open_store(db) as store:
        return store.usage.query(player, since)


def usage(
    player: Annotated[str | None, typer.Option("--player", help="only this player's calls")] = None,
    days: Annotated[float, typer.Option("--days", help="how many days back", min=0)] = 30.0,
    by: Annotated[GroupBy, typer.Option("--by", help="group rows by")] = GroupBy.PURPOSE,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of tables")] = False,
    db: Annotated[
        str | None,
        typer.Option(
            "--db",
            help="SQLite path or postgresql:// URL (default: $PERSONAE_DB, else ./personae.db)",
        ),
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="YAML config with an llm: section (budgets)")
    ] = None,
) -> None:
    """Show LLM usage and cost over the last DAYS days, grouped, and each player's budget."""
    settings = load_llm_settings(config)
    now = time.time()
    since = since_days(now, days)
    start = month_start(now)
    rows = read_usage(db, player, min(since, start))
    recent = [r for r in rows if r.created_at >= since]
    this_month = [r for r in rows if r.created_at >= start]
    report = usage_report(recent, by, settings.budgets, now, this_month)
    report["days"] = days
    if as_json:
        typer.echo(json.dumps(report, indent=2))
    else:
        render(report)


def _money(value: float) -> str:
    return f"${value:.4f}"


def render(report: dict[str, Any]) -> None:
    console = Console(highlight=False, soft_wrap=True)
    table = Table(title=f"LLM usage, last {report['days']:g} days, by {report['by']}")
    for column in ("", "calls", "tokens", "cost", "unpriced calls", "retried", "fallbacks"):
        table.add_column(column, justify="left" if not column else "right")
    rows = [*report["groups"].items(), ("total", report["totals"])]
    for name, t in rows:
        table.add_row(
            name,
            str(t["calls"]),
            str(t["total_tokens"]),
            _money(t["cost_usd"]),
            str(t["unpriced_calls"]),
            str(t["retried"]),
            f"{t['fallbacks']} ({t['fallback_rate']:.0%})",
        )
    console.print(table)
    if report["totals"]["unpriced_calls"]:
        console.print(
            "Some calls used models without a known price: their cost is not in the totals; "
            "add the models under llm.prices in the config."
        )
    budgets = Table(title="Budgets this month")
    for column in ("player", "spent", "limit", "used", "status"):
        budgets.add_column(column)
    for b in report["budgets"]:
        status = (
            "over"
            if b["over_dollars"] or b["over_tokens"]
            else ("warning" if b["warning"] else "ok")
        )
        budgets.add_row(
            b["player_id"],
            _money(b["spent_usd"]),
            _money(b["limit_usd"]),
            f"{b['fraction_used']:.0%}",
            status,
        )
    console.print(budgets)
