"""Choose an embedding backend from one string, as `--embeddings SPEC` or a world file gives it.

embedded                      the packaged all-MiniLM-L6-v2, computed in-process (default)
openai:MODEL                  api.openai.com, key from OPENAI_API_KEY
ollama:MODEL                  a local Ollama (OLLAMA_HOST, default http://localhost:11434)
http://HOST:PORT/v1#MODEL     any OpenAI-compatible server; key from
                              PERSONAE_EMBEDDINGS_API_KEY if the server wants one
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

from personae.errors import InputError
from personae.memory.embeddings.protocol import Embedder

if TYPE_CHECKING:
    from personae.memory.embeddings.openai_compatible import OpenAICompatibleEmbedder

DEFAULT_EMBEDDINGS = "embedded"
EMBEDDED_SPECS = frozenset({"embedded", "embedded:all-MiniLM-L6-v2"})
OLLAMA_DEFAULT_HOST = "http://localhost:11434"
_SPEC_HELP = (
    "use `embedded`, `openai:MODEL`, `ollama:MODEL` or `http://HOST:PORT/v1#MODEL`, "
    "e.g. `ollama:nomic-embed-text`"
)


def embedder_from_spec(
    spec: str = DEFAULT_EMBEDDINGS,
    *,
    environ: Mapping[str, str] | None = None,
    load_embedded: Callable[[], Embedder] | None = None,
) -> Embedder:
    """The backend `spec` names. Bad specs and missing keys raise `InputError` saying how to fix
    them; nothing is contacted until the first `embed`. Backends are imported on demand."""
    env = os.environ if environ is None else environ
    spec = spec.strip()
    if spec in EMBEDDED_SPECS:
        if load_embedded is not None:
            return load_embedded()
        from personae.memory.embeddings.minilm import MiniLMEmbedder

        return MiniLMEmbedder()
    from personae.memory.embeddings.openai_compatible import OpenAICompatibleEmbedder

    if spec.startswith(("http://", "https://")):
        return _url_embedder(spec, env)
    prefix, _, model = spec.partition(":")
    if not model:
        raise InputError(f"embeddings {spec!r}: unknown backend; {_SPEC_HELP}")
    if prefix == "openai":
        key = env.get("OPENAI_API_KEY", "")
        if not key:
            raise InputError(
                f"embeddings {spec!r}: set OPENAI_API_KEY to your OpenAI API key, or choose "
                "another backend such as `embedded`"
            )
        return OpenAICompatibleEmbedder(name=spec, model=model, base_url=None, api_key=key)
    if prefix == "ollama":
        host = env.get("OLLAMA_HOST", OLLAMA_DEFAULT_HOST).rstrip("/")
        if "://" not in host:
            host = f"http://{host}"
        return OpenAICompatibleEmbedder(
            name=spec, model=model, base_url=f"{host}/v1", api_key="ollama"
        )
    raise InputError(f"embeddings {spec!r}: unknown backend {prefix!r}; {_SPEC_HELP}")


def _url_embedder(spec: str, env: Mapping[str, str]) -> OpenAICompatibleEmbedder:
    from personae.memory.embeddings.openai_compatible import OpenAICompatibleEmbedder

    url, _, model = spec.partition("#")
    parts = urlsplit(url)
    if not model:
        raise InputError(
            f"embeddings {spec!r}: name the model after '#', e.g. {url}#nomic-embed-text"
        )
    if not parts.hostname:
        raise InputError(f"embeddings {spec!r}: the URL has no host; {_SPEC_HELP}")
    return OpenAICompatibleEmbedder(
        name=f"{url.rstrip('/')}#{model}",
        model=model,
        base_url=url,
        api_key=env.get("PERSONAE_EMBEDDINGS_API_KEY", "") or "not-needed",
    )
