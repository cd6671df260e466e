"""One persona's view of a conversation, in full: score, breakdown, tier and whether it leaves."""

from __future__ import annotations

from dataclasses import dataclass

from personae.domain.conversation import ConversationContext
from personae.domain.persona import Persona
from personae.dynamics.budget import budget_exit
from personae.dynamics.routing import ExitReason, Tier, exit_reason, route_tier
from personae.dynamics.score import ScoreBreakdown, continue_score
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


@dataclass(frozen=True, slots=True)
class Explanation:
    breakdown: ScoreBreakdown
    tier: Tier
    leaves: bool
    exit_reason: ExitReason | None
    projected_exit_s: float | None  # when the score would first fall below the threshold


def explain(
    speaker: Persona,
    listener: Persona,
    context: ConversationContext,
    affinity: float = 0.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> Explanation:
    """Would `speaker` go on talking to `listener` now, and if not, why?

    Budgets end a conversation before the score is asked; otherwise the speaker leaves when its
    score is below the threshold, for the reason its breakdown shows.
    """
    breakdown = continue_score(speaker, listener, context, affinity, settings)
    hard_stop = budget_exit(context, [speaker, listener], settings)
    if hard_stop is not None:
        reason: ExitReason | None = hard_stop
    elif not breakdown.continues:
        reason = exit_reason(breakdown, speaker, settings)
    else:
        reason = None
    return Explanation(
        breakdown=breakdown,
        tier=route_tier(breakdown.total, speaker, settings),
        leaves=reason is not None,
        exit_reason=reason,
        projected_exit_s=projected_exit_s(speaker, listener, context, affinity, settings),
    )


def projected_exit_s(
    speaker: Persona,
    listener: Persona,
    context: ConversationContext,
    affinity: float = 0.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
    step_s: float = 1.0,
) -> float | None:
    """The first duration, from the context's on, at which the speaker would want to leave if
    nothing else changed; None if it would stay until its time or the time budget runs out."""
    limit = min(context.time_budget_s, speaker.state.available_time_s)
    duration = context.duration_s
    while duration <= limit:
        probe = context.model_copy(update={"duration_s": duration})
        if not continue_score(speaker, listener, probe, affinity, settings).continues:
            return duration
        duration += step_s
    return None
