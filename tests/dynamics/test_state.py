from __future__ import annotations

import pytest

from personae.domain import BigFive
from personae.dynamics.rules import CollegePartyRules, apply_opening_rules
from personae.dynamics.state import Role, after_turn, while_idle
from tests.builders import persona


def test_talking_tires_and_drains_the_speaker_more_than_the_listener() -> None:
    p = persona("a")
    spoke = after_turn(p, Role.SPEAKER, "x")
    listened = after_turn(p, Role.LISTENER, "x")
    assert spoke.interaction_fatigue == listened.interaction_fatigue > 0
    assert spoke.social_energy < listened.social_energy < 100


def test_introverts_tire_faster_than_extraverts() -> None:
    intro = persona("a", big_five=BigFive(extraversion=10))
    extra = persona("b", big_five=BigFive(extraversion=90))
    assert (
        after_turn(intro, Role.LISTENER, "x").interaction_fatigue
        > after_turn(extra, Role.LISTENER, "x").interaction_fatigue
    )


def test_room_fatigue_rate_scales_fatigue() -> None:
    p = persona("a")
    assert after_turn(p, Role.LISTENER, "x", fatigue_rate=0.5).interaction_fatigue == pytest.approx(
        after_turn(p, Role.LISTENER, "x").interaction_fatigue / 2
    )


def test_interest_follows_the_topic() -> None:
    p = persona("a", topics={"war": 100, "grain": 0}, interest=50)
    assert after_turn(p, Role.LISTENER, "war").interest_level > 50
    assert after_turn(p, Role.LISTENER, "grain").interest_level < 50


def test_idling_restores_energy_to_the_cap_and_fades_fatigue() -> None:
    state = persona("a", energy=40, fatigue=30).state
    rested = while_idle(state, 200)
    assert rested.social_energy == pytest.approx(40 + 200 * 0.15)
    assert rested.interaction_fatigue == pytest.approx(10)
    assert while_idle(state, 100_000).social_energy == 100


def test_party_energy_above_the_cap_is_kept_not_grown() -> None:
    assert while_idle(persona("a", energy=150).state, 600).social_energy == 150


def test_attraction_triples_available_time_and_adds_30_interest() -> None:
    jess = persona("jess", available_time_s=600, interest=60, attracted_to=frozenset({"sam"}))
    sam = persona("sam")
    jess2, sam2 = apply_opening_rules([CollegePartyRules()], [jess, sam], "music")
    assert jess2.state.available_time_s == 1800
    assert jess2.state.interest_level == 90
    assert sam2.state == sam.state


def test_drama_topics_set_interest_to_100() -> None:
    a, b = apply_opening_rules([CollegePartyRules()], [persona("a"), persona("b")], "breakups")
    assert a.state.interest_level == b.state.interest_level == 100


def test_no_rule_sets_change_nothing() -> None:
    a = persona("a", attracted_to=frozenset({"b"}))
    assert apply_opening_rules([], [a, persona("b")], "breakups")[0] == a
