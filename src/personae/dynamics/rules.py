"""Optional rule sets that change states when a conversation opens, e.g. seed 000's college party.

A rule set is a small object with one method; worlds name the ones they enable (`rule_sets:`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Protocol

from personae.domain.persona import Persona
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings


class RuleSet(Protocol):
    name: str

    def on_open(
        self, persona: Persona, partners: Sequence[Persona], topic: str, settings: DynamicsSettings
    ) -> Persona:
        """The persona as it enters a conversation with `partners` about `topic`."""
        ...


class CollegePartyRules:
    """Attraction triples available time and adds 30 interest; drama topics set interest to 100."""

    name = "college_party"

    def on_open(
        self, persona: Persona, partners: Sequence[Persona], topic: str, settings: DynamicsSettings
    ) -> Persona:
        p = settings.party
        state = persona.state
        available = state.available_time_s
        interest = state.interest_level
        if any(partner.id in persona.attracted_to for partner in partners):
            available *= p.attraction_time_multiplier
            interest += p.attraction_interest_bonus
        if topic in p.drama_topics:
            interest = p.drama_interest
        return persona.with_state(available_time_s=available, interest_level=min(100.0, interest))


RULE_SETS: Mapping[str, RuleSet] = {rule.name: rule for rule in (CollegePartyRules(),)}


def apply_opening_rules(
    rule_sets: Sequence[RuleSet],
    participants: Sequence[Persona],
    topic: str,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
) -> list[Persona]:
    """Every participant as changed by every enabled rule set, in order."""
    changed = []
    for persona in participants:
        partners = [p for p in participants if p.id != persona.id]
        current = persona
        for rule in rule_sets:
            current = rule.on_open(current, partners, topic, settings)
        changed.append(current)
    return changed
