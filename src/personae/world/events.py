"""Which events are active where and when."""

from __future__ import annotations

from collections.abc import Sequence

from personae.domain.world import Event


def active_events(events: Sequence[Event], now_s: float) -> list[Event]:
    return [event for event in events if event.active_at(now_s)]


def events_in(room_id: str, events: Sequence[Event]) -> list[Event]:
    return [event for event in events if room_id in event.affected_rooms]
