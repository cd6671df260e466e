"""Small builders of domain objects for the store tests."""

from __future__ import annotations

from personae.domain import (
    BigFive,
    ConversationRecord,
    InteractionState,
    Memory,
    MemoryKind,
    Persona,
    Priority,
    Turn,
)


def persona(persona_id: str = "bard", **changes: object) -> Persona:
    fields: dict[str, object] = {
        "id": persona_id,
        "name": persona_id.title(),
        "description": f"{persona_id} of the tavern",
        "status": 4,
        "charisma": 15,
        "intelligence": 72,
        "big_five": BigFive(openness=80, neuroticism=35),
        "topics": {"music": 95, "grain_prices": 10, "dragons": 60},
        "state": InteractionState(
            interest_level=61.5,
            interaction_fatigue=12.25,
            current_priority=Priority.SOCIAL,
            available_time_s=420.0,
            social_energy=150.0,
            cooldown_until_s=33.5,
        ),
        "attracted_to": frozenset({"innkeeper"}),
        "exit_lines": {"fatigue": ["I must rest my voice."], "time": ["The hour is late."]},
    }
    fields.update(changes)
    return Persona.model_validate(fields)


def conversation(
    conversation_id: str = "c1",
    participants: tuple[str, ...] = ("bard", "smith"),
    **changes: object,
) -> ConversationRecord:
    fields: dict[str, object] = {
        "id": conversation_id,
        "participants": list(participants),
        "topic": "dragons",
        "room_id": "tavern",
        "started_at_s": 100.0,
        "token_budget": 800,
    }
    fields.update(changes)
    return ConversationRecord.model_validate(fields)


def turn(index: int, conversation_id: str = "c1", **changes: object) -> Turn:
    speaker, listener = ("bard", "smith") if index % 2 == 0 else ("smith", "bard")
    fields: dict[str, object] = {
        "conversation_id": conversation_id,
        "index": index,
        "speaker_id": speaker,
        "listener_ids": [listener],
        "text": f"Line {index}: have you heard of the dragon?",
        "raw_text": f"Line {index}: um, have you heard of the dragon?",
        "tier": "full",
        "score": 71.25,
        "scores": {"bard": 71.25, "smith": 55.5 - index * 0.1},
        "initiative_roll": 17 if index == 0 else None,
        "quality": {"words": 8.0, "on_topic": 0.9},
        "prompt_tokens": 410 + index,
        "completion_tokens": 22,
        "cost_usd": 0.000123,
        "world_time_s": 100.0 + 6.5 * index,
    }
    fields.update(changes)
    return Turn.model_validate(fields)


def memory(memory_id: str, owner_id: str = "bard", **changes: object) -> Memory:
    fields: dict[str, object] = {
        "id": memory_id,
        "owner_id": owner_id,
        "kind": MemoryKind.FACT,
        "text": f"fact {memory_id}",
        "importance": 6,
        "about_id": "smith",
        "created_at_s": 10.0,
        "last_accessed_s": 10.0,
    }
    fields.update(changes)
    return Memory.model_validate(fields)
