"""The report's plots, drawn with matplotlib as SVG and returned as `data:` URIs.

matplotlib's object API (`Figure`, no pyplot) keeps no global figure state and needs no display;
SVG stays sharp at any zoom and, with text drawn as paths, needs no font on the reader's machine.
A fixed hash salt and no date make the same run give byte-identical plots.
"""

from __future__ import annotations

import base64
import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
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

_RC: dict[RcKeyType, Any] = {
    "svg.hashsalt": "personae-report",
    "svg.fonttype": "path",
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_COLOURS = [mpl.colormaps["tab10"](i) for i in range(10)]
Colour = tuple[float, float, float, float]
LEGEND_MAX_ENTRIES = 12  # more entries hide the plot; lines are still drawn


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


def _room_colours(run: RunData) -> dict[str | None, Colour]:
    rooms = [r.room_id for r in run.rooms]
    rooms += sorted({c.room_id for c in run.conversations if c.room_id} - set(rooms))
    colours: dict[str | None, Colour] = {
        room: _COLOURS[i % len(_COLOURS)] for i, room in enumerate(rooms)
    }
    colours[None] = (0.5, 0.5, 0.5, 1.0)
    return colours


def score_progression(run: RunData) -> str:
    """Continue score by turn, one line per conversation, coloured by room."""
    colours = _room_colours(run)
    with _figure() as (figure, axes):
        labelled: set[str | None] = set()
        for conversation in sorted(run.conversations, key=lambda c: (c.started_at_s, c.id)):
            turns = run.turns_of(conversation.id)
            if not turns:
                continue
            room = conversation.room_id
            label = channel_name(room) if room and room not in labelled else None
            labelled.add(room)
            axes.plot(
                [t.index for t in turns],
                [t.score for t in turns],
                marker="o",
                markersize=2.5,
                linewidth=1,
                alpha=0.8,
                color=colours[room],
                label=label,
            )
        if not labelled:
            _no_data(axes, "no turns yet")
        else:
            axes.set_ylim(0, 100)
            axes.xaxis.set_major_locator(MaxNLocator(integer=True))
            axes.set_xlabel("turn")
            axes.set_ylabel("continue score")
            axes.legend(loc="lower left", fontsize=8, frameon=False)
        return _data_uri(figure)


def room_activity(run: RunData) -> str:
    """Conversations in progress during each tick, stacked by room."""
    activity = metrics.room_activity(run)
    colours = _room_colours(run)
    with _figure() as (figure, axes):
        if not activity.windows:
            _no_data(axes, "no ticks yet")
            return _data_uri(figure)
        ticks = [w.tick + 1 for w in activity.windows]
        below = [0] * len(ticks)
        for room_id, counts in activity.active_conversations.items():
            axes.bar(
                ticks,
                counts,
                bottom=below,
                width=0.8,
                color=colours.get(room_id),
                label=channel_name(room_id),
            )
            below = [b + c for b, c in zip(below, counts, strict=True)]
        axes.set_xlabel(f"tick ({run.tick_s:g} world seconds each)")
        axes.set_ylabel("active conversations")
        axes.xaxis.set_major_locator(MaxNLocator(integer=True))
        axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8, frameon=False)
        return _data_uri(figure)


def relationship_graph(run: RunData) -> str:
    """Personas as nodes coloured by faction; edges coloured by affinity (red hostile, green
    friendly) and thicker the stronger the feeling."""
    graph = network.relationship_graph(run)
    with _figure(7.5, 5.0) as (figure, axes):
        if graph.number_of_nodes() == 0:
            _no_data(axes, "no personas")
            return _data_uri(figure)
        faction_of: dict[str, int] = {}
        for i, faction in enumerate(network.factions(run).factions):
            faction_of.update(dict.fromkeys(faction.members, i))
        layout = nx.spring_layout(graph, seed=network.FACTION_SEED)
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
                _COLOURS[faction_of[n] % len(_COLOURS)] if n in faction_of else (0.8, 0.8, 0.8, 1.0)
                for n in graph.nodes
            ],
        )
        nx.draw_networkx_labels(
            graph,
            {n: (x, y - 0.09) for n, (x, y) in layout.items()},
            labels={n: str(graph.nodes[n].get("name", n)) for n in graph.nodes},
            ax=axes,
            font_size=7,
        )
        axes.margins(0.12)
        axes.set_axis_off()
        return _data_uri(figure)


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
        unpriced = points[-1].unpriced_turns
        if unpriced:
            axes.set_title(
                f"{unpriced} line{'s' if unpriced != 1 else ''} without a known price: "
                "not in the USD line",
                fontsize=8,
                color="firebrick",
            )
        return _data_uri(figure)


def energy_over_time(run: RunData) -> str:
    """Social energy of every persona by world time (legend for up to 12 personas)."""
    trajectories = [t for t in metrics.persona_trajectories(run) if t.energy]
    with _figure() as (figure, axes):
        if not trajectories:
            _no_data(axes, "no snapshots yet")
            return _data_uri(figure)
        show_legend = len(trajectories) <= LEGEND_MAX_ENTRIES
        for trajectory, colour in zip(trajectories, itertools.cycle(_COLOURS), strict=False):
            axes.plot(
                [p.at_s / 60 for p in trajectory.energy],
                [p.social_energy for p in trajectory.energy],
                linewidth=1,
                color=colour,
                label=trajectory.name if show_legend else None,
            )
        axes.set_xlabel("world time (min)")
        axes.set_ylabel("social energy")
        if show_legend:
            axes.legend(loc="center left", bbox_to_anchor=(1.0, 0.5), fontsize=7, frameon=False)
        return _data_uri(figure)


PLOTS = {
    "score_progression": ("Continue score per conversation", score_progression),
    "room_activity": ("Room activity over time", room_activity),
    "relationship_graph": ("Relationship graph", relationship_graph),
    "cost_over_time": ("Tokens and cost over time", cost_over_time),
    "energy_over_time": ("Social energy over time", energy_over_time),
}
