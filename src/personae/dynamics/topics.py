"""Topic drift: a conversation wanders toward what its participants share, or it dies.

Each turn the talk may move to the topic with the best mutual pull among those the participants
care about, when the current topic pulls weakly and another pulls clearly better. Every move counts
as a drift; after `topic_drift_free_changes` drifts the topic component is cut (see `score.py`), so
a conversation that keeps wandering loses its footing.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import combinations

from personae.domain.conversation import ConversationContext
from personae.domain.persona import Persona
from personae.dynamics.score import effective_interest, topic_pull
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


def group_topic_pull(
    participants: Sequence[Persona], topic: str, settings: DynamicsSettings = DEFAULT_SETTINGS
) -> float:
    """The mean pull of `topic` over every pair of participants, before any drift penalty."""
    s = settings.score
    interests = [
        effective_interest(
            p.topic_interest(topic, s.topic_unknown_interest), p.state.interest_level, s
        )
        for p in participants
    ]
    pairs = list(combinations(interests, 2))
    return sum(topic_pull(a, b, 0, s) for a, b in pairs) / len(pairs)


def best_shared_topic(
    participants: Sequence[Persona], settings: DynamicsSettings = DEFAULT_SETTINGS
) -> tuple[str, float] | None:
    """The topic any participant cares about with the highest group pull (ties by name)."""
    candidates = sorted({topic for p in participants for topic in p.topics})
    if not candidates:
        return None
    scored = [(group_topic_pull(participants, t, settings), t) for t in candidates]
    pull, topic = min(scored, key=lambda item: (-item[0], item[1]))
    return topic, pull


def drift_topic(
    context: ConversationContext,
    participants: Sequence[Persona],
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> ConversationContext:
    """The context with the topic moved on, or unchanged if the current topic holds."""
    t = settings.topics
    if context.lines_on_topic < t.min_lines_per_topic:
        return context
    current = group_topic_pull(participants, context.topic, settings)
    if current >= t.drift_below_pull:
        return context
    best = best_shared_topic(participants, settings)
    if best is None or best[1] < current + t.drift_min_gain:
        return context
    return context.model_copy(
        update={
            "topic": best[0],
            "topic_drift_count": context.topic_drift_count + 1,
            "lines_on_topic": 0,
        }
    )
