"""`personae llm check`: which backend a spec names, where its model lives, one line and its speed.

The check calls the backend directly, without the fallback chain, so a failure shows as one
clear error instead of being papered over by a fallback line.
"""

from __future__ import annotations

import importlib.metadata
import time
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from typing import Any

from personae.llm.backends.embedded import MODEL_PACKAGE, EmbeddedBackend
from personae.llm.errors import BackendError
from personae.llm.factory import build_backend
from personae.llm.settings import LLMSettings
from personae.llm.spec import BackendKind, SpecChoice, parse_spec
from personae.llm.types import ChatRequest, system, user

CHECK_SYSTEM = "You are Mara, the cheerful keeper of a village tavern. Answer in two sentences."
CHECK_PROMPT = "A traveller walks in from the rain. Greet them and offer them a seat by the fire."


class CheckFailed(BackendError):
    """The backend named for the check could not answer."""


@dataclass(frozen=True, slots=True)
class CheckResult:
    spec: str
    source: str
    kind: str
    model: str
    location: str
    origin: str
    local: bool
    load_s: float
    warmup_s: float
    text: str
    prompt_tokens: int
    completion_tokens: int
    latency_s: float

    @property
    def tokens_per_s(self) -> float:
        return self.completion_tokens / self.latency_s if self.latency_s > 0 else 0.0

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "tokens_per_s": round(self.tokens_per_s, 1)}


def model_origin(kind: BackendKind, packaged: bool) -> str:
    if kind is BackendKind.EMBEDDED:
        if not packaged:
            return "a GGUF file given in the spec"
        version = importlib.metadata.version(MODEL_PACKAGE)
        return f"the installed package {MODEL_PACKAGE} {version}"
    if kind is BackendKind.SCRIPTED:
        return "built-in templates: not a language model"
    return "the server at this address"


async def check_backend(
    choice: SpecChoice,
    settings: LLMSettings,
    prompt: str = CHECK_PROMPT,
    env: Mapping[str, str] | None = None,
) -> CheckResult:
    spec = parse_spec(choice.text, choice.source, env)
    backend = build_backend(spec, settings, env)
    try:
        load_s = warmup_s = 0.0
        if isinstance(backend, EmbeddedBackend):
            load_s = await backend.load()
            # llama.cpp's first evaluation is several times slower than the next ones (it
            # faults in the weights and sets up its buffers): time it apart from the speed.
            started = time.perf_counter()
            await backend.complete(ChatRequest.of([user("Hello")], max_tokens=1))
            warmup_s = time.perf_counter() - started
        request = ChatRequest.of(
            [system(CHECK_SYSTEM), user(prompt)],
            max_tokens=settings.max_tokens.conversation,
            temperature=0.7,
            seed=0,
        )
        started = time.perf_counter()
        try:
            response = await backend.complete(request)
        except BackendError as error:
            raise CheckFailed(
                f"{choice.text} (from {choice.source}) did not answer: {error}", reason=error.reason
            ) from error
        latency = response.latency_s or (time.perf_counter() - started)
    finally:
        await backend.aclose()
    info = backend.info
    return CheckResult(
        spec=choice.text,
        source=choice.source,
        kind=info.kind,
        model=response.model,
        location=info.location,
        origin=model_origin(spec.kind, packaged=spec.path is None),
        local=info.local,
        load_s=load_s,
        warmup_s=warmup_s,
        text=response.text,
        prompt_tokens=response.usage.prompt_tokens,
        completion_tokens=response.usage.completion_tokens,
        latency_s=latency,
    )
