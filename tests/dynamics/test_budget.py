from __future__ import annotations

from personae.dynamics.budget import (
    budget_exit,
    can_continue,
    estimate_speaking_time_s,
    estimate_tokens,
    spend,
)
from personae.dynamics.routing import ExitReason, TierName
from tests.builders import context, persona

TEN_WORDS = "one two three four five six seven eight nine ten"


def test_token_estimate_is_words_times_1_3_times_tier_multiplier() -> None:
    assert estimate_tokens(TEN_WORDS, TierName.FULL) == int(10 * 1.3 * 1.5)
    assert estimate_tokens(TEN_WORDS, TierName.CONSTRAINED) == 13
    assert estimate_tokens(TEN_WORDS, TierName.TEMPLATE) == 1


def test_speaking_time_grows_with_words() -> None:
    assert estimate_speaking_time_s(TEN_WORDS) > estimate_speaking_time_s("Hi there")


def test_spending_shrinks_budget_and_grows_duration() -> None:
    after = spend(context(token_budget=500), tokens=40, seconds=6)
    assert (after.token_budget, after.duration_s, after.response_count) == (460, 6, 1)


def test_responses_after_the_tenth_cost_an_extra_20_tokens() -> None:
    ctx = context(token_budget=500, response_count=9)
    tenth = spend(ctx, tokens=10, seconds=1)
    eleventh = spend(tenth, tokens=10, seconds=1)
    assert tenth.token_budget == 490
    assert eleventh.token_budget == 460


def test_an_exhausted_token_budget_ends_the_conversation() -> None:
    people = [persona("a"), persona("b")]
    ctx = context(token_budget=300)
    turns = 0
    while can_continue(ctx, people):
        ctx = spend(ctx, estimate_tokens(TEN_WORDS * 2, TierName.FULL), 8)
        turns += 1
    assert budget_exit(ctx, people) is ExitReason.BUDGET
    assert ctx.token_budget <= 100
    assert 0 < turns < 10


def test_time_budget_and_available_time_end_the_conversation() -> None:
    people = [persona("a"), persona("b")]
    assert budget_exit(context(duration_s=600, time_budget_s=600), people) is ExitReason.TIME
    hurried = [persona("a", available_time_s=60), persona("b")]
    assert budget_exit(context(duration_s=35), hurried) is ExitReason.TIME
    assert budget_exit(context(duration_s=20), hurried) is None
