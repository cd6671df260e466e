"""The report's plots, drawn with matplotlib as SVG and returned as `data:` URIs.

matplotlib's object API (`Figure`, no pyplot) keeps no global figure state and needs no display;
SVG stays sharp at any zoom and, with text drawn as paths, needs no font on the reader's machine.
A fixed hash salt and no date make the same run give byte-identical plots.

Crowded runs are summarised rather than drawn line by line (the caps below), so a report of
thousands of personas stays readable and quick to draw.
"""

from __future__ import annotations

import base64
import io
import itertools
import math
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import networkx as nx
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import RcKeyType

from personae.analytics import metrics, network
from personae.analytics.discord import channel_name
from personae.analytics.run_data import RunData

ROOMS_SHOWN_MAX = 9  # rooms with a colour of their own; the rest are drawn as "other rooms"
SCORE_LINES_MAX = 80  # beyond this many conversations, the score plot shows means per room
GROUP_SPAN = 0.7  # the relationship graph draws a group of n personas this wide, times sqrt(n)
GROUP_GAP = 0.3  # and this far from the next group
GRAPH_NODES_MAX = 60  # the relationship graph shows the personas who talked most, this many
ENERGY_LINES_MAX = 12  # beyond this many personas, the energy plot shows the mean and range
OTHER_ROOMS = "other rooms"

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "personae-report",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
Colour = tuple[float, float, float, float]
_COLOURS: list[Colour] = [mpl.colormaps["tab10"](i) for i in range(10)]
_GREY: Colour = (0.6, 0.6, 0.6, 1.0)


@contextmanager
def _figure(width: float = 7.5, height: float = 3.2) -> Iterator[tuple[Figure, Axes]]:
    with mpl.rc_context(_RC):
        figure = Figure(figsize=(width, height), layout="constrained")
        yield figure, figure.add_subplot()


def _data_uri(figure: Figure) -> str:
    buffer = io.BytesIO()
    with mpl.rc_context(_RC):
        figure.savefig(buffer, format="svg", metadata={"Date": None})
    encoded = base64.b64encode(buffer.getvalue()).decode("ascii")
    return f"data:image/svg+xml;base64,{encoded}"


def _no_data(axes: Axes, message: str) -> None:
    axes.text(0.5, 0.5, message, ha="center", va="center", transform=axes.transAxes, color="gray")
    axes.set_xticks([])
    axes.set_yticks([])


def _note(axes: Axes, text: str) -> None:
    axes.set_title(text, fontsize=8, color="dimgray")


def _legend_right(axes: Axes) -> None:
    axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)


@dataclass(frozen=True)
class RoomLegend:
    """The busiest rooms by channel name with a colour each; every other room is grouped."""

    colours: dict[str, Colour]
    shown: frozenset[str]

    @classmethod
    def of(cls, run: RunData) -> RoomLegend:
        declared = [r.room_id for r in run.rooms]
        order = declared + sorted({c.room_id for c in run.conversations if c.room_id} - {*declared})
        busiest = sorted(order, key=lambda r: (-len(run.conversations_in(r)), order.index(r)))
        shown = busiest[:ROOMS_SHOWN_MAX]
        colours = {channel_name(r): _COLOURS[i] for i, r in enumerate(shown)}
        if len(order) > len(shown) or any(c.room_id is None for c in run.conversations):
            colours[OTHER_ROOMS] = _GREY
        return cls(colours, frozenset(shown))

    def group(self, room_id: str | None) -> str:
        return channel_name(room_id) if room_id in self.shown and room_id else OTHER_ROOMS


# The plots --------------------------------------------------------------------------------


def score_progression(run: RunData) -> str:
    """Continue score by turn: one line per conversation, coloured by room; in a crowded run,
    the mean score at each turn, per room."""
    legend = RoomLegend.of(run)
    talks = [
        (c.room_id, run.turns_of(c.id))
        for c in sorted(run.conversations, key=lambda c: (c.started_at_s, c.id))
        if run.turns_of(c.id)
    ]
    with _figure() as (figure, axes):
        if not talks:
            _no_data(axes, "no turns yet")
            return _data_uri(figure)
        if len(talks) <= SCORE_LINES_MAX:
            labelled: set[str] = set()
            for room_id, turns in talks:
                group = legend.group(room_id)
                axes.plot(
                    [t.index for t in turns],
                    [t.score for t in turns],
                    marker="o",
                    markersize=2.5,
                    linewidth=1,
                    alpha=0.8,
                    color=legend.colours[group],
                    label=None if group in labelled else group,
                )
                labelled.add(group)
        else:
            scores: dict[str, dict[int, list[float]]] = {}
            for room_id, turns in talks:
                by_index = scores.setdefault(legend.group(room_id), {})
                for t in turns:
                    by_index.setdefault(t.index, []).append(t.score)
            for group, colour in legend.colours.items():
                if by_index := scores.get(group, {}):
                    indexes = sorted(by_index)
                    means = [sum(by_index[i]) / len(by_index[i]) for i in indexes]
                    axes.plot(indexes, means, marker="o", markersize=2.5, color=colour, label=group)
            _note(axes, f"mean score at each turn, per room, over {len(talks)} conversations")
        axes.set_ylim(0, 100)
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.set_xlabel("turn")
        axes.set_ylabel("continue score")
        _legend_right(axes)
        return _data_uri(figure)


def room_activity(run: RunData) -> str:
    """Conversations in progress during each tick, stacked by room."""
    activity = metrics.room_activity(run)
    legend = RoomLegend.of(run)
    with _figure() as (figure, axes):
        if not activity.windows:
            _no_data(axes, "no ticks yet")
            return _data_uri(figure)
        ticks = [w.tick + 1 for w in activity.windows]
        stacks = {group: [0] * len(ticks) for group in legend.colours}
        for room_id, active in activity.active_conversations.items():
            stack = stacks[legend.group(room_id)]
            for i, count in enumerate(active):
                stack[i] += count
        below = [0] * len(ticks)
        for group, stack in stacks.items():
            axes.bar(
                ticks, stack, bottom=below, width=0.8, color=legend.colours[group], label=group
            )
            below = [b + c for b, c in zip(below, stack, strict=True)]
        axes.set_xlabel(f"tick ({run.tick_s:g} world seconds each)")
        axes.set_ylabel("active conversations")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        _legend_right(axes)
        return _data_uri(figure)


def relationship_graph(run: RunData) -> str:
    """Personas as nodes coloured by faction; edges coloured by affinity (red hostile, green
    friendly) and thicker the stronger the feeling. A crowd shows its most talkative personas."""
    graph = network.relationship_graph(run)
    with _figure(7.5, 5.0) as (figure, axes):
        if graph.number_of_nodes() == 0:
            _no_data(axes, "no personas")
            return _data_uri(figure)
        if graph.number_of_nodes() > GRAPH_NODES_MAX:
            talk = network.interaction_graph(run)
            ranked = sorted(
                graph.nodes,
                key=lambda n: (-(talk.degree(n, weight="weight") if n in talk else 0), n),
            )
            graph = graph.subgraph(ranked[:GRAPH_NODES_MAX]).copy()
            _note(axes, f"the {GRAPH_NODES_MAX} personas with the most conversations")
        faction_of: dict[str, int] = {}
        for i, faction in enumerate(network.factions(run).factions):
            faction_of.update(dict.fromkeys(faction.members, i))
        layout = graph_layout(graph)
        affinities = [float(d["affinity"]) for _, _, d in graph.edges(data=True)]
        feeling = mpl.colormaps["RdYlGn"]
        nx.draw_networkx_edges(
            graph,
            layout,
            ax=axes,
            edge_color=[feeling((a + 100) / 200) for a in affinities],
            width=[0.8 + abs(a) / 25 for a in affinities],
        )
        nx.draw_networkx_nodes(
            graph,
            layout,
            ax=axes,
            node_size=220,
            node_color=[
                _COLOURS[faction_of[n] % len(_COLOURS)] if n in faction_of else _GREY
                for n in graph.nodes
            ],
        )
        for node, point in layout.items():  # below the node, whatever the picture's scale
            axes.annotate(
                str(graph.nodes[node].get("name", node)),
                point,
                xytext=(0, -8),
                textcoords="offset points",
                ha="center",
                va="top",
                fontsize=7,
            )
        axes.margins(0.12)
        axes.set_axis_off()
        return _data_uri(figure)


def graph_layout(graph: nx.Graph[str]) -> dict[str, tuple[float, float]]:
    """Where each persona of the relationship graph is drawn, the same for the same graph.

    Each group that talked among itself (a connected component) gets a spring layout of its
    own, sized by the square root of its members, and the groups are set side by side in rows,
    largest first. One spring layout of the whole world drew pairs who only talked to each
    other so close that their names printed over one another.
    """
    groups = sorted(
        (sorted(group) for group in nx.connected_components(graph)),
        key=lambda group: (-len(group), group),
    )
    sizes = [GROUP_SPAN * math.sqrt(len(group)) for group in groups]
    width = max([*sizes, 1.2 * math.sqrt(sum(size * size for size in sizes))])  # about square
    layout: dict[str, tuple[float, float]] = {}
    x = y = row_height = 0.0
    for group, size in zip(groups, sizes, strict=True):
        if x > 0 and x + size > width:  # the next row
            x, y, row_height = 0.0, y - row_height - GROUP_GAP, 0.0
        centre = (x + size / 2, y - size / 2)
        if len(group) == 1:
            layout[group[0]] = centre
        else:
            # Nodes and edges in sorted order: a spring layout depends on their order, which
            # otherwise follows set iteration, different in every process.
            ordered: nx.Graph[str] = nx.Graph()
            ordered.add_nodes_from(group)
            ordered.add_edges_from(
                sorted((min(a, b), max(a, b)) for a, b in graph.subgraph(group).edges)
            )
            spring = nx.spring_layout(
                ordered, seed=network.FACTION_SEED, scale=size / 2, center=centre
            )
            layout.update({node: (float(px), float(py)) for node, (px, py) in spring.items()})
        x += size + GROUP_GAP
        row_height = max(row_height, size)
    return layout


def cost_over_time(run: RunData) -> str:
    """Cumulative tokens and known cost (USD) by world time."""
    points = metrics.usage_over_time(run)
    with _figure() as (figure, axes):
        if not points:
            _no_data(axes, "no ticks yet")
            return _data_uri(figure)
        minutes = [p.at_s / 60 for p in points]
        axes.plot(minutes, [p.tokens for p in points], color=_COLOURS[0], label="tokens")
        axes.set_xlabel("world time (min)")
        axes.set_ylabel("tokens (cumulative)", color=_COLOURS[0])
        cost_axes = axes.twinx()
        cost_axes.spines["right"].set_visible(True)
        cost_axes.plot(minutes, [p.known_cost_usd for p in points], color=_COLOURS[1])
        cost_axes.set_ylabel("known cost USD (cumulative)", color=_COLOURS[1])
        # Both only grow from zero: a free local model's flat $0 is the bottom line, not the
        # middle of an axis running to -$0.04.
        axes.set_ylim(bottom=0)
        cost_axes.set_ylim(bottom=0)
        if unpriced := points[-1].unpriced_turns:
            axes.set_title(
                f"{unpriced} line{'s' if unpriced != 1 else ''} without a known price: "
                "not in the USD line",
                fontsize=8,
                color="firebrick",
            )
        return _data_uri(figure)


def energy_over_time(run: RunData) -> str:
    """Social energy by world time: one line per persona, or for a crowd the mean and range."""
    trajectories = [t for t in metrics.persona_trajectories(run) if t.energy]
    with _figure() as (figure, axes):
        if not trajectories:
            _no_data(axes, "no snapshots yet")
            return _data_uri(figure)
        if len(trajectories) <= ENERGY_LINES_MAX:
            for trajectory, colour in zip(trajectories, itertools.cycle(_COLOURS), strict=False):
                axes.plot(
                    [p.at_s / 60 for p in trajectory.energy],
                    [p.social_energy for p in trajectory.energy],
                    linewidth=1,
                    color=colour,
                    label=trajectory.name,
                )
            _legend_right(axes)
        else:
            at: dict[float, list[float]] = {}
            for trajectory in trajectories:
                for point in trajectory.energy:
                    at.setdefault(point.at_s, []).append(point.social_energy)
            times = sorted(at)
            minutes = [t / 60 for t in times]
            axes.fill_between(
                minutes,
                [min(at[t]) for t in times],
                [max(at[t]) for t in times],
                color=_COLOURS[0],
                alpha=0.2,
            )
            axes.plot(minutes, [sum(at[t]) / len(at[t]) for t in times], color=_COLOURS[0])
            _note(axes, f"mean and range over {len(trajectories)} personas")
        axes.set_xlabel("world time (min)")
        axes.set_ylabel("social energy")
        return _data_uri(figure)


PLOTS = {
    "score_progression": ("Continue score per conversation", score_progression),
    "room_activity": ("Room activity over time", room_activity),
    "relationship_graph": ("Relationship graph", relationship_graph),
    "cost_over_time": ("Tokens and cost over time", cost_over_time),
    "energy_over_time": ("Social energy over time", energy_over_time),
}
