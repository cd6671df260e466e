"""From a parsed spec to a backend instance, with keys read from the environment only."""

from __future__ import annotations

import os
from collections.abc import Mapping

from personae.llm.backend import Backend
from personae.llm.backends.scripted import ScriptedBackend
from personae.llm.errors import LLMConfigError
from personae.llm.settings import LLMSettings
from personae.llm.spec import BackendKind, BackendSpec

OPENAI_KEY_ENV = "OPENAI_API_KEY"
HTTP_KEY_ENV = "PERSONAE_LLM_API_KEY"


def api_key_for(spec: BackendSpec, settings: LLMSettings, env: Mapping[str, str]) -> str | None:
    """The key for an OpenAI-compatible spec. OPENAI_API_KEY goes only to api.openai.com: an
    http(s) spec reads its own variable, so a key is never sent to a server it was not meant for."""
    if spec.kind is BackendKind.OPENAI:
        key = env.get(OPENAI_KEY_ENV, "").strip()
        if not key:
            raise LLMConfigError(
                f"backend {spec.text!r} needs an API key: set {OPENAI_KEY_ENV} in the environment"
            )
        return key
    if spec.kind is BackendKind.HTTP:
        return env.get(settings.http.api_key_env or HTTP_KEY_ENV, "").strip() or None
    return None


def build_backend(
    spec: BackendSpec, settings: LLMSettings, env: Mapping[str, str] | None = None
) -> Backend:
    # Backends are imported on first use: the openai SDK alone takes about a second to import,
    # which a scripted run or `personae explain` should not pay.
    environ = os.environ if env is None else env
    if spec.kind is BackendKind.SCRIPTED:
        return ScriptedBackend(seed=settings.scripted_seed)
    if spec.kind is BackendKind.EMBEDDED:
        from personae.llm.backends.embedded import EmbeddedBackend

        return EmbeddedBackend(
            spec.path,
            n_ctx=settings.embedded.n_ctx,
            n_threads=settings.embedded.n_threads,
            contexts=settings.embedded.contexts,
            parallel=settings.embedded.parallel,
            state_cache_mb=settings.embedded.state_cache_mb,
            repeat_penalty=settings.embedded.repeat_penalty,
        )
    assert spec.base_url is not None
    assert spec.model is not None
    from personae.llm.backends.openai_compat import OpenAICompatibleBackend

    return OpenAICompatibleBackend(
        base_url=spec.base_url,
        model=spec.model,
        kind=spec.kind.value,
        api_key=api_key_for(spec, settings, environ),
        timeout_s=settings.http.timeout_s,
        stream_idle_timeout_s=settings.http.stream_idle_timeout_s,
        json_format=settings.http.json_format,
        local=spec.kind is BackendKind.OLLAMA,
    )
