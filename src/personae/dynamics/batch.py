"""The continue score for many (persona, other, context) rows at once, with numpy.

Every line mirrors a function of `personae.dynamics.score`, in the same order of operations, so
the results are equal to the scalar scorer's, not merely close (a property test checks this).
A world tick scores every candidate pair of every room in one call.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt

from personae.domain.conversation import ConversationContext
from personae.domain.persona import Persona, Priority
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

PRIORITY_CODES: dict[Priority, int] = {priority: code for code, priority in enumerate(Priority)}


@dataclass(frozen=True, slots=True)
class ScoreRows:
    """Column arrays, one entry per (persona, other, context) row. All must have one length."""

    priority: IntArray  # codes from PRIORITY_CODES
    duration_s: FloatArray
    status_self: IntArray
    status_other: IntArray
    invited: BoolArray  # the other is higher-ranked and invited the persona to go on
    charisma_self: IntArray
    charisma_other: IntArray
    preference_self: FloatArray
    interest_self: FloatArray
    preference_other: FloatArray
    interest_other: FloatArray
    drift_count: IntArray
    fatigue: FloatArray
    affinity: FloatArray
    available_time_s: FloatArray
    token_budget: IntArray

    def __len__(self) -> int:
        return int(self.duration_s.shape[0])

    def __post_init__(self) -> None:
        lengths = {f.name: getattr(self, f.name).shape for f in fields(self)}
        if len(set(lengths.values())) != 1:
            raise ValueError(f"score rows must all have one length, got {lengths}")

    @classmethod
    def from_pairs(
        cls,
        pairs: Sequence[tuple[Persona, Persona, ConversationContext, float]],
        settings: DynamicsSettings = DEFAULT_SETTINGS,
    ) -> ScoreRows:
        """Rows from (persona, other, context, affinity) tuples, as the scalar scorer takes them."""
        unknown = settings.score.topic_unknown_interest
        return cls(
            priority=np.array(
                [PRIORITY_CODES[p.state.current_priority] for p, _, _, _ in pairs], dtype=np.int64
            ),
            duration_s=np.array([c.duration_s for _, _, c, _ in pairs], dtype=np.float64),
            status_self=np.array([p.status for p, _, _, _ in pairs], dtype=np.int64),
            status_other=np.array([o.status for _, o, _, _ in pairs], dtype=np.int64),
            invited=np.array([o.id in c.invited for _, o, c, _ in pairs], dtype=np.bool_),
            charisma_self=np.array([p.charisma for p, _, _, _ in pairs], dtype=np.int64),
            charisma_other=np.array([o.charisma for _, o, _, _ in pairs], dtype=np.int64),
            preference_self=np.array(
                [p.topic_interest(c.topic, unknown) for p, _, c, _ in pairs], dtype=np.float64
            ),
            interest_self=np.array(
                [p.state.interest_level for p, _, _, _ in pairs], dtype=np.float64
            ),
            preference_other=np.array(
                [o.topic_interest(c.topic, unknown) for _, o, c, _ in pairs], dtype=np.float64
            ),
            interest_other=np.array(
                [o.state.interest_level for _, o, _, _ in pairs], dtype=np.float64
            ),
            drift_count=np.array([c.topic_drift_count for _, _, c, _ in pairs], dtype=np.int64),
            fatigue=np.array(
                [p.state.interaction_fatigue for p, _, _, _ in pairs], dtype=np.float64
            ),
            affinity=np.array([a for _, _, _, a in pairs], dtype=np.float64),
            available_time_s=np.array(
                [p.state.available_time_s for p, _, _, _ in pairs], dtype=np.float64
            ),
            token_budget=np.array([c.token_budget for _, _, c, _ in pairs], dtype=np.int64),
        )


def batch_continue_scores(
    rows: ScoreRows, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> FloatArray:
    """The total continue score of every row, equal to `continue_score(...).total`."""
    s = settings.score
    peer = s.peer_rank_gap

    gap = rows.status_self - rows.status_other
    excess = np.where(gap > peer, gap - peer, np.where(gap < -peer, gap + peer, 0))
    down = excess > 0
    up_uninvited = (excess < 0) & ~rows.invited

    # time pressure
    decay_table = np.array([s.time_decay_points_per_s[p] for p in Priority], dtype=np.float64)
    status_decay = np.where(
        down,
        s.high_to_low_decay_points_per_s_per_rank * excess,
        np.where(up_uninvited, s.low_to_high_decay_points_per_s_per_rank * -excess, 0.0),
    )
    decay = decay_table[rows.priority] + status_decay
    total = np.maximum(0.0, s.time_pressure_max_points - rows.duration_s * decay)

    # topic alignment
    own = _effective_interest(rows.preference_self, rows.interest_self, settings)
    theirs = _effective_interest(rows.preference_other, rows.interest_other, settings)
    pull = ((own + theirs) / 2) * s.topic_avg_weight + np.minimum(own, theirs) * s.topic_min_weight
    pull = np.where(
        rows.drift_count > s.topic_drift_free_changes, pull * s.topic_drift_multiplier, pull
    )
    total += s.topic_max_points * pull / 100.0

    # social fit
    half = s.social_max_points / 2
    charisma_part = half * (rows.charisma_self + rows.charisma_other - 6) / 30.0
    status_penalty = np.where(
        down,
        s.high_to_low_points_per_rank * excess,
        np.where(up_uninvited, s.low_to_high_points_per_rank * -excess, 0.0),
    )
    total += charisma_part + np.maximum(0.0, half - status_penalty)

    # fatigue penalty
    total -= np.minimum(s.fatigue_max_penalty, np.floor(rows.fatigue / s.fatigue_penalty_divisor))

    # relationship history
    total += np.where(
        rows.affinity >= 0,
        s.history_max_bonus * rows.affinity / 100.0,
        s.history_max_penalty * rows.affinity / 100.0,
    )

    # resources
    remaining = rows.available_time_s - rows.duration_s
    resources = np.where(
        remaining < s.resource_low_time_s,
        np.maximum(0.0, np.floor(remaining / s.resource_time_divisor_s)),
        s.resource_max_points,
    )
    token_points = np.maximum(
        0.0, (rows.token_budget // s.resource_token_divisor).astype(np.float64)
    )
    resources = np.where(
        rows.token_budget < s.resource_low_tokens, np.minimum(resources, token_points), resources
    )
    total += resources

    return np.clip(total, 0.0, 100.0)


def _effective_interest(
    preference: FloatArray, interest_level: FloatArray, settings: DynamicsSettings
) -> FloatArray:
    s = settings.score
    shifted = preference + (interest_level - s.interest_level_neutral) * s.interest_level_weight
    return np.minimum(100.0, np.maximum(0.0, shifted))
