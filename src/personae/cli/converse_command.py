"""`personae converse A B`: one persona-to-persona conversation, printed as it is spoken."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from personae.conversation.engine import Conversation, Ending
from personae.conversation.runtime import Runtime, open_runtime
from personae.domain.persona import Persona
from personae.domain.relationship import pair_key
from personae.domain.turn import ConversationStatus, Turn
from personae.domain.world import Room
from personae.dynamics.topics import best_shared_topic
from personae.errors import InputError
from personae.files.cast import find_persona, find_room, load_cast
from personae.files.persona_file import PersonaFile

FileOption = Annotated[
    Path | None,
    typer.Option("--file", "-f", help="persona or world file (default: the shipped demo world)"),
]
LlmOption = Annotated[
    str | None, typer.Option("--llm", help="backend spec: embedded, scripted, openai:MODEL, ...")
]
DbOption = Annotated[str | None, typer.Option("--db", help="database URL or SQLite path")]


def converse(
    personas: Annotated[list[str], typer.Argument(help="two or more persona ids")],
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="default: the room's")] = None,
    room: Annotated[
        str | None,
        typer.Option(
            "--room",
            "-r",
            help="a room id of the file, or tavern, market, fortress, court, library",
        ),
    ] = None,
    file: FileOption = None,
    llm: LlmOption = None,
    db: DbOption = None,
    seed: Annotated[int, typer.Option("--seed", help="seed of decisions and wording")] = 1,
    token_budget: Annotated[
        int | None, typer.Option("--token-budget", help="tokens the talk may use (default 1000)")
    ] = None,
    resume: Annotated[
        str | None, typer.Option("--resume", help="id of an interrupted conversation to finish")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print one JSON document")] = False,
) -> None:
    """Run one conversation between PERSONAS and print it: each turn's speaker, tier and score,
    and at the end why it ended. Every turn is committed to the database as it is spoken."""
    cast = load_cast(file)
    asyncio.run(
        _converse(cast, personas, topic, room, llm, db, seed, token_budget, resume, as_json)
    )


async def _converse(
    cast: PersonaFile,
    persona_ids: list[str],
    topic: str | None,
    room_name: str | None,
    llm: str | None,
    db: str | None,
    seed: int,
    token_budget: int | None,
    resume: str | None,
    as_json: bool,
) -> None:
    if len(set(persona_ids)) < 2:
        raise InputError(
            "name at least two different personas, e.g. `personae converse mara gorin`"
        )
    participants = [find_persona(cast, pid) for pid in persona_ids]
    room = find_room(cast, room_name) if room_name else None
    chosen_topic = topic or (room.topic_bias[0] if room else _shared_topic(participants))
    console = Console(highlight=False)
    async with open_runtime(
        llm=llm, db=db, dynamics=cast.settings, settings=cast.conversation
    ) as runtime:
        if resume:
            talk = await _resume(runtime, cast, resume, room, seed)
            if not as_json:
                console.print(f"[dim]resuming {resume} after {len(talk.history)} turns[/]")
        else:
            runtime.store.personas.save_many(participants)
            affinities = _affinities(runtime, cast, participants)
            talk = await Conversation.open(
                runtime.deps(),
                participants,
                chosen_topic,
                room=room,
                seed=seed,
                affinities=affinities,
                rule_sets=cast.enabled_rule_sets(),
                token_budget=token_budget,
                # A new talk each time the command runs, even with the same personas and seed
                # (the default id is derived from them, for worlds that replay).
                conversation_id=uuid.uuid4().hex,
            )
        if not as_json:
            console.print(
                f"[bold]{' & '.join(p.name for p in participants)}[/] on "
                f"[italic]{talk.record.topic.replace('_', ' ')}[/]"
                + (f" in {room.name}" if room else "")
                + f" [dim](conversation {talk.record.id})[/]"
            )
        async for turn in talk.turns():
            if not as_json:
                print_turn(console, turn, talk.exchange.personas)
        ending = await talk.close()
    if as_json:
        typer.echo(
            json.dumps(conversation_json(ending, talk.history, talk.exchange.personas), indent=2)
        )
    else:
        record = ending.record
        cost = "unknown" if record.cost_usd is None else f"${record.cost_usd:.4f}"
        console.print(
            f"[bold]ended:[/] {record.exit_reason} after {len(talk.history)} turns, "
            f"{(record.ended_at_s or 0) - record.started_at_s:.0f} s of world time, "
            f"{record.tokens_used} tokens, {cost}"
        )


async def _resume(
    runtime: Runtime, cast: PersonaFile, conversation_id: str, room: Room | None, seed: int
) -> Conversation:
    point = runtime.store.resume(conversation_id)
    record = point.conversation
    if record.status is ConversationStatus.ENDED:
        raise InputError(
            f"conversation {conversation_id} has already ended "
            f"({record.exit_reason}); nothing to resume"
        )
    missing = [pid for pid in record.participants if pid not in point.personas]
    if missing:
        raise InputError(
            f"conversation {conversation_id}: personas {', '.join(missing)} are not "
            "in the database; it cannot be resumed"
        )
    participants = [point.personas[pid] for pid in record.participants]
    if room is None and record.room_id is not None:
        room = find_room(cast, record.room_id)
    affinities = {r.key: r.affinity for r in point.relationships}
    return await Conversation.resume(
        runtime.deps(),
        record,
        participants,
        point.turns,
        room=room,
        seed=record.seed,
        affinities=affinities,
        rule_sets=cast.enabled_rule_sets(),
    )


def _shared_topic(participants: list[Persona]) -> str:
    best = best_shared_topic(participants)
    return best[0] if best else "general"


def _affinities(
    runtime: Runtime, cast: PersonaFile, participants: list[Persona]
) -> dict[tuple[str, str], float]:
    """The pair's affinity as the database knows it (earlier talks), else as the file says."""
    book = cast.relationship_book()
    found: dict[tuple[str, str], float] = {}
    for i, a in enumerate(participants):
        for b in participants[i + 1 :]:
            stored = runtime.store.relationships.get(a.id, b.id)
            found[pair_key(a.id, b.id)] = stored.affinity if stored else book.affinity(a.id, b.id)
    return found


def print_turn(console: Console, turn: Turn, personas: dict[str, Persona]) -> None:
    speaker = personas[turn.speaker_id].name if turn.speaker_id in personas else turn.speaker_id
    listeners = ", ".join(personas[p].name if p in personas else p for p in turn.listener_ids)
    marks = (" [yellow]fallback[/]" if turn.is_fallback else "") + (
        " [red]leaves[/]" if turn.is_exit else ""
    )
    console.print(
        f"[bold]{escape(speaker)}[/] → {escape(listeners)} "
        f"[dim]({turn.tier}, score {turn.score:.0f})[/]{marks}"
    )
    # A model's line is text, not markup: "[smiling]" is said, and "[/b]" cannot break the view.
    console.print(f"  [italic]{escape(turn.text)}[/]", markup=True)


def conversation_json(
    ending: Ending, turns: list[Turn], personas: dict[str, Persona]
) -> dict[str, Any]:
    record = ending.record
    return {
        "id": record.id,
        "participants": [{"id": pid, "name": personas[pid].name} for pid in record.participants],
        "topic": record.topic,
        "room": record.room_id,
        "turns": [
            {
                "index": t.index,
                "speaker": t.speaker_id,
                "listeners": t.listener_ids,
                "text": t.text,
                "tier": t.tier,
                "score": round(t.score, 2),
                "scores": t.scores,
                "fallback": t.is_fallback,
                "exit": t.is_exit,
            }
            for t in turns
        ],
        "exit_reason": record.exit_reason,
        "departures": record.departures,
        "tokens": record.tokens_used,
        "cost_usd": record.cost_usd,
        "duration_s": round((record.ended_at_s or record.started_at_s) - record.started_at_s, 2),
    }
