"""Every number that shapes the social dynamics, in one place, with its unit in its name.

Defaults come from seed 000 unless a comment says otherwise. A persona or world file overrides any
of them under `settings:`; `DynamicsSettings.model_validate(mapping)` checks the overrides.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from personae.domain.persona import Priority


def _default_time_decay() -> dict[Priority, float]:
    # Seed 000: urgent loses 1 point every 2 s, important every 10 s; its pseudo-code gives the
    # others no decay at all. With that, an unhurried pair scores ~55-80 whatever they talk about
    # and never leaves before a budget runs out, so ours: business (the seed's market has "reduced
    # social patience") loses a point every 20 s, casual and none every 30 s, social and academic
    # (the tavern's and library's long talks) every 60 s.
    return {
        Priority.URGENT: 1 / 2,
        Priority.IMPORTANT: 1 / 10,
        Priority.BUSINESS: 1 / 20,
        Priority.CASUAL: 1 / 30,
        Priority.NONE: 1 / 30,
        Priority.SOCIAL: 1 / 60,
        Priority.ACADEMIC: 1 / 60,
    }


def _default_drama_topics() -> list[str]:
    return ["breakups", "crushes", "relationship_drama"]


class ScoreSettings(BaseModel):
    """The continue score: six components summed and clamped to 0-100."""

    model_config = ConfigDict(extra="forbid")

    continue_threshold: float = 40.0
    time_pressure_max_points: float = 30.0
    time_decay_points_per_s: dict[Priority, float] = Field(default_factory=_default_time_decay)
    topic_max_points: float = 25.0
    topic_avg_weight: float = 0.7
    topic_min_weight: float = 0.3
    topic_unknown_interest: int = 50
    topic_drift_free_changes: int = 2
    topic_drift_multiplier: float = 0.6
    # Interest level 50 is neutral; each point above or below moves topic interest by half a point.
    interest_level_neutral: float = 50.0
    interest_level_weight: float = 0.5
    social_max_points: float = 20.0
    # Status rules: ranks within `peer_rank_gap` are peers. Beyond it, each extra rank costs social
    # points and adds time pressure (high->low: limited time; low->high: brief unless invited).
    peer_rank_gap: int = 1
    high_to_low_points_per_rank: float = 1.5
    low_to_high_points_per_rank: float = 1.0
    high_to_low_decay_points_per_s_per_rank: float = 0.05
    low_to_high_decay_points_per_s_per_rank: float = 0.05
    fatigue_max_penalty: float = 15.0
    fatigue_penalty_divisor: float = 2.0
    history_max_bonus: float = 15.0
    history_max_penalty: float = 10.0
    resource_max_points: float = 10.0
    resource_low_time_s: float = 60.0
    resource_time_divisor_s: float = 6.0
    resource_low_tokens: int = 100
    resource_token_divisor: int = 10


class TopicSettings(BaseModel):
    """When a conversation wanders to another topic (see `personae.dynamics.topics`)."""

    model_config = ConfigDict(extra="forbid")

    drift_below_pull: float = 55.0
    drift_min_gain: float = 5.0
    # A topic holds for at least this many lines before the talk may move on (no ping-pong).
    min_lines_per_topic: int = 3


class TierSettings(BaseModel):
    """Routing by score: who gets the full LLM, a constrained one, or a template exit line."""

    model_config = ConfigDict(extra="forbid")

    full_creative_min_score: float = 80.0
    full_creative_temperature: float = 0.8
    full_min_score: float = 60.0
    full_temperature: float = 0.6
    constrained_min_score: float = 40.0
    constrained_temperature: float = 0.5
    constrained_max_words: int = 50
    low_interest_topic_below: int = 30
    # Exit reasons: an urgent persona leaves for urgent reasons; anyone else for whichever cost
    # the most: lost patience (urgent), fatigue and spent social energy below this (tired), or a
    # topic, partner and history below their neutral midpoints (bored).
    tired_social_energy_below: float = 20.0


class CooldownSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    base_cooldown_s: float = 300.0
    satisfied_above_score: float = 70.0
    satisfied_multiplier: float = 0.5
    unsatisfied_below_score: float = 30.0
    unsatisfied_multiplier: float = 2.0
    # The seed puts both personas in cooldown for the whole period. Ours: the pair waits the whole
    # period before talking again; each persona rests for this fraction of it and may then talk
    # to someone else, so a room keeps moving.
    persona_cooldown_fraction: float = 0.5
    min_available_time_s: float = 30.0


class BudgetSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    token_budget: int = 1000
    time_budget_s: float = 600.0
    min_token_budget: int = 100
    tokens_per_word: float = 1.3
    full_multiplier: float = 1.5
    constrained_multiplier: float = 1.0
    template_multiplier: float = 0.1
    diminishing_after_responses: int = 10
    diminishing_penalty_tokens: int = 20
    # Speaking time estimate: people speak about 150 words a minute, plus a pause between turns.
    words_per_s: float = 2.5
    pause_between_turns_s: float = 2.0


class InitiativeSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    charisma_weight: int = 2
    status_bonus_per_rank: float = 0.5
    energy_divisor: int = 10
    die_sides: int = 20
    interrupt_charisma_margin: int = 3
    interrupt_chance: float = 0.25


class StateSettings(BaseModel):
    """How the interaction state moves over time."""

    model_config = ConfigDict(extra="forbid")

    # Seed 000's worked example has a fatigue penalty of 3 after 90 s (about 11 lines).
    fatigue_per_turn: float = 1.5
    fatigue_recovery_per_s: float = 0.1
    speaker_energy_cost: float = 3.0
    listener_energy_cost: float = 1.0
    # Seed 000's dashboard: "90% recover within 10 minutes" (x the room's regeneration rate).
    energy_regen_per_s: float = 0.15
    max_social_energy: float = 100.0
    interest_follow_rate: float = 0.3
    # Extraversion 50 is neutral; an extravert (100) tires half as fast, an introvert (0) 1.5x.
    extraversion_fatigue_weight: float = 1.0


class PartyRuleSettings(BaseModel):
    """Seed 000's college-party rules, applied only when a world enables the `college_party` set."""

    model_config = ConfigDict(extra="forbid")

    attraction_time_multiplier: float = 3.0
    attraction_interest_bonus: float = 30.0
    drama_topics: list[str] = Field(default_factory=_default_drama_topics)
    drama_interest: float = 100.0


class DynamicsSettings(BaseModel):
    """All tunables of the social dynamics core."""

    model_config = ConfigDict(extra="forbid")

    score: ScoreSettings = Field(default_factory=ScoreSettings)
    topics: TopicSettings = Field(default_factory=TopicSettings)
    tiers: TierSettings = Field(default_factory=TierSettings)
    cooldowns: CooldownSettings = Field(default_factory=CooldownSettings)
    budgets: BudgetSettings = Field(default_factory=BudgetSettings)
    initiative: InitiativeSettings = Field(default_factory=InitiativeSettings)
    state: StateSettings = Field(default_factory=StateSettings)
    party: PartyRuleSettings = Field(default_factory=PartyRuleSettings)


DEFAULT_SETTINGS = DynamicsSettings()
