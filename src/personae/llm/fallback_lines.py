"""Seed 002's context-aware fallback lines: what a persona says when no model can answer.

The line depends on the speaker's affinity to the listener (high, medium, low) and on whether the
speaker is about to leave; it names the listener (as one addresses them: "Mara", not "Mara the
Tavern Keeper") and the topic when known, and prefers the persona's own exit lines for goodbyes.
A JSON-schema request gets a valid JSON document instead, built from its text. The reply is
labelled `backend="fallback"` and carries why it was used.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from enum import StrEnum

from personae.domain import Persona
from personae.llm.scripted_json import json_for_schema
from personae.llm.settings import FallbackLineSettings
from personae.llm.text import fill, form_of_address, humanize, seeded_rng
from personae.llm.types import FALLBACK_BACKEND, ChatRequest, ChatResponse, Role

FALLBACK_MODEL = "fallback-lines"


class AffinityBand(StrEnum):
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"


LINES: Mapping[AffinityBand, tuple[str, ...]] = {
    AffinityBand.HIGH: (
        "Ah, {listener}, you always keep me talking. Go on.",
        "Ha! Tell me more, {listener}. I'm listening.",
        "Forgive me, my mind wandered to {topic}. Where were we, my friend?",
        "You know I always have time for you, {listener}.",
    ),
    AffinityBand.MEDIUM: (
        "Hm. Let me think on that a moment.",
        "I see. And what do you make of it?",
        "Interesting. Tell me more about {topic}.",
        "Is that so? Go on.",
    ),
    AffinityBand.LOW: (
        "If you say so.",
        "Is that so.",
        "I have little to add to that.",
        "Mm.",
    ),
}

EXIT_LINES: Mapping[AffinityBand, tuple[str, ...]] = {
    AffinityBand.HIGH: (
        "I must go, {listener}, but we'll talk again soon.",
        "Duty calls, my friend. Until next time.",
    ),
    AffinityBand.MEDIUM: ("I should be going. Good day.", "Well, I'll leave you to it."),
    AffinityBand.LOW: ("We're done here.", "I have somewhere else to be."),
}


def affinity_band(affinity: float, settings: FallbackLineSettings) -> AffinityBand:
    if affinity >= settings.high_affinity_from:
        return AffinityBand.HIGH
    if affinity < settings.low_affinity_below:
        return AffinityBand.LOW
    return AffinityBand.MEDIUM


def favourite_topic(persona: Persona | None) -> str | None:
    if persona is None or not persona.topics:
        return None
    return max(persona.topics.items(), key=lambda item: (item[1], item[0]))[0]


class FallbackLines:
    """Builds fallback replies; choices are seeded by the call, so replays say the same lines."""

    def __init__(self, settings: FallbackLineSettings | None = None, seed: int = 0) -> None:
        self.settings = settings or FallbackLineSettings()
        self.seed = seed

    def line(self, request: ChatRequest, said: Collection[str] = ()) -> str:
        """A line for the request's speaker; one not among `said` (what the conversation has
        already heard) while the band has one left, so a talk does not hear "Mm." three times."""
        ctx = request.context
        rng = seeded_rng(self.seed, ctx.conversation_id, ctx.persona_id, len(request.messages))
        band = affinity_band(ctx.affinity, self.settings)
        if ctx.wants_exit:
            templates = _own_exit_lines(ctx.persona) or EXIT_LINES[band]
        else:
            templates = LINES[band]
        topic = humanize(ctx.topic or favourite_topic(ctx.persona) or "that")
        listener = form_of_address(ctx.listener_name) if ctx.listener_name else "friend"
        lines = [fill(t, listener=listener, topic=topic) for t in templates]
        chosen = rng.choice(lines)
        fresh = [line for line in lines if line not in said]
        return rng.choice(fresh) if chosen in said and fresh else chosen

    def response(self, request: ChatRequest, reason: str) -> ChatResponse:
        text = self.json_text(request) if request.json_schema is not None else self.line(request)
        return ChatResponse(
            text=text,
            model=FALLBACK_MODEL,
            backend=FALLBACK_BACKEND,
            finish_reason="fallback",
            fallback_reason=reason,
        )

    def json_text(self, request: ChatRequest) -> str:
        assert request.json_schema is not None
        source = "\n".join(m.content for m in request.messages if m.role is Role.USER)
        rng = seeded_rng(self.seed, "json", source)
        return json.dumps(json_for_schema(request.json_schema, source, rng))


def _own_exit_lines(persona: Persona | None) -> tuple[str, ...]:
    if persona is None:
        return ()
    lines = persona.exit_lines.get("any") or [
        line for lines in persona.exit_lines.values() for line in lines
    ]
    return tuple(lines)
