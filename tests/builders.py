"""Small builders for test data: a persona or a context with only the fields a test cares about."""

from __future__ import annotations

from typing import Any

from personae.domain import ConversationContext, InteractionState, Persona, Priority


def persona(
    persona_id: str = "p",
    *,
    status: int = 5,
    charisma: int = 10,
    topics: dict[str, int] | None = None,
    priority: Priority = Priority.CASUAL,
    available_time_s: float = 600,
    fatigue: float = 0,
    energy: float = 100,
    interest: float = 50,
    **fields: Any,
) -> Persona:
    return Persona(
        id=persona_id,
        name=fields.pop("name", persona_id.title()),
        status=status,
        charisma=charisma,
        topics=topics or {},
        state=InteractionState(
            current_priority=priority,
            available_time_s=available_time_s,
            interaction_fatigue=fatigue,
            social_energy=energy,
            interest_level=interest,
        ),
        **fields,
    )


def context(a: str = "a", b: str = "b", **fields: Any) -> ConversationContext:
    return ConversationContext(participants=[a, b], **fields)
