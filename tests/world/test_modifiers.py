from __future__ import annotations

import pytest

from personae.domain import Priority
from personae.domain.world import Event, EventEffects, Room, RoomModifiers
from personae.world.catalog import shipped_events, shipped_rooms
from personae.world.events import active_events, events_in
from personae.world.modifiers import in_room, room_topics, settle
from tests.builders import persona

TAVERN = Room.model_validate(shipped_rooms()["tavern"])
FORTRESS = Room.model_validate(shipped_rooms()["fortress"])
RAID = Event.model_validate(shipped_events()["market_raid"])
FEAST = Event.model_validate(shipped_events()["royal_feast"])


def test_the_five_seed_rooms_and_two_events_ship() -> None:
    assert set(shipped_rooms()) == {"tavern", "market", "fortress", "court", "library"}
    assert set(shipped_events()) == {"market_raid", "royal_feast"}
    assert TAVERN.room_id == "ai_tavern"
    assert TAVERN.topic_bias == ["gossip", "rumors", "travelers", "local_events"]


def test_the_tavern_lifts_interest_energy_and_time() -> None:
    farmer = persona(
        "farmer", priority=Priority.CASUAL, interest=50, energy=60, available_time_s=300
    )
    inside = in_room(farmer, TAVERN).state
    assert inside.current_priority is Priority.SOCIAL
    assert (inside.interest_level, inside.social_energy) == (60, 65)
    assert inside.available_time_s == pytest.approx(360)


def test_a_room_never_makes_anyone_less_urgent() -> None:
    king = persona("king", priority=Priority.URGENT)
    assert in_room(king, TAVERN).state.current_priority is Priority.URGENT
    assert in_room(persona("tom"), FORTRESS).state.current_priority is Priority.URGENT


def test_a_view_leaves_the_base_persona_untouched() -> None:
    farmer = persona("farmer", available_time_s=300)
    once = in_room(farmer, TAVERN)
    assert in_room(farmer, TAVERN) == once
    assert farmer.state.available_time_s == 300


def test_an_event_overrides_priority_and_topics_and_adds_its_bonuses() -> None:
    market = Room.model_validate(shipped_rooms()["market"])
    merchant = persona("gorin", priority=Priority.CASUAL)
    assert in_room(merchant, market, [RAID]).state.current_priority is Priority.URGENT
    assert room_topics(market, [RAID]) == ["security", "escape", "danger"]
    assert room_topics(market) == market.topic_bias
    feasting = in_room(persona("p", energy=50, available_time_s=100), TAVERN, [FEAST]).state
    assert feasting.social_energy == 50 + 5 + 20
    assert feasting.available_time_s == pytest.approx(100 * 1.2 * 2)


def test_events_are_active_in_their_window_and_rooms() -> None:
    assert active_events([RAID, FEAST], 0) == []
    assert active_events([RAID, FEAST], 650) == [RAID, FEAST]
    assert active_events([RAID, FEAST], 950) == []
    assert events_in("ai_market", [RAID, FEAST]) == [RAID]


def test_repeating_and_endless_events() -> None:
    bells = Event(event_id="bells", affected_rooms=["x"], start_s=100, duration_s=10, every_s=60)
    assert [bells.active_at(t) for t in (99, 100, 109, 110, 160, 171)] == [
        False,
        True,
        True,
        False,
        True,
        False,
    ]
    forever = Event(event_id="war", affected_rooms=["x"], start_s=5, duration_s=0)
    assert forever.active_at(10**9)


def test_a_repeat_shorter_than_the_event_is_refused() -> None:
    with pytest.raises(ValueError, match="overlaps itself"):
        Event(event_id="x", affected_rooms=["r"], duration_s=100, every_s=50)


def test_settle_carries_the_conversation_back_to_the_base() -> None:
    base = persona("p", energy=60, interest=50, available_time_s=300).state
    start = in_room(persona("p", energy=60, interest=50, available_time_s=300), TAVERN).state
    end = start.model_copy(
        update={
            "social_energy": start.social_energy - 9,
            "interest_level": start.interest_level + 5,
            "interaction_fatigue": 12,
            "cooldown_until_s": 500,
        }
    )
    settled = settle(base, start, end, duration_s=80)
    assert (settled.social_energy, settled.interest_level) == (51, 55)
    assert (settled.interaction_fatigue, settled.cooldown_until_s) == (12, 500)
    assert settled.available_time_s == 220
    assert settled.current_priority is base.current_priority


def test_neutral_modifiers_change_nothing() -> None:
    plain = Room(
        room_id="hall",
        name="Hall",
        topic_bias=["x"],
        modifiers=RoomModifiers(),
        default_priority=Priority.NONE,
    )
    p = persona("p")
    assert in_room(p, plain) == p
    assert EventEffects().available_time_multiplier == 1
