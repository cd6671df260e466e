"""What goes into a chat call and what comes out: plain frozen dataclasses, cheap to build.

`CallContext` travels with a request but is never sent to a provider: the wrappers read it
(player budgets and rate limits, usage rows) and so do the scripted backend and the fallback lines
(the persona speaking, its listener, their affinity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from personae.domain import Persona, Purpose
from personae.llm.text import estimate_tokens


class Role(StrEnum):
    SYSTEM = "system"
    USER = "user"
    ASSISTANT = "assistant"


@dataclass(frozen=True, slots=True)
class Message:
    role: Role
    content: str


def system(content: str) -> Message:
    return Message(Role.SYSTEM, content)


def user(content: str) -> Message:
    return Message(Role.USER, content)


def assistant(content: str) -> Message:
    return Message(Role.ASSISTANT, content)


@dataclass(frozen=True, slots=True)
class CallContext:
    """Who a call is for and why; read by wrappers, never sent to a provider.

    `affinity` is the speaker's affinity to the listener (-100..100); `tier` the dynamics routing
    tier ("full", "constrained", "template") when the purpose is conversation; `wants_exit` says
    the speaker is about to leave, so a fallback line should be a goodbye.
    """

    player_id: str = "local"
    conversation_id: str | None = None
    persona: Persona | None = None
    listener_name: str | None = None
    affinity: float = 0.0
    topic: str | None = None
    purpose: Purpose = Purpose.CONVERSATION
    tier: str | None = None
    wants_exit: bool = False

    @property
    def persona_id(self) -> str | None:
        return self.persona.id if self.persona is not None else None


DEFAULT_CONTEXT = CallContext()


@dataclass(frozen=True, slots=True)
class ChatRequest:
    """One chat completion. `max_tokens=None` lets the stack apply its fixed per-tier value.

    `json_schema`, when given, asks for a reply that is a JSON document of that schema.
    """

    messages: tuple[Message, ...]
    temperature: float = 0.7
    top_p: float = 1.0
    max_tokens: int | None = None
    stop: tuple[str, ...] = ()
    seed: int | None = None
    json_schema: Mapping[str, Any] | None = None
    frequency_penalty: float = 0.0
    presence_penalty: float = 0.0
    context: CallContext = DEFAULT_CONTEXT
    prompt_estimate: int = field(init=False, repr=False, compare=False)
    """The prompt's tokens by `text.estimate_tokens`, computed once: the budget, the rate
    limits and the fallback chain each ask for it on every call."""

    def __post_init__(self) -> None:
        if not self.messages:
            raise ValueError("a chat request needs at least one message")
        object.__setattr__(
            self, "prompt_estimate", sum(estimate_tokens(m.content) for m in self.messages)
        )
        if not 0.0 <= self.temperature <= 2.0:
            raise ValueError(f"temperature must be 0-2, got {self.temperature}")
        if not 0.0 < self.top_p <= 1.0:
            raise ValueError(f"top_p must be in (0, 1], got {self.top_p}")
        for name in ("frequency_penalty", "presence_penalty"):
            if not -2.0 <= getattr(self, name) <= 2.0:
                raise ValueError(f"{name} must be -2..2, got {getattr(self, name)}")
        if self.max_tokens is not None and self.max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {self.max_tokens}")

    @classmethod
    def of(cls, messages: Sequence[Message], **options: Any) -> ChatRequest:
        return cls(messages=tuple(messages), **options)

    def with_max_tokens(self, max_tokens: int) -> ChatRequest:
        """This request with another `max_tokens`. The stack caps every call this way, so the
        copy keeps the prompt's estimate instead of counting its messages again (what
        `dataclasses.replace` would do, through `__post_init__`)."""
        if max_tokens < 1:
            raise ValueError(f"max_tokens must be at least 1, got {max_tokens}")
        copy = object.__new__(ChatRequest)
        for name in ChatRequest.__slots__:
            object.__setattr__(copy, name, getattr(self, name))
        object.__setattr__(copy, "max_tokens", max_tokens)
        return copy


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens


NO_USAGE = Usage()


@dataclass(frozen=True, slots=True)
class ChatResponse:
    """A reply. `backend` is the kind that produced it ("embedded", "openai", "ollama", "http",
    "scripted", or "fallback" for a fallback line); `latency_s` is that backend's own time.

    `attempts` counts tries of the backend that answered (more than 1: it was retried).
    `fallback_reason` is set when the reply is not the primary backend's: another backend in the
    chain answered, or a fallback line was used (`backend == "fallback"`); it says why.
    """

    text: str
    model: str
    backend: str
    usage: Usage = NO_USAGE
    latency_s: float = 0.0
    finish_reason: str | None = None
    attempts: int = 1
    fallback_reason: str | None = None

    @property
    def is_fallback(self) -> bool:
        return self.fallback_reason is not None

    @property
    def is_fallback_line(self) -> bool:
        return self.backend == FALLBACK_BACKEND


FALLBACK_BACKEND = "fallback"


@dataclass(frozen=True, slots=True)
class StreamChunk:
    """A piece of a streamed reply; the last chunk carries the whole `response` (with usage)."""

    text: str
    response: ChatResponse | None = field(default=None)
