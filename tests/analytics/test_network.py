from __future__ import annotations

import itertools

import pytest

from personae.analytics import FactLearned, network
from tests.analytics.builders import crossroads, talk_run


def test_interaction_edges_count_conversations_and_lines_between_each_pair() -> None:
    found = {
        (e.a, e.b): (e.attributes["conversations"], e.attributes["lines"])
        for e in network.edges(network.interaction_graph(crossroads()))
    }

    assert found == {
        ("bard", "keeper"): (1, 2),
        ("bard", "merchant"): (2, 2),
        ("keeper", "merchant"): (1, 2),
        ("keeper", "scout"): (1, 2),
        ("commander", "king"): (2, 3),
        ("commander", "scout"): (1, 2),
        ("king", "scout"): (1, 1),
    }


def test_every_persona_is_a_node_even_one_who_never_talked() -> None:
    assert "scholar" in network.interaction_graph(crossroads()).nodes


def test_relationship_graph_carries_affinity() -> None:
    graph = network.relationship_graph(crossroads())

    assert graph["king"]["bard"]["affinity"] == -30
    assert graph.number_of_edges() == 7


def _two_cliques() -> list[tuple[str, str]]:
    left, right = ["a1", "a2", "a3", "a4"], ["b1", "b2", "b3", "b4"]
    return [*itertools.combinations(left, 2), *itertools.combinations(right, 2), ("a1", "b1")]


def test_two_obvious_cliques_are_two_factions() -> None:
    found = network.factions(talk_run(_two_cliques(), people=["loner"]))

    assert [f.members for f in found.factions] == [
        ("a1", "a2", "a3", "a4"),
        ("b1", "b2", "b3", "b4"),
    ]
    assert found.loners == ("loner",)


def test_factions_are_the_same_every_time() -> None:
    run = talk_run(_two_cliques())

    assert network.factions(run) == network.factions(run)


def test_factions_of_the_run_with_their_mean_affinity() -> None:
    found = network.factions(crossroads())

    assert [(f.members, f.conversations_within) for f in found.factions] == [
        (("bard", "keeper", "merchant"), 4),
        (("commander", "king", "scout"), 4),
    ]
    assert [f.mean_affinity for f in found.factions] == [pytest.approx(30), pytest.approx(40)]
    assert found.loners == ("scholar",)


def test_no_conversation_means_no_faction() -> None:
    found = network.factions(crossroads(conversations=[], turns=[], facts=[]))

    assert found.factions == ()
    assert len(found.loners) == 7


def test_the_hub_who_talks_most_leads() -> None:
    run = talk_run(
        [("hub", "s1"), ("hub", "s2"), ("hub", "s3"), ("s1", "s2")],
        words={"hub": 30, "s1": 10, "s2": 10, "s3": 10},
        people=["silent"],
    )
    ranking = network.leaders(run)

    assert ranking[0].persona_id == "hub"
    assert ranking[0].score == pytest.approx(1.0)
    assert ranking[0].talk_share == pytest.approx(0.5)
    assert ranking[-1].persona_id == "silent"
    assert ranking[-1].score == 0


def test_a_broker_between_factions_has_the_highest_betweenness() -> None:
    run = talk_run(_two_cliques())
    betweenness = {leader.persona_id: leader.betweenness for leader in network.leaders(run)}

    assert max(betweenness, key=lambda k: betweenness[k]) in {"a1", "b1"}


def test_without_conversations_every_leadership_score_is_zero() -> None:
    ranking = network.leaders(crossroads(conversations=[], turns=[], facts=[]))

    assert {leader.score for leader in ranking} == {0.0}


def _lights() -> network.Propagation:
    return next(p for p in network.propagation(crossroads()) if p.fact_id == "lights")


def test_propagation_timeline_is_in_the_order_personas_learned_the_fact() -> None:
    steps = _lights().steps

    assert [(s.learner_id, s.at_s, s.told_by) for s in steps] == [
        ("bard", 0, None),
        ("merchant", 30, "bard"),
        ("keeper", 200, "merchant"),
        ("scout", 550, "keeper"),
    ]


def test_propagation_counts_hops_from_the_source() -> None:
    assert [s.hops for s in _lights().steps] == [0, 1, 2, 3]


def test_propagation_places_each_learning_in_a_room() -> None:
    lights = _lights()

    assert [s.room_id for s in lights.steps] == ["ai_tavern"] * 4
    assert lights.rooms == ("ai_tavern",)
    assert lights.sources == ("bard",)


def test_hearing_a_fact_again_does_not_count_twice() -> None:
    assert len(_lights().steps) == 4


def test_propagation_tree_nests_who_told_whom() -> None:
    (root,) = _lights().tree()

    chain = []
    node = root
    while True:
        chain.append(node["persona_id"])
        if not node["children"]:
            break
        (node,) = node["children"]
    assert chain == ["bard", "merchant", "keeper", "scout"]


def test_a_teller_missing_from_the_provenance_leaves_the_hops_unknown() -> None:
    run = crossroads(
        facts=[FactLearned(fact_id="f", text="x", learner_id="king", told_by="ghost", at_s=5)]
    )
    (spread,) = network.propagation(run)

    assert spread.steps[0].hops is None
    assert spread.sources == ()


def test_a_fact_spreading_into_another_room_lists_both_rooms_in_order() -> None:
    run = crossroads(
        facts=[
            FactLearned(fact_id="raid", text="raid", learner_id="king", at_s=50),
            FactLearned(
                fact_id="raid",
                text="raid",
                learner_id="commander",
                told_by="king",
                at_s=100,
                conversation_id="c3",
            ),
            FactLearned(
                fact_id="raid",
                text="raid",
                learner_id="keeper",
                told_by="scout",
                at_s=520,
                conversation_id="c6",
            ),
        ]
    )
    (raid,) = network.propagation(run)

    assert raid.rooms == ("ai_fortress", "ai_tavern")
