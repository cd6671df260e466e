"""`personae persona ...`: import, export, list, show, compile, create and generate personas."""

from __future__ import annotations

import asyncio
import json
import random
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from personae.cards.creation.generate import DEFAULT_TRIES, generate_personas
from personae.cards.creation.wizard import run_wizard
from personae.cards.exporter import EXPORT_FORMATS, ExportFormat, export_card, write_export
from personae.cards.frameworks.compile import DEFAULT_USER, CompiledPersona, PersonaCompiler
from personae.cards.frameworks.registry import load_frameworks
from personae.cards.importer import read_card
from personae.cards.persona_ids import with_id
from personae.cli.llm_command import ConfigOption, LlmOption
from personae.cli.terminal_asker import TerminalAsker
from personae.domain.persona import Persona
from personae.errors import InputError
from personae.files.persona_library import (
    LibraryItem,
    PersonaLibrary,
    library_dir,
    persona_yaml,
)
from personae.llm.settings import load_llm_settings
from personae.llm.spec import forced_spec
from personae.llm.stack import LLMStack

app = typer.Typer(
    help="Personas in the library: import/export character cards, list, show, compile, create.",
    no_args_is_help=True,
)

LibraryOption = Annotated[
    Path | None,
    typer.Option(
        "--library",
        "-L",
        help="persona library directory (default: $PERSONAE_LIBRARY, else ./personas)",
    ),
]
COMPILED_DIR = ".compiled"
FRAMEWORKS_DIR = "frameworks"


def _library(option: Path | None) -> PersonaLibrary:
    return PersonaLibrary(library_dir(option))


@app.command("import")
def import_cards(
    files: Annotated[list[Path], typer.Argument(help="card files: .json, .png or .charx")],
    library: LibraryOption = None,
    force: Annotated[bool, typer.Option("--force", help="replace personas already there")] = False,
    persona_id: Annotated[
        str | None, typer.Option("--id", help="store under this id (one file only)")
    ] = None,
) -> None:
    """Import character cards (V1, V2, V3) into the library; all or nothing."""
    if persona_id is not None and len(files) != 1:
        raise InputError("--id names one persona; import one file at a time with it")
    imported = [read_card(path) for path in files]
    if persona_id is not None:
        imported[0].persona = with_id(imported[0].persona, persona_id)
    store = _library(library)
    paths = store.save_all(
        [LibraryItem(item.persona, item.image) for item in imported], overwrite=force
    )
    console = Console(highlight=False, soft_wrap=True)
    for path, source, item in zip(paths, files, imported, strict=True):
        console.print(
            f"imported [bold]{escape(item.persona.id)}[/] ({escape(item.persona.name)}) from "
            f"{escape(str(source))} ({item.source_format}) -> {escape(str(path))}"
        )
        for warning in item.warnings:
            console.print(f"  [yellow]note:[/] {escape(warning)}")


@app.command("export")
def export(
    persona_id: Annotated[str, typer.Argument(help="persona id in the library")],
    card_format: Annotated[
        str, typer.Option("--format", "-f", help="v2 (JSON), v3 (JSON) or png")
    ] = "png",
    out: Annotated[Path | None, typer.Option("--out", "-o", help="file to write")] = None,
    image: Annotated[
        Path | None, typer.Option("--image", help="PNG to embed the card in (png format)")
    ] = None,
    library: LibraryOption = None,
) -> None:
    """Export a persona as a character card; PNG carries both V2 (chara) and V3 (ccv3)."""
    if card_format not in EXPORT_FORMATS:
        raise InputError(
            f"--format must be one of {', '.join(EXPORT_FORMATS)}, got {card_format!r}"
        )
    fmt: ExportFormat = "png" if card_format == "png" else "v3" if card_format == "v3" else "v2"
    store = _library(library)
    persona = store.load(persona_id)
    picture = store.image(persona_id)
    if image is not None:
        try:
            picture = image.read_bytes()
        except OSError as error:
            raise InputError(f"{image}: cannot read the image ({error.strerror})") from None
    target = out or Path(f"{persona_id}.{'png' if fmt == 'png' else 'json'}")
    write_export(target, export_card(persona, fmt, picture))
    typer.echo(f"exported {persona_id} as {fmt} -> {target}")


@app.command("list")
def list_personas(
    library: LibraryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON")] = False,
) -> None:
    """List the personas in the library."""
    store = _library(library)
    personas = store.load_all()
    if as_json:
        rows = [
            {
                "id": p.id,
                "name": p.name,
                "framework": p.framework,
                "tags": p.profile.tags,
                "card": p.card.spec if p.card else None,
            }
            for p in personas
        ]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    if not personas:
        typer.echo(f"no personas in {store.root}")
        return
    table = Table(title=f"personas in {store.root}")
    for column in ("id", "name", "framework", "tags", "from card"):
        table.add_column(column)
    for p in personas:
        table.add_row(
            p.id,
            p.name,
            p.framework or "-",
            ", ".join(p.profile.tags),
            p.card.spec if p.card else "-",
        )
    Console(highlight=False).print(table)


@app.command("show")
def show(
    persona_id: Annotated[str, typer.Argument(help="persona id in the library")],
    library: LibraryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print JSON instead of YAML")] = False,
) -> None:
    """Show one persona as stored (YAML, or JSON)."""
    persona = _library(library).load(persona_id)
    if as_json:
        typer.echo(json.dumps(persona.model_dump(mode="json"), indent=2, ensure_ascii=False))
    else:
        typer.echo(persona_yaml(persona), nl=False)


@app.command("compile")
def compile_command(
    persona_id: Annotated[str, typer.Argument(help="persona id in the library")],
    context: Annotated[
        str | None,
        typer.Option(
            "--context", "-c", help="technical, casual, formal, creative or educational (blending)"
        ),
    ] = None,
    user: Annotated[str, typer.Option("--user", "-u", help="the name {{user}} stands for")] = (
        DEFAULT_USER
    ),
    frameworks_dir: Annotated[
        Path | None, typer.Option("--frameworks", help="extra framework JSON directory")
    ] = None,
    library: LibraryOption = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the compiled persona as JSON")] = (
        False
    ),
) -> None:
    """Compile a persona with its framework: system prompt, LLM settings, tools, context.
    Results are cached in the library and rebuilt only when an input changes."""
    store = _library(library)
    persona = store.load(persona_id)
    directories = [store.root / FRAMEWORKS_DIR] + ([frameworks_dir] if frameworks_dir else [])
    compiler = PersonaCompiler(load_frameworks(directories))
    cache_file = store.root / COMPILED_DIR / f"{persona_id}@{context or 'base'}@{user}.json"
    cached = _read_compiled(cache_file)
    if cached is not None:
        compiler.remember(cached)
    compiled = compiler.compile(persona, context, user)
    fresh = compiler.compilations > 0
    if fresh:
        _write_compiled(cache_file, compiled)
    typer.echo(
        f"{'compiled' if fresh else 'unchanged, from cache'}: {compiled.persona_id}", err=True
    )
    if as_json:
        typer.echo(compiled.model_dump_json(indent=2))
        return
    typer.echo(compiled.system_prompt)
    typer.echo("")
    llm = compiled.llm
    typer.echo(
        f"llm: temperature {llm.temperature:g}, max_tokens {llm.max_tokens}, "
        f"top_p {llm.top_p:g}, frequency_penalty {llm.frequency_penalty:g}"
    )
    ctx = compiled.context
    typer.echo(
        f"context: {ctx.history_messages} messages, {ctx.memories} memories, "
        f"lorebook {'on' if ctx.lorebook else 'off'}, relationships "
        f"{'on' if ctx.relationships else 'off'}, room {'on' if ctx.room else 'off'}"
    )
    if compiled.tools_required or compiled.tools_optional:
        typer.echo(f"tools: required {compiled.tools_required}, optional {compiled.tools_optional}")


@app.command("new")
def new(
    library: LibraryOption = None,
    seed: Annotated[int, typer.Option("--seed", help="seed for random personalities")] = 0,
    force: Annotated[bool, typer.Option("--force", help="replace a persona with the same id")] = (
        False
    ),
) -> None:
    """Create a persona step by step (basic info, personality, memory, behaviour, privacy,
    review) and write it to the library. Answers can also be piped on stdin."""
    store = _library(library)
    frameworks = sorted(load_frameworks([store.root / FRAMEWORKS_DIR]))
    persona = run_wizard(TerminalAsker(), random.Random(seed), frameworks, persona_yaml)
    if persona is None:
        typer.echo("nothing written")
        return
    path = store.save(persona, overwrite=force)
    typer.echo(f"created {persona.id} -> {path}")


def _read_compiled(path: Path) -> CompiledPersona | None:
    """A cached compilation, or None when there is none or it cannot be read (it is a cache)."""
    try:
        return CompiledPersona.model_validate_json(path.read_bytes())
    except (OSError, ValueError):
        return None


def _write_compiled(path: Path, compiled: CompiledPersona) -> None:
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_export(path, compiled.model_dump_json(indent=2).encode("utf-8"))
    except InputError:
        pass  # a cache that cannot be written only costs a recompile next time


@app.command("generate")
def generate(
    theme: Annotated[str, typer.Option("--theme", "-t", help="what kind of persona, in words")],
    count: Annotated[int, typer.Option("--count", "-n", help="how many personas")] = 1,
    seed: Annotated[int, typer.Option("--seed", help="seed for the LLM calls")] = 0,
    tries: Annotated[int, typer.Option("--tries", help="attempts per persona")] = DEFAULT_TRIES,
    llm: LlmOption = None,
    config: ConfigOption = None,
    library: LibraryOption = None,
    force: Annotated[bool, typer.Option("--force", help="replace personas with the same id")] = (
        False
    ),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="print the personas, write nothing")
    ] = False,
) -> None:
    """Generate personas from a theme with the LLM (validated JSON, retried when invalid) and
    write them to the library, all or none."""
    stack = LLMStack(load_llm_settings(config), forced=forced_spec(llm))

    async def run() -> list[Persona]:
        try:
            return await generate_personas(stack, theme, count, seed, tries)
        finally:
            await stack.aclose()

    personas = asyncio.run(run())
    if dry_run:
        for persona in personas:
            typer.echo("---")
            typer.echo(persona_yaml(persona), nl=False)
        return
    paths = _library(library).save_all([LibraryItem(p) for p in personas], overwrite=force)
    for persona, path in zip(personas, paths, strict=True):
        typer.echo(f"generated {persona.id} ({persona.name}) -> {path}")
