"""Pure decisions of the social dynamics: no I/O, no clock, no global randomness.

Time comes in as world seconds and chance as an injected `random.Random`.
"""

from personae.dynamics.batch import ScoreRows, batch_continue_scores
from personae.dynamics.budget import (
    budget_exit,
    can_continue,
    estimate_speaking_time_s,
    estimate_tokens,
    spend,
)
from personae.dynamics.cooldowns import (
    PairCooldowns,
    can_interact,
    cooldown_duration_s,
    ready_to_talk,
    start_cooldowns,
)
from personae.dynamics.exchange import (
    Decision,
    Departure,
    Exchange,
    Outcome,
    affinity_change,
    open_exchange,
)
from personae.dynamics.explain import Explanation, explain, projected_exit_s
from personae.dynamics.initiative import (
    InitiativeRoll,
    TurnManager,
    TurnPick,
    can_interrupt,
    roll_initiative,
    speaking_order,
)
from personae.dynamics.routing import ExitReason, Tier, TierName, exit_line, exit_reason, route_tier
from personae.dynamics.rules import RULE_SETS, CollegePartyRules, RuleSet, apply_opening_rules
from personae.dynamics.score import Component, ScoreBreakdown, continue_score, group_continue_score
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings
from personae.dynamics.state import Role, after_turn, while_idle
from personae.dynamics.topics import best_shared_topic, drift_topic, group_topic_pull

__all__ = [
    "DEFAULT_SETTINGS",
    "RULE_SETS",
    "CollegePartyRules",
    "Component",
    "Decision",
    "Departure",
    "DynamicsSettings",
    "Exchange",
    "ExitReason",
    "Explanation",
    "InitiativeRoll",
    "Outcome",
    "PairCooldowns",
    "Role",
    "RuleSet",
    "ScoreBreakdown",
    "ScoreRows",
    "Tier",
    "TierName",
    "TurnManager",
    "TurnPick",
    "affinity_change",
    "after_turn",
    "apply_opening_rules",
    "batch_continue_scores",
    "best_shared_topic",
    "budget_exit",
    "can_continue",
    "can_interact",
    "can_interrupt",
    "continue_score",
    "cooldown_duration_s",
    "drift_topic",
    "estimate_speaking_time_s",
    "estimate_tokens",
    "exit_line",
    "exit_reason",
    "explain",
    "group_continue_score",
    "group_topic_pull",
    "open_exchange",
    "projected_exit_s",
    "ready_to_talk",
    "roll_initiative",
    "route_tier",
    "speaking_order",
    "spend",
    "start_cooldowns",
    "while_idle",
]
