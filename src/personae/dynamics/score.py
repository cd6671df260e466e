"""The continue score: one 0-100 number that says whether a persona wants to keep talking.

Six components (seed 000), each a small pure function so it can be tested and explained alone:

| component        | points     | grows with                                           |
|------------------|------------|------------------------------------------------------|
| time pressure    | 0..30      | patience; decays with duration by priority and rank   |
| topic alignment  | 0..25      | mutual interest in the topic (0.7 avg + 0.3 min)      |
| social fit       | 0..20      | charisma of both, and fitting status (rank rules)     |
| fatigue penalty  | -15..0     | (subtracted) interaction fatigue                      |
| history          | -10..+15   | the pair's affinity                                   |
| resources        | 0..10      | remaining available time and token budget             |

Seed 000 writes the topic component as `min(25, pull)` with `pull` on a 0-100 scale, which is 25
for nearly every pair, so topic interest would never matter; we scale it instead: `25 * pull / 100`.

`personae.dynamics.batch` computes the same numbers for many rows at once; a property test keeps the
two equal, so any change here must be mirrored there.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from personae.domain.conversation import ConversationContext
from personae.domain.persona import Persona, Priority
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings, ScoreSettings


@dataclass(frozen=True, slots=True)
class Component:
    """One part of the continue score, with the points it gave and why."""

    name: str
    points: float
    low: float
    high: float
    reason: str


@dataclass(frozen=True, slots=True)
class ScoreBreakdown:
    """A persona's continue score towards one other participant, component by component."""

    persona_id: str
    other_id: str
    time_pressure: Component
    topic_alignment: Component
    social_fit: Component
    fatigue_penalty: Component
    history: Component
    resources: Component
    total: float
    threshold: float

    @property
    def continues(self) -> bool:
        return self.total >= self.threshold

    @property
    def components(self) -> tuple[Component, ...]:
        return (
            self.time_pressure,
            self.topic_alignment,
            self.social_fit,
            self.fatigue_penalty,
            self.history,
            self.resources,
        )


# -- the six components, as functions of plain numbers (the batch scorer mirrors these) --


def rank_excess(status_self: int, status_other: int, peer_gap: int) -> int:
    """How many ranks beyond the peer band separate the two; the sign says who is higher."""
    gap = status_self - status_other
    if gap > peer_gap:
        return gap - peer_gap
    if gap < -peer_gap:
        return gap + peer_gap
    return 0


def status_decay_per_s(excess: int, invited: bool, s: ScoreSettings) -> float:
    """Extra patience lost per second because of rank: high->low is curt, low->high brief."""
    if excess > 0:
        return s.high_to_low_decay_points_per_s_per_rank * excess
    if excess < 0 and not invited:
        return s.low_to_high_decay_points_per_s_per_rank * -excess
    return 0.0


def time_pressure_points(
    priority: Priority, duration_s: float, status_decay: float, s: ScoreSettings
) -> float:
    decay = s.time_decay_points_per_s[priority] + status_decay
    return max(0.0, s.time_pressure_max_points - duration_s * decay)


def effective_interest(preference: float, interest_level: float, s: ScoreSettings) -> float:
    """Topic preference lifted or lowered by the persona's current interest level."""
    shifted = preference + (interest_level - s.interest_level_neutral) * s.interest_level_weight
    return min(100.0, max(0.0, shifted))


def topic_pull(
    interest_self: float, interest_other: float, drift_count: int, s: ScoreSettings
) -> float:
    """Mutual interest 0-100; favours interest both share over one-sided enthusiasm."""
    average = (interest_self + interest_other) / 2
    lowest = min(interest_self, interest_other)
    pull = average * s.topic_avg_weight + lowest * s.topic_min_weight
    if drift_count > s.topic_drift_free_changes:
        pull *= s.topic_drift_multiplier
    return pull


def topic_points(pull: float, s: ScoreSettings) -> float:
    return s.topic_max_points * pull / 100.0


def social_points(
    charisma_self: int, charisma_other: int, excess: int, invited: bool, s: ScoreSettings
) -> float:
    """Half from the pair's charisma (3..18 each), half from how well their ranks fit."""
    half = s.social_max_points / 2
    charisma_part = half * (charisma_self + charisma_other - 6) / 30.0
    if excess > 0:
        status_penalty = s.high_to_low_points_per_rank * excess
    elif excess < 0 and not invited:
        status_penalty = s.low_to_high_points_per_rank * -excess
    else:
        status_penalty = 0.0
    return charisma_part + max(0.0, half - status_penalty)


def fatigue_penalty_points(fatigue: float, s: ScoreSettings) -> float:
    return min(s.fatigue_max_penalty, math.floor(fatigue / s.fatigue_penalty_divisor))


def history_points(affinity: float, s: ScoreSettings) -> float:
    if affinity >= 0:
        return s.history_max_bonus * affinity / 100.0
    return s.history_max_penalty * affinity / 100.0


def resource_points(remaining_time_s: float, token_budget: int, s: ScoreSettings) -> float:
    points = s.resource_max_points
    if remaining_time_s < s.resource_low_time_s:
        points = max(0.0, math.floor(remaining_time_s / s.resource_time_divisor_s))
    if token_budget < s.resource_low_tokens:
        points = min(points, max(0.0, float(token_budget // s.resource_token_divisor)))
    return points


def clamp_total(total: float) -> float:
    return max(0.0, min(100.0, total))


# -- the scalar scorer --


@dataclass(slots=True)  # not frozen: built twice a turn, and a frozen init costs twice as much
class _Points:
    """The six components' points and what they were computed from, before any wording."""

    excess: int
    invited: bool
    own_interest: float
    their_interest: float
    pull: float
    time: float
    topic: float
    social: float
    fatigue: float
    history: float
    resources: float
    remaining_s: float

    @property
    def total(self) -> float:
        return clamp_total(
            self.time + self.topic + self.social - self.fatigue + self.history + self.resources
        )


def _points(
    persona: Persona,
    other: Persona,
    context: ConversationContext,
    affinity: float,
    s: ScoreSettings,
) -> _Points:
    state = persona.state
    duration = context.duration_s
    excess = rank_excess(persona.status, other.status, s.peer_rank_gap)
    invited = bool(context.invited) and other.id in context.invited
    status_decay = status_decay_per_s(excess, invited, s)
    own = effective_interest(
        persona.topic_interest(context.topic, s.topic_unknown_interest), state.interest_level, s
    )
    theirs = effective_interest(
        other.topic_interest(context.topic, s.topic_unknown_interest), other.state.interest_level, s
    )
    pull = topic_pull(own, theirs, context.topic_drift_count, s)
    remaining = state.available_time_s - duration
    return _Points(
        excess=excess,
        invited=invited,
        own_interest=own,
        their_interest=theirs,
        pull=pull,
        time=time_pressure_points(state.current_priority, duration, status_decay, s),
        topic=topic_points(pull, s),
        social=social_points(persona.charisma, other.charisma, excess, invited, s),
        fatigue=fatigue_penalty_points(state.interaction_fatigue, s),
        history=history_points(affinity, s),
        resources=resource_points(remaining, context.token_budget, s),
        remaining_s=remaining,
    )


def continue_total(
    persona: Persona,
    other: Persona,
    context: ConversationContext,
    affinity: float = 0.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> float:
    """`continue_score(...).total` without the breakdown's wording: what a conversation asks of
    every participant on every turn."""
    return _points(persona, other, context, affinity, settings.score).total


def continue_score(
    persona: Persona,
    other: Persona,
    context: ConversationContext,
    affinity: float = 0.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> ScoreBreakdown:
    """How much `persona` wants to keep talking with `other` in `context`, and why.

    `persona.state.available_time_s` is the time the persona had when the conversation began;
    what is left is that minus `context.duration_s`.
    """
    s = settings.score
    state = persona.state
    duration = context.duration_s
    p = _points(persona, other, context, affinity, s)
    time_reason = _time_reason(state.current_priority, duration, p.excess, p.invited, s)
    drifted = context.topic_drift_count > s.topic_drift_free_changes
    topic_reason = (
        f"{context.topic!r}: own interest {p.own_interest:.0f}, {other.name}'s "
        f"{p.their_interest:.0f}, pull {p.pull:.1f}"
        + (
            f" (x{s.topic_drift_multiplier} after {context.topic_drift_count} drifts)"
            if drifted
            else ""
        )
    )
    social_reason = f"charisma {persona.charisma} and {other.charisma}; " + _status_reason(
        persona.status, other.status, p.excess, p.invited
    )
    return ScoreBreakdown(
        persona_id=persona.id,
        other_id=other.id,
        time_pressure=Component(
            "time pressure", p.time, 0, s.time_pressure_max_points, time_reason
        ),
        topic_alignment=Component("topic alignment", p.topic, 0, s.topic_max_points, topic_reason),
        social_fit=Component("social fit", p.social, 0, s.social_max_points, social_reason),
        fatigue_penalty=Component(
            "fatigue penalty",
            -p.fatigue,
            -s.fatigue_max_penalty,
            0,
            f"fatigue {state.interaction_fatigue:.0f}/100",
        ),
        history=Component(
            "history",
            p.history,
            -s.history_max_penalty,
            s.history_max_bonus,
            f"affinity {affinity:+.0f} with {other.name}",
        ),
        resources=Component(
            "resources",
            p.resources,
            0,
            s.resource_max_points,
            f"{max(0.0, p.remaining_s):.0f} s of available time left, "
            f"token budget {context.token_budget}",
        ),
        total=p.total,
        threshold=s.continue_threshold,
    )


def group_continue_score(
    persona: Persona,
    others: list[Persona],
    context: ConversationContext,
    affinities: dict[str, float] | None = None,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> tuple[float, list[ScoreBreakdown]]:
    """A persona's score in a group: the mean of its scores towards each other participant.

    In a conversation of three or more, every persona decides for itself with this score; the
    conversation ends when fewer than two are still willing.
    """
    if not others:
        raise ValueError("a group score needs at least one other participant")
    affinities = affinities or {}
    breakdowns = [
        continue_score(persona, other, context, affinities.get(other.id, 0.0), settings)
        for other in others
    ]
    return sum(b.total for b in breakdowns) / len(breakdowns), breakdowns


def group_continue_total(
    persona: Persona,
    others: list[Persona],
    context: ConversationContext,
    affinities: dict[str, float] | None = None,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> float:
    """`group_continue_score`'s score alone (no breakdowns): the per-turn hot path."""
    if not others:
        raise ValueError("a group score needs at least one other participant")
    affinities = affinities or {}
    s = settings.score
    totals = [_points(persona, o, context, affinities.get(o.id, 0.0), s).total for o in others]
    return sum(totals) / len(totals)


def _time_reason(
    priority: Priority, duration_s: float, excess: int, invited: bool, s: ScoreSettings
) -> str:
    rate = s.time_decay_points_per_s[priority]
    reason = f"priority {priority.value}"
    if rate:
        reason += f" loses {rate:g} pt/s"
    if excess > 0:
        reason += f"; higher rank (+{excess}) keeps it short"
    elif excess < 0 and not invited:
        reason += f"; lower rank ({excess}) keeps it brief unless invited"
    return reason + f"; {duration_s:.0f} s elapsed"


def _status_reason(status_self: int, status_other: int, excess: int, invited: bool) -> str:
    if excess == 0:
        return f"peers (rank {status_self} and {status_other})"
    if excess > 0:
        return f"speaking down (rank {status_self} to {status_other})"
    if invited:
        return f"speaking up by invitation (rank {status_self} to {status_other})"
    return f"speaking up uninvited (rank {status_self} to {status_other})"
