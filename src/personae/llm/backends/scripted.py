"""The scripted backend: no model, deterministic lines from the persona's own fields.

For tests, replays and as the template tier. A line draws on the persona's description, topics
(the more it cares about the topic, the keener the line) and exit lines, and on a word of what was
just said to it. Like a model reading its context, it does not say a line the prompt's
conversation has already heard (whoever said it, whatever filled its slots): a scripted run
exercises the quality gates as a real one does, not with a stream of rejected repeats.
A JSON-schema request gets a valid JSON document drawn from the request's text
(a summary, a list of facts...). The same request and seed always give the same reply, whatever
order calls arrive in. It labels itself: backend "scripted", model "scripted-templates".
"""

from __future__ import annotations

import json
import random
import re
import time
from collections.abc import AsyncIterator, Mapping
from functools import cache
from typing import Final

from personae.domain import Persona
from personae.llm.backend import BackendInfo
from personae.llm.fallback_lines import favourite_topic
from personae.llm.scripted_json import json_for_schema
from personae.llm.text import (
    estimate_tokens,
    fill,
    first_sentence,
    humanize,
    keyword,
    seeded_rng,
    truncate_to_tokens,
)
from personae.llm.types import ChatRequest, ChatResponse, Role, StreamChunk, Usage

SCRIPTED_MODEL: Final = "scripted-templates"
_WORDS: Final = re.compile(r"[a-z0-9']+")
_SLOT: Final = re.compile(r"\{\w+\}")
KEEN_FROM = 70
DULL_BELOW = 30

KEEN: Final = (
    "{Topic}! Now that is something I could talk about all day.",
    "Ah, {topic}. Few things matter more to me, {listener}.",
    "You know me: {description} So yes, {topic} is close to my heart.",
    "{Keyword}, you say? That brings me right back to {topic}.",
    "I have thought about {topic} more than anyone here, {listener}.",
    "Tell me everything you have heard about {topic}.",
    "{Keyword}! Yes, and that is only half of what {topic} is about.",
    "Nobody asks me about {topic} often enough. Go on.",
)
NEUTRAL: Final = (
    "{Keyword}? Hm. I suppose {topic} has its moments.",
    "Go on about {topic}, {listener}. I'm listening.",
    "{Topic}, fair enough. Though I'd rather hear about {favourite}.",
    "You know me: {description} I'll hear you out on {topic}.",
    "I know a little of {topic}, {listener}, not much more.",
    "{Keyword}... and what does that mean for {topic}?",
    "Perhaps. {Topic} is not the whole story, is it?",
)
DULL: Final = (
    "{Topic} again? I'd sooner talk about {favourite}.",
    "Mm. {Topic} is not really my concern, {listener}.",
    "{Keyword}... yes. Shall we talk about {favourite} instead?",
    "If we must speak of {topic}, let it be brief.",
    "{Keyword}? I leave {topic} to those who care for it.",
)
GENERIC: Final = (
    "{Keyword}? Tell me more.",
    "I hear you. What happened next?",
    "Interesting. Go on.",
    "{Keyword}, is it? I had not heard.",
)
# When every line of a persona's own kind has been said already: what anyone might say next.
FILLERS: Final = (
    "And then what, {listener}? You cannot stop at {keyword}.",
    "So {keyword} and {topic} go together, you think?",
    "I had not thought of {keyword} that way, {listener}.",
    "Hm, {keyword}. Say more about that.",
    "Fair. Where did you hear about {keyword}?",
)
DEFAULT_EXITS: Final = (
    "I should be going. Good day.",
    "Let us leave it there for now.",
    "Nice chatting with you.",
)


class ScriptedBackend:
    def __init__(self, seed: int = 0) -> None:
        self.seed = seed
        self._info = BackendInfo(
            kind="scripted",
            model=SCRIPTED_MODEL,
            location="built-in templates (not a language model)",
            local=True,
        )

    @property
    def info(self) -> BackendInfo:
        return self._info

    async def complete(self, request: ChatRequest) -> ChatResponse:
        started = time.perf_counter()
        text = self.reply_text(request)
        prompt = request.prompt_estimate
        return ChatResponse(
            text=text,
            model=SCRIPTED_MODEL,
            backend="scripted",
            usage=Usage(prompt, estimate_tokens(text)),
            latency_s=time.perf_counter() - started,
            finish_reason="stop",
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        response = await self.complete(request)
        words = response.text.split(" ")
        for i, word in enumerate(words):
            yield StreamChunk(word if i == 0 else " " + word)
        yield StreamChunk("", response)

    async def aclose(self) -> None:
        return None

    def reply_text(self, request: ChatRequest) -> str:
        rng = seeded_rng(
            self.seed,
            request.seed,
            [(m.role.value, m.content) for m in request.messages],
            request.context.persona_id,
        )
        if request.json_schema is not None:
            source = "\n".join(m.content for m in request.messages if m.role is Role.USER)
            return json.dumps(json_for_schema(request.json_schema, source, rng))
        ctx = request.context
        said = next(
            (m.content for m in reversed(request.messages) if m.role is not Role.SYSTEM), ""
        )
        persona = ctx.persona
        if ctx.wants_exit:
            own = [
                line for lines in (persona.exit_lines if persona else {}).values() for line in lines
            ]
            template = rng.choice(own or list(DEFAULT_EXITS))
            text = fill_line(template, persona, ctx.topic, ctx.listener_name, said)
        else:
            text = _fresh_line(request, rng, _templates(persona, ctx.topic), said)
        return truncate_to_tokens(text, request.max_tokens) if request.max_tokens else text


def _fresh_line(
    request: ChatRequest, rng: random.Random, templates: tuple[str, ...], said: str
) -> str:
    """A line from `templates` (tried in a seeded order, then `FILLERS`) that the conversation
    in the prompt has not heard yet, as a model that reads its context does not say the same
    thing twice; the first candidate when every one has been said."""
    ctx = request.context
    # One text of everything said, so a line still counts as heard behind a "Name: " tag.
    heard = " | ".join(
        _sentence_key(m.content) for m in request.messages if m.role is not Role.SYSTEM
    )
    order = [t for group in (templates, FILLERS) for t in rng.sample(group, len(group))]
    fresh = next((t for t in order if not _was_said(t, heard)), order[0])
    return fill_line(fresh, ctx.persona, ctx.topic, ctx.listener_name, said)


def _was_said(template: str, heard: str) -> bool:
    """Whether a line from `template` was said, whatever filled its slots: every fixed part of
    it is in `heard` (so "I know a little of trade, Ana" and "..., Bo" count as one line)."""
    fixed = _fixed_parts(template)
    return bool(fixed) and all(key in heard for key in fixed)


@cache
def _fixed_parts(template: str) -> tuple[str, ...]:
    """The template's words between its slots, as `_sentence_key`s (templates are constants)."""
    return tuple(key for part in _SLOT.split(template) if (key := _sentence_key(part)))


def _sentence_key(sentence: str) -> str:
    return " ".join(_WORDS.findall(sentence.lower()))


def _templates(persona: Persona | None, topic: str | None) -> tuple[str, ...]:
    if persona is None:
        return GENERIC
    if topic is None:
        return NEUTRAL
    interest = persona.topic_interest(topic)
    if interest >= KEEN_FROM:
        return KEEN
    if interest < DULL_BELOW:
        return DULL
    return NEUTRAL


def fill_line(
    template: str,
    persona: Persona | None,
    topic: str | None,
    listener: str | None,
    said: str,
) -> str:
    favourite = humanize(favourite_topic(persona) or "other things")
    subject = humanize(topic) if topic else favourite
    description = first_sentence(persona.description) if persona else ""
    values: Mapping[str, str] = {
        "topic": subject,
        "favourite": favourite,
        "listener": listener or "friend",
        "keyword": keyword(said, subject),
        "description": _lower_first(description) if description else "I say what I think.",
    }
    capitalised = {k[0].upper() + k[1:]: _upper_first(v) for k, v in values.items()}
    return fill(template, **values, **capitalised)


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:]


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]
