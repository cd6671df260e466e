"""Framework blending by context type (seed 001's FrameworkBlender).

For a context type (technical, casual, formal, creative, educational) each framework gets a
weight; those above 0.1 are blended section by section. Where several frameworks set the same
key: strings (and yes/no) go to a weighted vote, numbers to the weighted mean, lists to a
weighted merge of their items keeping the top 5. Mixed types take the heaviest framework's value.
"""

from __future__ import annotations

from collections.abc import Mapping

from personae.cards.frameworks.model import BLENDED_SECTIONS, Framework, Section, SectionValue
from personae.errors import InputError

CONTEXT_TYPES = ("technical", "casual", "formal", "creative", "educational")
DEFAULT_CONTEXT_WEIGHTS: dict[str, dict[str, float]] = {
    "technical": {"neuro": 0.8, "assistant": 0.2},
    "casual": {"caring": 0.6, "chaotic": 0.4},
    "formal": {"assistant": 0.9, "neuro": 0.1},
    "creative": {"chaotic": 0.7, "caring": 0.3},
    "educational": {"assistant": 0.8, "neuro": 0.2},
}
MIN_BLEND_WEIGHT = 0.1  # frameworks at or below this weight are left out
MERGED_LIST_SIZE = 5


def context_weights(
    context_type: str, overrides: Mapping[str, Mapping[str, float]] | None = None
) -> dict[str, float]:
    """Framework weights for a context type: the persona's own, else seed 001's defaults."""
    if context_type not in CONTEXT_TYPES:
        raise InputError(
            f"unknown context type {context_type!r}; known: {', '.join(CONTEXT_TYPES)}"
        )
    if overrides and context_type in overrides:
        return dict(overrides[context_type])
    return dict(DEFAULT_CONTEXT_WEIGHTS[context_type])


def blend(
    base: Framework, frameworks: Mapping[str, Framework], weights: Mapping[str, float]
) -> Framework:
    """`base` with its blended sections replaced by the weighted blend of `frameworks`.

    The base keeps its identity, purpose, template, tools and context requirements; with no
    framework above the minimum weight the base is returned unchanged."""
    chosen = sorted(
        (
            (frameworks[framework_id], weight)
            for framework_id, weight in weights.items()
            if weight > MIN_BLEND_WEIGHT and framework_id in frameworks
        ),
        key=lambda pair: (-pair[1], pair[0].framework_id),
    )
    if not chosen:
        return base
    sections = {
        name: resolve_section([(getattr(framework, name), weight) for framework, weight in chosen])
        for name in BLENDED_SECTIONS
    }
    label = "+".join(f"{framework.framework_id}:{weight:g}" for framework, weight in chosen)
    return base.model_copy(
        update={
            **sections,
            "framework_id": f"{base.framework_id}.blend",
            "name": f"{base.name} blended ({label})",
        }
    )


def resolve_section(weighted: list[tuple[Section, float]]) -> Section:
    """Merge one section across frameworks by the seed's conflict rules. `weighted` comes
    heaviest first; keys keep their first appearance order."""
    values: dict[str, list[tuple[SectionValue, float]]] = {}
    for section, weight in weighted:
        for key, value in section.items():
            values.setdefault(key, []).append((value, weight))
    return {key: _resolve(options) for key, options in values.items()}


def _resolve(options: list[tuple[SectionValue, float]]) -> SectionValue:
    if len(options) == 1:
        return options[0][0]
    if all(isinstance(value, str | bool) for value, _ in options):
        return _vote(options)
    if all(isinstance(value, int | float) and not isinstance(value, bool) for value, _ in options):
        numbers = [
            (float(value), weight) for value, weight in options if isinstance(value, int | float)
        ]
        total = sum(weight for _, weight in numbers)
        return round(sum(value * weight for value, weight in numbers) / total, 4)
    if all(isinstance(value, list) for value, _ in options):
        return _merge_lists(options)
    return options[0][0]  # mixed types: the heaviest framework's value


def _vote(options: list[tuple[SectionValue, float]]) -> SectionValue:
    votes: dict[str | bool, float] = {}
    for value, weight in options:
        key = value if isinstance(value, str | bool) else str(value)
        votes[key] = votes.get(key, 0.0) + weight
    return max(votes, key=lambda candidate: votes[candidate])  # ties: the heavier first


def _merge_lists(options: list[tuple[SectionValue, float]]) -> list[str]:
    merged: dict[str, tuple[str, float]] = {}
    for value, weight in options:
        assert isinstance(value, list)
        for item in value:
            key = item.lower()
            kept, total = merged.get(key, (item, 0.0))
            merged[key] = (kept, total + weight)
    ranked = sorted(merged.values(), key=lambda pair: -pair[1])  # stable: ties keep first seen
    return [item for item, _ in ranked[:MERGED_LIST_SIZE]]
