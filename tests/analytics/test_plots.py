from __future__ import annotations

import base64
import itertools
import math
import os
import subprocess
import sys

import networkx as nx

from personae.analytics import RunData, plots
from personae.domain import ConversationRecord, ConversationStatus, PersonaSnapshot, Room
from tests.analytics.builders import persona, turn


def _crowd() -> RunData:
    """15 rooms, 100 personas, 120 conversations: more than every plot draws one by one."""
    rooms = [
        Room(room_id=f"room_{i:02d}", name=f"Room {i}", topic_bias=["talk"]) for i in range(15)
    ]
    conversations, turns = [], []
    for c in range(120):
        a, b = f"p{c % 100}", f"p{(c * 7 + 1) % 100}"
        room = f"room_{(c * c) % 15:02d}" if c % 3 else "room_00"
        conversations.append(
            ConversationRecord(
                id=f"c{c}",
                participants=[a, b],
                topic="talk",
                room_id=room,
                started_at_s=c,
                ended_at_s=c + 30,
                status=ConversationStatus.ENDED,
            )
        )
        turns += [
            turn(f"c{c}", 0, a, [b], "hello there", 60, c),
            turn(f"c{c}", 1, b, [a], "bye", 35, c + 10),
        ]
    snapshots = [
        PersonaSnapshot(
            tick=k,
            at_s=60 * (k + 1),
            persona_id=f"p{i}",
            room_id="room_00",
            social_energy=40 + i % 30,
            interaction_fatigue=0,
            available_time_s=60,
        )
        for i in range(100)
        for k in range(3)
    ]
    return RunData(
        world_name="Crowd",
        tick_s=60,
        clock_s=180,
        rooms=rooms,
        personas=[persona(f"p{i}") for i in range(100)],
        conversations=conversations,
        turns=turns,
        snapshots=snapshots,
    )


def test_the_busiest_rooms_get_a_colour_and_the_rest_are_grouped() -> None:
    legend = plots.RoomLegend.of(_crowd())

    names = list(legend.colours)

    assert len(names) == plots.ROOMS_SHOWN_MAX + 1
    assert (names[0], names[-1]) == ("#room-00", plots.OTHER_ROOMS)


def test_every_plot_of_a_crowded_run_is_an_svg() -> None:
    run = _crowd()

    for _title, draw in plots.PLOTS.values():
        uri = draw(run)
        assert uri.startswith("data:image/svg+xml;base64,")
        assert b"<svg" in base64.b64decode(uri.split(",", 1)[1])


def test_the_personas_of_the_relationship_graph_are_drawn_apart() -> None:
    """Seen in the demo's report: pairs who only talked to each other sat so close that their
    names printed over one another."""
    graph = nx.Graph()
    for i in range(6):
        graph.add_edge(f"a{i}", f"b{i}", affinity=3.0)
    graph.add_nodes_from(["loner1", "loner2"])
    layout = plots.graph_layout(graph)
    assert set(layout) == set(graph.nodes)
    assert plots.graph_layout(graph) == layout  # the same picture for the same run
    closest = min(math.dist(layout[a], layout[b]) for a, b in itertools.combinations(layout, 2))
    assert closest > 0.25  # networkx's default spacing gives ~0.1 here


LAYOUT_OF_A_SET = """
import networkx as nx
from personae.analytics import plots
graph = nx.Graph()
graph.add_nodes_from({"ann", "bob", "cid", "dee", "eve", "fay"})  # in set order
graph.add_edges_from({("ann", "bob"), ("bob", "cid"), ("cid", "dee"), ("eve", "fay")})
print(sorted(plots.graph_layout(graph).items()))
"""


def test_the_relationship_graph_is_drawn_the_same_in_every_process() -> None:
    """String hashing differs between processes, and with it the order of a set: the picture
    of a run must not."""
    drawn = {
        subprocess.run(
            [sys.executable, "-c", LAYOUT_OF_A_SET],
            env={**os.environ, "PYTHONHASHSEED": str(seed)},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in (1, 2, 3, 4)
    }
    assert len(drawn) == 1
