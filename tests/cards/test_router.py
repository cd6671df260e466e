"""One test per routing signal, plus ties, stickiness and the reasons given."""

from __future__ import annotations

import random
from typing import Any

from personae.cards.router import RouterState, first_name, route
from personae.domain.persona import Persona
from personae.domain.profile import Profile, RoutingPreferences


def _persona(persona_id: str, name: str, **fields: Any) -> Persona:
    return Persona(id=persona_id, name=name, **fields)


MARA = _persona("mara", "Mara Brightwater", topics={"gossip": 90, "ale": 60})
ALDRIC = _persona("aldric", "King Aldric", topics={"military_strategy": 95})
GORIN = _persona(
    "gorin",
    "Gorin",
    topics={"trade": 100},
    profile=Profile(knowledge_domains=["gemstones"], topic_avoidances=["magic"]),
)
EVERYONE = [MARA, ALDRIC, GORIN]


def _route(
    message: str,
    personas: list[Persona] | None = None,
    state: RouterState | None = None,
    now: float = 1000.0,
    seed: int = 0,
    channel: str = "tavern",
    **kwargs: Any,
) -> Any:
    return route(
        message,
        channel,
        personas or EVERYONE,
        state or RouterState(),
        now,
        random.Random(seed),
        **kwargs,
    )


def _score(decision: Any, persona_id: str) -> float:
    return next(c.score for c in decision.candidates if c.persona_id == persona_id)


def test_a_full_name_mention_wins() -> None:
    decision = _route("Mara Brightwater, any military strategy news?")
    assert decision.persona_id == "mara"
    assert "direct mention: +100 (named 'Mara Brightwater')" in decision.reasons


def test_a_first_name_of_three_letters_or_more_counts_and_titles_are_skipped() -> None:
    assert _route("hey Aldric").persona_id == "aldric"
    assert first_name("King Aldric", 3) == "Aldric"
    assert first_name("Al Bundy", 3) is None
    assert first_name("Gorin", 3) is None  # one word: the full name covers it


def test_nickname_counts_as_a_full_name() -> None:
    ari = _persona("ari", "Arianwen", profile=Profile(nickname="Ari"))
    assert _score(_route("hi Ari!", [ari]), "ari") == 100


def test_topic_interest_scales_with_interest() -> None:
    decision = _route("any gossip about the ale?")
    assert decision.persona_id == "mara"
    assert _score(decision, "mara") == 50 * 0.9 + 50 * 0.6


def test_topic_names_with_underscores_match_as_words() -> None:
    assert _route("what is your military strategy?").persona_id == "aldric"


def test_knowledge_domain_adds_points() -> None:
    assert _score(_route("are these gemstones real?"), "gorin") == 30


def test_channel_preference_adds_points() -> None:
    regular = _persona("regular", "Regular", routing=RoutingPreferences(channels=["tavern"]))
    assert _score(_route("hello", [regular]), "regular") == 20
    assert _score(_route("hello", [regular], channel="market"), "regular") == 0


def test_avoided_topics_subtract_points() -> None:
    decision = _route("let's trade magic scrolls")
    assert _score(decision, "gorin") == 50 - 100
    assert decision.persona_id is None


def test_active_participants_get_points() -> None:
    decision = _route("so what now?", active=["aldric"])
    assert decision.persona_id == "aldric"
    assert _score(decision, "aldric") == 25


def test_recent_speakers_count_as_active_participants() -> None:
    state = RouterState()
    state.record("tavern", "mara", 0.0)
    decision = _route("so what now?", state=state, now=400.0)  # sticky expired at 300 s
    assert decision.persona_id == "mara"
    assert not decision.sticky
    assert "active participant: +25 (taking part in tavern)" in decision.reasons


def test_weights_multiply_the_score() -> None:
    loud = MARA.model_copy(update={"routing": RoutingPreferences(weight=2.0)})
    decision = _route("gossip?", [loud, ALDRIC, GORIN])
    assert _score(decision, "mara") == 90
    assert "routing weight x2" in decision.reasons


def test_near_ties_are_broken_by_the_seeded_generator() -> None:
    twin = _persona("twin", "Twin", topics={"gossip": 85})
    winners = {_route("gossip", [MARA, twin], seed=seed).persona_id for seed in range(20)}
    assert winners == {"mara", "twin"}
    again = [_route("gossip", [MARA, twin], seed=seed).persona_id for seed in range(20)]
    assert again == [_route("gossip", [MARA, twin], seed=seed).persona_id for seed in range(20)]
    assert any("near tie" in r for r in _route("gossip", [MARA, twin]).reasons)


def test_a_clear_winner_is_not_a_tie() -> None:
    weak = _persona("weak", "Weak", topics={"gossip": 50})
    winners = {_route("gossip", [MARA, weak], seed=seed).persona_id for seed in range(20)}
    assert winners == {"mara"}


def test_the_sticky_persona_answers_until_the_timeout() -> None:
    state = RouterState()
    state.record("tavern", "gorin", 1000.0)
    assert _route("gossip?", state=state, now=1200.0).persona_id == "gorin"
    assert _route("gossip?", state=state, now=1200.0).sticky
    assert _route("gossip?", state=state, now=1301.0).persona_id == "mara"
    assert _route("gossip?", state=state, now=1200.0, channel="market").persona_id == "mara"


def test_naming_someone_else_breaks_stickiness() -> None:
    state = RouterState()
    state.record("tavern", "gorin", 1000.0)
    assert _route("Aldric, what say you?", state=state, now=1010.0).persona_id == "aldric"


def test_nobody_answers_when_nothing_scores() -> None:
    decision = _route("the weather is fine")
    assert decision.persona_id is None
    assert decision.reasons == ("no persona scored above 0 for this message",)


def test_router_state_survives_json() -> None:
    state = RouterState()
    state.record("tavern", "mara", 5.0)
    assert RouterState.from_json(state.to_json()) == state
    assert (
        RouterState.from_json({"x": "garbage", "y": {"sticky_persona": 3}})
        .channels["y"]
        .sticky_persona
        is None
    )
