"""`personae chat PERSONA`: talk with a persona in the terminal, or through stdin and stdout.

The persona greets you, answers each line you type, and may end the chat itself when its
continue score says so; `/quit` (or end of input) ends it from your side. Everything is stored, so
the persona remembers you the next time: your relationship, and what it learned about you.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from personae.conversation.engine import Conversation
from personae.conversation.runtime import open_runtime
from personae.domain.persona import InteractionState, Persona, Priority
from personae.domain.relationship import pair_key
from personae.domain.world import Room
from personae.dynamics.routing import ExitReason
from personae.errors import InputError
from personae.files.cast import find_persona, find_room, load_cast
from personae.files.persona_file import PersonaFile, person_id
from personae.store.store import Store

QUIT_WORDS = frozenset({"/quit", "/exit", "/bye"})


def chat(
    persona: Annotated[str, typer.Argument(help="id of the persona to talk with")],
    user: Annotated[str, typer.Option("--user", "-u", help="your name")] = "Traveller",
    topic: Annotated[str | None, typer.Option("--topic", "-t", help="what to talk about")] = None,
    room: Annotated[str | None, typer.Option("--room", "-r", help="where you meet")] = None,
    file: Annotated[
        Path | None,
        typer.Option("--file", "-f", help="persona or world file (default: demo world)"),
    ] = None,
    llm: Annotated[str | None, typer.Option("--llm", help="backend spec")] = None,
    db: Annotated[str | None, typer.Option("--db", help="database URL or SQLite path")] = None,
    token_budget: Annotated[
        int, typer.Option("--token-budget", help="tokens the chat may use")
    ] = 4000,
    seed: Annotated[int, typer.Option("--seed")] = 1,
) -> None:
    """Chat with PERSONA. Type a line and press Enter; `/quit` ends the chat."""
    if not user.strip():
        raise InputError("--user must not be empty")
    cast = load_cast(file)
    target = find_persona(cast, persona)
    place = find_room(cast, room) if room else None
    asyncio.run(_chat(target, user.strip(), topic, place, llm, db, token_budget, seed, cast))


def person(name: str) -> Persona:
    """You, as the dynamics see you: an unhurried peer whom nothing makes leave."""
    return Persona(
        id=person_id(name),
        name=name,
        description="a person talking with you",
        state=InteractionState(
            current_priority=Priority.SOCIAL, available_time_s=10**9, social_energy=100
        ),
    )


async def _chat(
    target: Persona,
    user: str,
    topic: str | None,
    room: Room | None,
    llm: str | None,
    db: str | None,
    token_budget: int,
    seed: int,
    cast: PersonaFile,
) -> None:
    console = Console(highlight=False)
    interactive = sys.stdin.isatty()
    you = person(user)
    async with open_runtime(
        llm=llm, db=db, dynamics=cast.settings, settings=cast.conversation
    ) as runtime:
        store = runtime.store
        store.personas.save(target)
        if store.personas.get(you.id) is None:
            store.personas.save(you)
        known = store.relationships.get(target.id, you.id)
        chosen = topic or (room.topic_bias[0] if room else _favourite(target))
        talk = await Conversation.open(
            runtime.deps(),
            [target, you],
            chosen,
            room=room,
            seed=seed,
            affinities={pair_key(target.id, you.id): known.affinity if known else 0.0},
            token_budget=token_budget,
            people=[you.id],
            now_s=_next_meeting(store, target.id, you.id),
        )
        greeting = await talk.step(target.id)
        if greeting is not None:
            _say(console, target.name, greeting.text, interactive)
        while not talk.finished:
            line = await asyncio.to_thread(_read, console, interactive)
            if line is None or line.strip().lower() in QUIT_WORDS:
                talk.end(ExitReason.PERSON)
                break
            if not line.strip():
                continue
            await talk.hear(you.id, line)
            reply = await talk.step(target.id)
            if reply is None:
                break
            _say(console, target.name, reply.text, interactive)
            if reply.is_exit:
                console.print(
                    f"[dim]{target.name} has ended the conversation "
                    f"({talk.record.departures.get(target.id, 'done')}).[/]"
                )
                break
        await talk.close()


def _read(console: Console, interactive: bool) -> str | None:
    try:
        return console.input("[bold]you>[/] ") if interactive else input()
    except EOFError:
        return None


def _say(console: Console, name: str, text: str, interactive: bool) -> None:
    if interactive:
        console.print(f"[bold cyan]{escape(name)}>[/] {escape(text)}")
    else:
        print(f"{name}: {text}", flush=True)


def _favourite(persona: Persona) -> str:
    if not persona.topics:
        return "general"
    return max(persona.topics.items(), key=lambda item: (item[1], item[0]))[0]


def _next_meeting(store: Store, persona_id: str, person_id: str) -> float:
    """Chats are placed after the pair's earlier ones on the world clock, so memories age."""
    earlier = store.conversations.list(participant_id=person_id)
    ends = [c.ended_at_s or c.started_at_s for c in earlier if persona_id in c.participants]
    return max(ends, default=0.0) + 3600.0 if ends else 0.0
