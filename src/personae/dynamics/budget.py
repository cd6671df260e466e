"""Token and time budgets of one conversation: seed 000's budget manager, as pure functions."""

from __future__ import annotations

from collections.abc import Sequence

from personae.domain.conversation import ConversationContext
from personae.domain.copies import with_changes
from personae.domain.persona import Persona
from personae.dynamics.routing import ExitReason, TierName
from personae.dynamics.settings import DEFAULT_SETTINGS, BudgetSettings, DynamicsSettings


def tier_multiplier(tier: TierName, b: BudgetSettings) -> float:
    return {
        TierName.FULL: b.full_multiplier,
        TierName.CONSTRAINED: b.constrained_multiplier,
        TierName.TEMPLATE: b.template_multiplier,
    }[tier]


def estimate_tokens(
    text: str, tier: TierName, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> int:
    """Words x 1.3 x the tier's multiplier (full 1.5, constrained 1.0, template 0.1)."""
    b = settings.budgets
    return int(len(text.split()) * b.tokens_per_word * tier_multiplier(tier, b))


def estimate_speaking_time_s(text: str, settings: DynamicsSettings = DEFAULT_SETTINGS) -> float:
    """World seconds a line takes to say, with the pause before the next speaker."""
    b = settings.budgets
    return len(text.split()) / b.words_per_s + b.pause_between_turns_s


def spend(
    context: ConversationContext,
    tokens: int,
    seconds: float,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> ConversationContext:
    """The context after one more response: budgets shrink, duration and count grow.

    After `diminishing_after_responses` responses each further one costs a flat extra amount
    of tokens, so long conversations get dearer.
    """
    b = settings.budgets
    count = context.response_count + 1
    penalty = b.diminishing_penalty_tokens if count > b.diminishing_after_responses else 0
    return with_changes(
        context,
        {
            "token_budget": context.token_budget - tokens - penalty,
            "duration_s": context.duration_s + seconds,
            "response_count": count,
            "lines_on_topic": context.lines_on_topic + 1,
        },
    )


def budget_exit(
    context: ConversationContext,
    participants: Sequence[Persona],
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> ExitReason | None:
    """Why the budgets forbid another response, or None if they allow it.

    Ends on a token budget at or below `min_token_budget`, on the conversation's time budget, or
    when any participant has less than `min_available_time_s` of available time left.
    """
    b = settings.budgets
    if context.token_budget <= b.min_token_budget:
        return ExitReason.BUDGET
    if context.duration_s >= context.time_budget_s:
        return ExitReason.TIME
    floor = settings.cooldowns.min_available_time_s
    if any(p.state.available_time_s - context.duration_s <= floor for p in participants):
        return ExitReason.TIME
    return None


def can_continue(
    context: ConversationContext,
    participants: Sequence[Persona],
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> bool:
    return budget_exit(context, participants, settings) is None
