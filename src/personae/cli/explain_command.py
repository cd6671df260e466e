"""`personae explain`: the continue score of one persona towards another, and why."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from personae.domain.conversation import ConversationContext
from personae.dynamics.explain import Explanation
from personae.dynamics.explain import explain as explain_score
from personae.dynamics.rules import apply_opening_rules
from personae.errors import InputError
from personae.files.persona_file import load_persona_file


def explain(
    file: Annotated[Path, typer.Argument(help="persona (or world) YAML file")],
    speaker: Annotated[str, typer.Option("--speaker", "-a", help="id of the persona who decides")],
    listener: Annotated[str, typer.Option("--listener", "-b", help="id of the other persona")],
    topic: Annotated[str, typer.Option("--topic", "-t", help="what they talk about")] = "general",
    duration: Annotated[float, typer.Option("--duration", "-d", help="world seconds so far")] = 0.0,
    token_budget: Annotated[
        int | None, typer.Option("--token-budget", help="tokens left (default from settings)")
    ] = None,
    drift: Annotated[int, typer.Option("--drift", help="topic changes so far")] = 0,
    invited: Annotated[
        bool, typer.Option("--invited", help="the listener invited the speaker to go on")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of a table")] = False,
) -> None:
    """Show SPEAKER's continue score towards LISTENER, component by component, its routing tier,
    and whether and why SPEAKER would leave."""
    if duration < 0:
        raise InputError(f"--duration must be 0 or more seconds, got {duration}")
    if drift < 0:
        raise InputError(f"--drift must be 0 or more, got {drift}")
    if speaker == listener:
        raise InputError("--speaker and --listener must be two different personas")
    loaded = load_persona_file(file)
    settings = loaded.settings
    a, b = apply_opening_rules(
        loaded.enabled_rule_sets(),
        [loaded.persona(speaker), loaded.persona(listener)],
        topic,
        settings,
    )
    context = ConversationContext(
        participants=[a.id, b.id],
        topic=topic,
        topic_drift_count=drift,
        duration_s=duration,
        token_budget=settings.budgets.token_budget if token_budget is None else token_budget,
        time_budget_s=settings.budgets.time_budget_s,
        invited=frozenset({b.id}) if invited else frozenset(),
    )
    result = explain_score(a, b, context, loaded.relationship_book().affinity(a.id, b.id), settings)
    if as_json:
        typer.echo(json.dumps(explanation_json(result, a.name, b.name, context), indent=2))
    else:
        render(result, a.name, b.name, context)


def explanation_json(
    result: Explanation, speaker_name: str, listener_name: str, context: ConversationContext
) -> dict[str, Any]:
    b = result.breakdown
    return {
        "speaker": {"id": b.persona_id, "name": speaker_name},
        "listener": {"id": b.other_id, "name": listener_name},
        "topic": context.topic,
        "duration_s": context.duration_s,
        "token_budget": context.token_budget,
        "score": round(b.total, 2),
        "threshold": b.threshold,
        "components": [
            {
                "name": c.name,
                "points": round(c.points, 2),
                "min": c.low,
                "max": c.high,
                "reason": c.reason,
            }
            for c in b.components
        ],
        "tier": {
            "name": result.tier.name.value,
            "temperature": result.tier.temperature,
            "max_words": result.tier.max_words,
            "prepare_exit": result.tier.prepare_exit,
            "avoid_topics": list(result.tier.avoid_topics),
        },
        "leaves": result.leaves,
        "exit_reason": result.exit_reason.value if result.exit_reason else None,
        "projected_exit_s": result.projected_exit_s,
    }


def render(
    result: Explanation, speaker_name: str, listener_name: str, context: ConversationContext
) -> None:
    console = Console(highlight=False)
    b = result.breakdown
    table = Table(
        title=f"{speaker_name} -> {listener_name} on {context.topic!r} "
        f"after {context.duration_s:g} s"
    )
    table.add_column("component")
    table.add_column("points", justify="right")
    table.add_column("range", justify="right")
    table.add_column("why")
    for c in b.components:
        table.add_row(c.name, f"{c.points:+.1f}", f"{c.low:g}..{c.high:g}", c.reason)
    table.add_section()
    table.add_row(
        "[bold]continue score[/]",
        f"[bold]{b.total:.1f}[/]",
        "0..100",
        f"continues at >= {b.threshold:g}",
    )
    console.print(table)
    tier = result.tier
    detail = f"temperature {tier.temperature:g}"
    if tier.max_words:
        detail += f", <= {tier.max_words} words, preparing to leave"
    if tier.avoid_topics:
        detail += f", avoiding {', '.join(tier.avoid_topics)}"
    if not tier.uses_llm:
        detail = "template exit line, no LLM call"
    console.print(f"tier: [bold]{tier.name.value}[/] ({detail})")
    if result.leaves and result.exit_reason is not None:
        console.print(f"[bold red]{speaker_name} would leave now[/]: {result.exit_reason.value}")
    else:
        console.print(f"[green]{speaker_name} stays in the conversation[/]")
        if result.projected_exit_s is not None:
            console.print(
                f"if nothing changes, {speaker_name} wants to leave at "
                f"{result.projected_exit_s:g} s"
            )
