"""What happened in a run, in numbers (seed 000's "Observation and Metrics"). Pure functions.

Definitions shared by every report:
- a conversation's *duration* is world seconds from its start to its end (to the run's clock
  while it still runs);
- a conversation's *score* is the mean of its turns' continue scores; a room's average continue
  score is the mean of its conversations' scores (seed 000's `analyze_room_dynamics`);
- *talk time* is words spoken: personae estimates speaking time from the word count, so a share of
  words is a share of talk time;
- *cost* of a turn may be unknown (None: the model has no known price). Unknown is never counted
  as $0: `Usage.cost_usd` is None as soon as one turn is unpriced, and `known_cost_usd` says how
  much of the total is known.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import accumulate

from personae.analytics.run_data import RunData
from personae.domain import ConversationRecord, ConversationStatus, Migration, Turn

SECONDS_PER_HOUR = 3600.0


def ranked(counts: Mapping[str, int]) -> dict[str, int]:
    """Counts ordered by count (highest first), then by name: a stable order for reports."""
    return dict(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def mean(values: Iterable[float]) -> float | None:
    """The arithmetic mean, or None for no values (a report says "none", not 0)."""
    items = list(values)
    return math.fsum(items) / len(items) if items else None


def words(text: str) -> int:
    return len(text.split())


# Usage: tokens and cost -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Usage:
    """LLM usage of some spoken lines. `cost_usd` is None when any line's price is unknown."""

    prompt_tokens: int = 0
    completion_tokens: int = 0
    known_cost_usd: float = 0.0
    unpriced_turns: int = 0

    @property
    def total_tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens

    @property
    def cost_usd(self) -> float | None:
        return None if self.unpriced_turns else self.known_cost_usd


def usage_of(turns: Iterable[Turn]) -> Usage:
    prompt = completion = unpriced = 0
    known: list[float] = []
    for turn in turns:
        prompt += turn.prompt_tokens
        completion += turn.completion_tokens
        if turn.cost_usd is None:
            unpriced += 1
        else:
            known.append(turn.cost_usd)
    return Usage(prompt, completion, math.fsum(known), unpriced)


# Conversations ----------------------------------------------------------------------------


def mean_score(turns: Sequence[Turn]) -> float | None:
    """A conversation's continue score: the mean of its turns' scores."""
    return mean(t.score for t in turns)


def conversation_score(run: RunData, conversation: ConversationRecord) -> float | None:
    return mean_score(run.turns_of(conversation.id))


def listeners_of(turn: Turn, conversation: ConversationRecord) -> list[str]:
    """Who a line was spoken to: the turn's listeners, else everyone else in the conversation."""
    if turn.listener_ids:
        return list(turn.listener_ids)
    return [p for p in conversation.participants if p != turn.speaker_id]


# Tick intervals ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TickWindow:
    """One tick of world time, [start_s, end_s)."""

    tick: int
    start_s: float
    end_s: float


def tick_windows(run: RunData) -> list[TickWindow]:
    """The ticks the run covered; the last one may be partial when the clock stopped mid-tick."""
    count = math.ceil(run.span_s / run.tick_s - 1e-9) if run.span_s > 0 else 0
    windows = []
    for k in range(count):
        start = run.start_s + k * run.tick_s
        windows.append(TickWindow(k, start, min(start + run.tick_s, run.clock_s)))
    return windows


# Per-room dynamics ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RoomDynamics:
    """One room's activity over the run (seed 000's dashboard figures)."""

    room_id: str
    name: str
    conversations: int
    active_conversations: int
    turns: int
    conversations_per_hour: float | None
    avg_duration_s: float | None
    avg_continue_score: float | None
    topic_distribution: dict[str, int]
    participant_frequency: dict[str, int]
    exit_reasons: dict[str, int]
    usage: Usage

    def dominant_topics(self, top: int = 3) -> list[str]:
        return list(self.topic_distribution)[:top]

    def most_active_personas(self, top: int = 3) -> list[str]:
        return list(self.participant_frequency)[:top]


def _room_ids(run: RunData) -> list[str]:
    """The run's rooms in their declared order, then any room only a conversation names."""
    ids = [room.room_id for room in run.rooms]
    extra = {c.room_id for c in run.conversations if c.room_id is not None} - set(ids)
    return ids + sorted(extra)


def room_dynamics(run: RunData) -> list[RoomDynamics]:
    """Per-room figures, one entry per room (also rooms where nothing happened)."""
    hours = run.span_s / SECONDS_PER_HOUR
    result = []
    for room_id in _room_ids(run):
        conversations = run.conversations_in(room_id)
        turns = [t for c in conversations for t in run.turns_of(c.id)]
        room = run.room(room_id)
        ended = [c for c in conversations if c.status is ConversationStatus.ENDED]
        result.append(
            RoomDynamics(
                room_id=room_id,
                name=room.name if room is not None else room_id,
                conversations=len(conversations),
                active_conversations=len(conversations) - len(ended),
                turns=len(turns),
                conversations_per_hour=len(conversations) / hours if hours > 0 else None,
                avg_duration_s=mean(run.duration_s(c) for c in conversations),
                avg_continue_score=mean(
                    s for c in conversations if (s := conversation_score(run, c)) is not None
                ),
                topic_distribution=ranked(Counter(c.topic for c in conversations)),
                participant_frequency=ranked(
                    Counter(p for c in conversations for p in c.participants)
                ),
                exit_reasons=ranked(Counter(c.exit_reason or "unknown" for c in ended)),
                usage=usage_of(turns),
            )
        )
    return result


@dataclass(frozen=True, slots=True)
class RoomActivity:
    """Per tick and room: conversations in progress and lines spoken during the tick."""

    windows: tuple[TickWindow, ...]
    active_conversations: dict[str, tuple[int, ...]]
    lines: dict[str, tuple[int, ...]]


def _in_progress(start: float, end: float, window: TickWindow) -> bool:
    if end <= start:  # a conversation with no length belongs to the tick it started in
        return window.start_s <= start < window.end_s
    return start < window.end_s and end > window.start_s


def _in_window(at_s: float, window: TickWindow, last: bool) -> bool:
    return window.start_s <= at_s < window.end_s or (last and at_s == window.end_s)


def room_activity(run: RunData) -> RoomActivity:
    windows = tick_windows(run)
    active: dict[str, tuple[int, ...]] = {}
    lines: dict[str, tuple[int, ...]] = {}
    for room_id in _room_ids(run):
        conversations = run.conversations_in(room_id)
        spans = [(c.started_at_s, c.started_at_s + run.duration_s(c)) for c in conversations]
        times = [t.world_time_s for c in conversations for t in run.turns_of(c.id)]
        active[room_id] = tuple(
            sum(_in_progress(start, end, w) for start, end in spans) for w in windows
        )
        lines[room_id] = tuple(
            sum(_in_window(at, w, last=i == len(windows) - 1) for at in times)
            for i, w in enumerate(windows)
        )
    return RoomActivity(tuple(windows), active, lines)


# Persona trajectories ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EnergyPoint:
    tick: int
    at_s: float
    room_id: str
    social_energy: float
    interaction_fatigue: float
    talking: bool


@dataclass(frozen=True, slots=True)
class PersonaTrajectory:
    """Where a persona went, how it felt over time, and how much of the talking it did."""

    persona_id: str
    name: str
    rooms_visited: tuple[str, ...]
    conversations: int
    lines: int
    words: int
    talk_share: float | None
    energy: tuple[EnergyPoint, ...]


def rooms_visited(run: RunData, persona_id: str) -> tuple[str, ...]:
    """Rooms in the order the persona was in them: its first room, then each migration's target.

    The first room comes from the earliest snapshot, else from the first migration.
    """
    snapshots = run.snapshots_of(persona_id)
    moves = run.migrations_of(persona_id)
    first = snapshots[0].room_id if snapshots else (moves[0].from_room if moves else None)
    path = [first] if first is not None else []
    for move in moves:
        if not path or path[-1] != move.to_room:
            path.append(move.to_room)
    return tuple(path)


def persona_trajectories(run: RunData) -> list[PersonaTrajectory]:
    spoken = Counter[str]()
    lines = Counter[str]()
    for turn in run.turns:
        spoken[turn.speaker_id] += words(turn.text)
        lines[turn.speaker_id] += 1
    joined = Counter(p for c in run.conversations for p in c.participants)
    total_words = sum(spoken.values())
    result = []
    for persona in run.personas:
        snapshots = run.snapshots_of(persona.id)
        result.append(
            PersonaTrajectory(
                persona_id=persona.id,
                name=persona.name,
                rooms_visited=rooms_visited(run, persona.id),
                conversations=joined[persona.id],
                lines=lines[persona.id],
                words=spoken[persona.id],
                talk_share=spoken[persona.id] / total_words if total_words else None,
                energy=tuple(
                    EnergyPoint(
                        s.tick,
                        s.at_s,
                        s.room_id,
                        s.social_energy,
                        s.interaction_fatigue,
                        s.talking,
                    )
                    for s in snapshots
                ),
            )
        )
    return result


def talk_shares(run: RunData) -> dict[str, float]:
    """Each speaker's share of all words spoken in the run (empty when nobody spoke)."""
    spoken = Counter[str]()
    for turn in run.turns:
        spoken[turn.speaker_id] += words(turn.text)
    total = sum(spoken.values())
    return {pid: n / total for pid, n in sorted(spoken.items())} if total else {}


# Migrations -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MigrationSummary:
    total: int
    by_route: dict[str, int]
    by_reason: dict[str, int]
    net_flow: dict[str, int]
    migrations: tuple[Migration, ...]


def route(migration: Migration) -> str:
    return f"{migration.from_room} -> {migration.to_room}"


def migration_summary(run: RunData) -> MigrationSummary:
    """Who moved where and why; `net_flow` is arrivals minus departures per room."""
    moves = tuple(sorted(run.migrations, key=lambda m: (m.at_s, m.persona_id)))
    flow = Counter[str]({room_id: 0 for room_id in _room_ids(run)})
    for move in moves:
        flow[move.from_room] -= 1
        flow[move.to_room] += 1
    return MigrationSummary(
        total=len(moves),
        by_route=ranked(Counter(route(m) for m in moves)),
        by_reason=ranked(Counter(m.reason or "unknown" for m in moves)),
        net_flow=dict(flow),
        migrations=moves,
    )


# Usage over time --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class UsagePoint:
    """Usage up to the end of one tick (cumulative)."""

    tick: int
    at_s: float
    tokens: int
    known_cost_usd: float
    unpriced_turns: int


def usage_over_time(run: RunData) -> list[UsagePoint]:
    """Cumulative usage at the end of each tick; the last tick also takes lines stamped at or
    after the clock."""
    turns = sorted(run.turns, key=lambda t: t.world_time_s)
    times = [t.world_time_s for t in turns]
    tokens = list(accumulate((t.prompt_tokens + t.completion_tokens for t in turns), initial=0))
    known = [0.0]
    unpriced = [0]
    for turn in turns:
        known.append(known[-1] + (turn.cost_usd or 0.0))
        unpriced.append(unpriced[-1] + (turn.cost_usd is None))
    windows = tick_windows(run)
    points = []
    for i, window in enumerate(windows):
        upto = len(turns) if i == len(windows) - 1 else bisect_left(times, window.end_s)
        points.append(
            UsagePoint(window.tick, window.end_s, tokens[upto], known[upto], unpriced[upto])
        )
    return points
