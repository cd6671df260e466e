"""Emergent structure of a run (seed 000's "Emergent Behavior Discovery"), with networkx.

- The *interaction graph* joins two personas who talked: edge weight = conversations together,
  `lines` = lines one spoke to the other.
- The *relationship graph* joins pairs with a relationship; edge `affinity` from -100 to 100.
- *Factions* are the communities (Louvain, fixed seed) of the interaction graph: who keeps talking
  to whom. Each faction also reports the mean affinity between its members.
- *Leadership* ranks personas by the mean of their PageRank in the interaction graph and their
  share of talk time, each scaled so the top persona has 1.
- *Information propagation* turns fact provenance into a timeline and a tree: who learned a fact,
  when, from whom, in which room, and how many hops from the source.
"""

from __future__ import annotations

import itertools
from bisect import bisect_right
from dataclasses import dataclass
from typing import Any

import networkx as nx

from personae.analytics.metrics import listeners_of, mean, talk_shares
from personae.analytics.run_data import FactLearned, RunData
from personae.domain import pair_key

# Louvain is randomised; one fixed seed makes the same graph give the same factions in every run.
FACTION_SEED = 0
# Betweenness costs nodes x edges: beyond this many personas who talked it is not computed.
BETWEENNESS_MAX_NODES = 300


# Graphs -----------------------------------------------------------------------------------


def interaction_graph(run: RunData) -> nx.Graph[str]:
    graph: nx.Graph[str] = nx.Graph()
    for persona in run.personas:
        graph.add_node(persona.id, name=persona.name)
    for conversation in run.conversations:
        for a, b in itertools.combinations(sorted(set(conversation.participants)), 2):
            if not graph.has_edge(a, b):
                graph.add_edge(a, b, weight=0, conversations=0, lines=0)
            graph[a][b]["weight"] += 1
            graph[a][b]["conversations"] += 1
        for turn in run.turns_of(conversation.id):
            for listener in listeners_of(turn, conversation):
                if listener != turn.speaker_id and graph.has_edge(turn.speaker_id, listener):
                    graph[turn.speaker_id][listener]["lines"] += 1
    for node in graph.nodes:
        graph.nodes[node].setdefault("name", run.persona_name(node))
    return graph


def relationship_graph(run: RunData) -> nx.Graph[str]:
    graph: nx.Graph[str] = nx.Graph()
    for persona in run.personas:
        graph.add_node(persona.id, name=persona.name)
    for relationship in run.relationships:
        a, b = relationship.key
        graph.add_edge(a, b, affinity=relationship.affinity, interactions=relationship.interactions)
    for node in graph.nodes:
        graph.nodes[node].setdefault("name", run.persona_name(node))
    return graph


@dataclass(frozen=True, slots=True)
class Edge:
    a: str
    b: str
    attributes: dict[str, float]


def edges(graph: nx.Graph[str]) -> list[Edge]:
    """The edges of a graph in a stable order (by the sorted pair)."""
    found = [
        Edge(*pair_key(a, b), attributes=dict(sorted(data.items())))
        for a, b, data in graph.edges(data=True)
    ]
    return sorted(found, key=lambda e: (e.a, e.b))


# Factions ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Faction:
    members: tuple[str, ...]
    conversations_within: int
    mean_affinity: float | None


@dataclass(frozen=True, slots=True)
class Factions:
    factions: tuple[Faction, ...]
    loners: tuple[str, ...]


def communities(graph: nx.Graph[str], seed: int = FACTION_SEED) -> list[tuple[str, ...]]:
    """Louvain communities of a weighted graph, members sorted, largest community first."""
    if graph.number_of_edges() == 0:
        return [(node,) for node in sorted(graph.nodes)]
    found = nx.community.louvain_communities(graph, weight="weight", seed=seed)
    groups = [tuple(sorted(group)) for group in found]
    return sorted(groups, key=lambda g: (-len(g), g))


def factions(run: RunData, seed: int = FACTION_SEED) -> Factions:
    """Groups of two or more who talked among themselves; everyone else is a loner."""
    talk = interaction_graph(run)
    liking = relationship_graph(run)
    groups: list[Faction] = []
    loners: list[str] = []
    for members in communities(talk, seed):
        if len(members) < 2:
            loners.extend(members)
            continue
        inside = talk.subgraph(members)
        affinities = [
            float(liking[a][b]["affinity"])
            for a, b in itertools.combinations(members, 2)
            if liking.has_edge(a, b)
        ]
        groups.append(
            Faction(
                members=members,
                conversations_within=int(inside.size(weight="conversations")),
                mean_affinity=mean(affinities),
            )
        )
    return Factions(tuple(groups), tuple(sorted(loners)))


# Leadership -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Leader:
    persona_id: str
    name: str
    pagerank: float
    betweenness: float | None
    talk_share: float
    score: float


def _scaled(values: dict[str, float]) -> dict[str, float]:
    top = max(values.values(), default=0.0)
    return {k: (v / top if top > 0 else 0.0) for k, v in values.items()}


def leaders(run: RunData) -> list[Leader]:
    """Every persona ranked by leadership, strongest first (ties by id).

    `score` = (PageRank / top PageRank + talk share / top talk share) / 2. PageRank rewards
    talking often with well-connected personas, and is computed among those who talked (someone
    who never talked has 0); betweenness (reported, not scored) shows brokers between factions,
    and is None when more than `BETWEENNESS_MAX_NODES` personas talked (too costly).
    """
    graph = interaction_graph(run)
    pagerank = dict.fromkeys(graph.nodes, 0.0)
    betweenness: dict[str, float | None] = dict.fromkeys(graph.nodes, 0.0)
    # Someone who never talked has no centrality: PageRank would give them teleport mass.
    talkers = graph.subgraph(n for n in graph.nodes if graph.degree(n) > 0).copy()
    if talkers.number_of_edges():
        pagerank.update(nx.pagerank(talkers, weight="weight"))
        # Betweenness walks shortest paths: a frequent partner is a short distance.
        for _, _, data in talkers.edges(data=True):
            data["distance"] = 1.0 / data["weight"]
        if talkers.number_of_nodes() <= BETWEENNESS_MAX_NODES:
            betweenness.update(
                nx.betweenness_centrality(talkers, weight="distance", normalized=True)
            )
        else:
            betweenness = dict.fromkeys(graph.nodes, None)
    shares = talk_shares(run)
    talk = {node: shares.get(node, 0.0) for node in graph.nodes}
    rank, speech = _scaled(pagerank), _scaled(talk)
    ranking = [
        Leader(
            persona_id=node,
            name=str(graph.nodes[node].get("name", node)),
            pagerank=pagerank[node],
            betweenness=betweenness[node],
            talk_share=talk[node],
            score=(rank[node] + speech[node]) / 2,
        )
        for node in graph.nodes
    ]
    return sorted(ranking, key=lambda leader: (-leader.score, leader.persona_id))


# Information propagation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PropagationStep:
    at_s: float
    learner_id: str
    told_by: str | None
    conversation_id: str | None
    room_id: str | None
    hops: int | None


@dataclass(frozen=True, slots=True)
class Propagation:
    """How one fact spread: every learner once (at the first time it learned it), in time order.

    `hops` counts tellings from a source (0 for a source; None when the chain back to a source is
    missing from the provenance).
    """

    fact_id: str
    text: str
    steps: tuple[PropagationStep, ...]

    @property
    def sources(self) -> tuple[str, ...]:
        return tuple(s.learner_id for s in self.steps if s.told_by is None)

    @property
    def rooms(self) -> tuple[str, ...]:
        """Rooms the fact reached, in the order it reached them."""
        seen: dict[str, None] = {}
        for step in self.steps:
            if step.room_id is not None:
                seen.setdefault(step.room_id, None)
        return tuple(seen)

    def tree(self) -> list[dict[str, Any]]:
        """The spread as nested nodes: a list of sources, each with `children` told by it."""
        children: dict[str | None, list[PropagationStep]] = {}
        learners = {s.learner_id for s in self.steps}
        for step in self.steps:
            parent = step.told_by if step.told_by in learners else None
            children.setdefault(parent, []).append(step)

        def node(step: PropagationStep, seen: frozenset[str]) -> dict[str, Any]:
            below = [
                node(child, seen | {child.learner_id})
                for child in children.get(step.learner_id, [])
                if child.learner_id not in seen
            ]
            return {
                "persona_id": step.learner_id,
                "at_s": step.at_s,
                "room_id": step.room_id,
                "children": below,
            }

        return [node(root, frozenset({root.learner_id})) for root in children.get(None, [])]


def room_at(run: RunData, persona_id: str, at_s: float) -> str | None:
    """The room a persona was in at a world time, from its snapshots (its first one if earlier)."""
    snapshots = run.snapshots_of(persona_id)
    if not snapshots:
        return None
    index = bisect_right([s.at_s for s in snapshots], at_s) - 1
    return snapshots[max(index, 0)].room_id


def _first_learnings(records: list[FactLearned]) -> list[FactLearned]:
    first: dict[str, FactLearned] = {}
    for record in sorted(records, key=lambda r: (r.at_s, r.told_by is not None)):
        first.setdefault(record.learner_id, record)
    return sorted(first.values(), key=lambda r: (r.at_s, r.learner_id))


def propagation(run: RunData) -> list[Propagation]:
    """One propagation per fact in the provenance, ordered by fact id."""
    rooms_of = {c.id: c.room_id for c in run.conversations}
    by_fact: dict[str, list[FactLearned]] = {}
    for record in run.facts:
        by_fact.setdefault(record.fact_id, []).append(record)
    result = []
    for fact_id in sorted(by_fact):
        learnings = _first_learnings(by_fact[fact_id])
        spread: nx.DiGraph[str] = nx.DiGraph()
        spread.add_nodes_from(r.learner_id for r in learnings)
        spread.add_edges_from((r.told_by, r.learner_id) for r in learnings if r.told_by)
        sources = [r.learner_id for r in learnings if r.told_by is None]
        hops = nx.multi_source_dijkstra_path_length(spread, sources) if sources else {}
        steps = tuple(
            PropagationStep(
                at_s=r.at_s,
                learner_id=r.learner_id,
                told_by=r.told_by,
                conversation_id=r.conversation_id,
                room_id=(
                    rooms_of.get(r.conversation_id)
                    if r.conversation_id is not None
                    else room_at(run, r.learner_id, r.at_s)
                ),
                hops=int(hops[r.learner_id]) if r.learner_id in hops else None,
            )
            for r in learnings
        )
        result.append(Propagation(fact_id, by_fact[fact_id][0].text, steps))
    return result
