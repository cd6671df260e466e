"""Which persona answers a message in a channel (seed 001's PersonaRouter), and why.

Each persona collects points from signals in the message and channel: being mentioned by name
(full name or nickname, else a first name of three letters or more), being an active participant
in the channel, topics it is interested in, its knowledge domains, a preference for the channel,
and minus points for topics it avoids. The sum is multiplied by the persona's routing weight.
Personas within 80% of the best score are near-ties, broken by the seeded generator. A persona
that answered in a channel stays its sticky persona until the timeout, unless someone else is
named. The router is pure: the caller passes the state and `now` and records the decision.
"""

from __future__ import annotations

import random
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from personae.domain.persona import Persona


@dataclass(frozen=True)
class RouterSettings:
    """Points per signal and the router's time windows (seconds of wall time)."""

    mention_full_name: float = 100.0
    mention_first_name: float = 80.0
    min_first_name_letters: int = 3
    active_participant: float = 25.0
    topic_interest: float = 50.0  # times interest / 100, per topic mentioned
    knowledge_domain: float = 30.0  # per domain mentioned
    channel_preference: float = 20.0
    avoidance: float = -100.0  # per avoided topic mentioned
    near_tie_ratio: float = 0.8
    sticky_timeout_s: float = 300.0
    active_window_s: float = 600.0


# Words before a name that are not a first name: "King Aldric" is addressed as Aldric.
TITLES = frozenset(
    [
        "king",
        "queen",
        "lady",
        "lord",
        "sir",
        "dame",
        "prince",
        "princess",
        "duke",
        "duchess",
        "baron",
        "baroness",
        "count",
        "countess",
        "captain",
        "doctor",
        "dr",
        "mr",
        "mrs",
        "ms",
        "master",
        "mistress",
        "father",
        "mother",
        "brother",
        "sister",
        "saint",
        "the",
    ]
)


@dataclass
class ChannelState:
    """What the router remembers about one channel."""

    sticky_persona: str | None = None
    sticky_since_s: float = 0.0
    last_spoke_s: dict[str, float] = field(default_factory=dict)


@dataclass
class RouterState:
    """Per-channel memory: the sticky persona and when each persona last answered there."""

    channels: dict[str, ChannelState] = field(default_factory=dict)

    def channel(self, name: str) -> ChannelState:
        return self.channels.setdefault(name, ChannelState())

    def record(self, channel: str, persona_id: str, now_s: float) -> None:
        """Remember that `persona_id` answered in `channel` at `now_s`."""
        state = self.channel(channel)
        state.sticky_persona = persona_id
        state.sticky_since_s = now_s
        state.last_spoke_s[persona_id] = now_s

    def to_json(self) -> dict[str, Any]:
        return {
            name: {
                "sticky_persona": state.sticky_persona,
                "sticky_since_s": state.sticky_since_s,
                "last_spoke_s": dict(state.last_spoke_s),
            }
            for name, state in self.channels.items()
        }

    @classmethod
    def from_json(cls, data: Any) -> RouterState:
        """Read what `to_json` wrote; anything malformed is skipped (the state is a cache)."""
        state = cls()
        if not isinstance(data, dict):
            return state
        for name, raw in data.items():
            if not isinstance(raw, dict):
                continue
            sticky = raw.get("sticky_persona")
            since = raw.get("sticky_since_s")
            spoke = raw.get("last_spoke_s")
            state.channels[str(name)] = ChannelState(
                sticky_persona=sticky if isinstance(sticky, str) else None,
                sticky_since_s=float(since) if isinstance(since, int | float) else 0.0,
                last_spoke_s={
                    str(key): float(value)
                    for key, value in (spoke.items() if isinstance(spoke, dict) else [])
                    if isinstance(value, int | float)
                },
            )
        return state


@dataclass(frozen=True)
class Signal:
    name: str
    points: float
    detail: str


@dataclass(frozen=True)
class Candidate:
    persona_id: str
    name: str
    score: float
    weight: float
    signals: tuple[Signal, ...]


@dataclass(frozen=True)
class RouteDecision:
    """The persona that answers (None: nobody), the reasons, and every persona's score."""

    persona_id: str | None
    reasons: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    sticky: bool = False


def route(
    message: str,
    channel: str,
    personas: Sequence[Persona],
    state: RouterState,
    now_s: float,
    rng: random.Random,
    settings: RouterSettings | None = None,
    active: Iterable[str] = (),
) -> RouteDecision:
    """Choose who answers `message` in `channel`. `active` names personas taking part in the
    channel's conversation besides those who answered there recently."""
    config = settings or RouterSettings()
    channel_state = state.channels.get(channel, ChannelState())
    active_ids = set(active) | {
        persona_id
        for persona_id, spoke_s in channel_state.last_spoke_s.items()
        if now_s - spoke_s <= config.active_window_s
    }
    scored = [score_persona(p, message, channel, p.id in active_ids, config) for p in personas]
    scored.sort(key=lambda candidate: (-candidate.score, candidate.persona_id))
    sticky = _sticky_choice(channel_state, scored, now_s, config)
    if sticky is not None:
        return RouteDecision(
            sticky.persona_id,
            _sticky_reasons(sticky, channel_state, now_s, config),
            tuple(scored),
            True,
        )
    positive = [candidate for candidate in scored if candidate.score > 0]
    if not positive:
        return RouteDecision(None, ("no persona scored above 0 for this message",), tuple(scored))
    top = positive[0].score
    close = [c for c in positive if c.score >= top * config.near_tie_ratio]
    chosen = close[0] if len(close) == 1 else rng.choice(close)
    reasons = [f"{chosen.name} scored {chosen.score:g}"]
    reasons += [f"{signal.name}: {signal.points:+g} ({signal.detail})" for signal in chosen.signals]
    if chosen.weight != 1:
        reasons.append(f"routing weight x{chosen.weight:g}")
    if len(close) > 1:
        others = ", ".join(f"{c.name} {c.score:g}" for c in close if c is not chosen)
        reasons.append(
            f"near tie with {others} (within {config.near_tie_ratio:.0%} of the top score): "
            "chosen by the seeded generator"
        )
    return RouteDecision(chosen.persona_id, tuple(reasons), tuple(scored))


def score_persona(
    persona: Persona, message: str, channel: str, is_active: bool, settings: RouterSettings
) -> Candidate:
    """A persona's routing score for one message, signal by signal."""
    signals: list[Signal] = []
    full_names = [persona.name, persona.profile.nickname]
    named = next((name for name in full_names if name and mentions(message, name)), None)
    if named:
        signals.append(Signal("direct mention", settings.mention_full_name, f"named {named!r}"))
    else:
        first = first_name(persona.name, settings.min_first_name_letters)
        if first and mentions(message, first):
            signals.append(
                Signal("direct mention", settings.mention_first_name, f"first name {first!r}")
            )
    if is_active:
        signals.append(
            Signal("active participant", settings.active_participant, f"taking part in {channel}")
        )
    for topic, interest in sorted(persona.topics.items()):
        if interest > 0 and mentions(message, topic.replace("_", " ")):
            points = settings.topic_interest * interest / 100
            signals.append(Signal("topic interest", points, f"{topic} (interest {interest})"))
    for domain in persona.profile.knowledge_domains:
        if mentions(message, domain):
            signals.append(Signal("knowledge domain", settings.knowledge_domain, domain))
    if channel in persona.routing.channels:
        signals.append(Signal("channel preference", settings.channel_preference, channel))
    for avoided in persona.profile.topic_avoidances:
        if mentions(message, avoided):
            signals.append(Signal("avoided topic", settings.avoidance, avoided))
    weight = persona.routing.weight
    score = round(sum(signal.points for signal in signals) * weight, 4)
    return Candidate(persona.id, persona.name, score, weight, tuple(signals))


def first_name(name: str, min_letters: int) -> str | None:
    """The word people address the persona by: the first word that is not a title (None for a
    one-word name, which the full-name mention covers, or a first name too short to be safe)."""
    words = [word.strip(".,'\"") for word in name.split()]
    if len(words) < 2:
        return None
    for word in words:
        if word.lower() in TITLES:
            continue
        return word if sum(char.isalpha() for char in word) >= min_letters else None
    return None


def mentions(message: str, phrase: str) -> bool:
    """Whether `phrase` occurs in `message` as whole words, ignoring case and spacing."""
    words = phrase.split()
    if not words:
        return False
    pattern = r"(?<!\w)" + r"\s+".join(re.escape(word) for word in words) + r"(?!\w)"
    return re.search(pattern, message, re.IGNORECASE) is not None


def _sticky_choice(
    channel_state: ChannelState,
    scored: list[Candidate],
    now_s: float,
    settings: RouterSettings,
) -> Candidate | None:
    sticky_id = channel_state.sticky_persona
    if sticky_id is None or now_s - channel_state.sticky_since_s > settings.sticky_timeout_s:
        return None
    by_id = {candidate.persona_id: candidate for candidate in scored}
    sticky = by_id.get(sticky_id)
    if sticky is None:
        return None
    someone_else_named = any(
        signal.name == "direct mention"
        for candidate in scored
        if candidate.persona_id != sticky_id
        for signal in candidate.signals
    )
    return None if someone_else_named else sticky


def _sticky_reasons(
    sticky: Candidate, channel_state: ChannelState, now_s: float, settings: RouterSettings
) -> tuple[str, ...]:
    age = now_s - channel_state.sticky_since_s
    return (
        f"{sticky.name} is the sticky persona of this channel: answered {age:g} s ago "
        f"(sticks for {settings.sticky_timeout_s:g} s unless another persona is named)",
    )
