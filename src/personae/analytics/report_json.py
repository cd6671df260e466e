"""The JSON report of a run: every conversation with its turns, and every metric of the run.

Keys come in a fixed order (the order written here), so two reports of the same run are
byte-identical and diff well. `docs/reports.md` documents every field.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from personae.analytics import metrics, network
from personae.analytics.output import write_text
from personae.analytics.run_data import RunData
from personae.domain import ConversationRecord, ConversationStatus, Turn

SCHEMA = "personae.report/1"
USD_DECIMALS = 10  # sums of prices carry binary noise (0.013000000000000001); a report rounds it


def _usd(value: float | None) -> float | None:
    return None if value is None else round(value, USD_DECIMALS)


def _usage(usage: metrics.Usage) -> dict[str, Any]:
    return {
        "prompt_tokens": usage.prompt_tokens,
        "completion_tokens": usage.completion_tokens,
        "total_tokens": usage.total_tokens,
        "cost_usd": _usd(usage.cost_usd),
        "known_cost_usd": _usd(usage.known_cost_usd),
        "unpriced_turns": usage.unpriced_turns,
    }


def _turn(turn: Turn) -> dict[str, Any]:
    return {
        "index": turn.index,
        "world_time_s": turn.world_time_s,
        "speaker_id": turn.speaker_id,
        "listener_ids": list(turn.listener_ids),
        "text": turn.text,
        "tier": turn.tier,
        "score": turn.score,
        "is_exit": turn.is_exit,
        "is_fallback": turn.is_fallback,
        "prompt_tokens": turn.prompt_tokens,
        "completion_tokens": turn.completion_tokens,
        "cost_usd": turn.cost_usd,
    }


def _conversation(run: RunData, conversation: ConversationRecord) -> dict[str, Any]:
    turns = run.turns_of(conversation.id)
    return {
        "id": conversation.id,
        "room_id": conversation.room_id,
        "participants": list(conversation.participants),
        "topic": conversation.topic,
        "status": conversation.status.value,
        "started_at_s": conversation.started_at_s,
        "ended_at_s": conversation.ended_at_s,
        "duration_s": run.duration_s(conversation),
        "exit_reason": conversation.exit_reason,
        "departures": dict(conversation.departures),
        "mean_score": metrics.mean_score(turns),
        "last_score": turns[-1].score if turns else None,
        "usage": _usage(metrics.usage_of(turns)),
        "turns": [_turn(t) for t in turns],
    }


def _room(room: metrics.RoomDynamics, run: RunData) -> dict[str, Any]:
    declared = run.room(room.room_id)
    return {
        "room_id": room.room_id,
        "name": room.name,
        "emoji": declared.emoji if declared is not None else "",
        "conversations": room.conversations,
        "active_conversations": room.active_conversations,
        "turns": room.turns,
        "conversations_per_hour": room.conversations_per_hour,
        "avg_duration_s": room.avg_duration_s,
        "avg_continue_score": room.avg_continue_score,
        "topic_distribution": room.topic_distribution,
        "dominant_topics": room.dominant_topics(),
        "participant_frequency": room.participant_frequency,
        "most_active_personas": room.most_active_personas(),
        "exit_reasons": room.exit_reasons,
        "usage": _usage(room.usage),
    }


def _activity(activity: metrics.RoomActivity) -> dict[str, Any]:
    return {
        "tick_end_s": [w.end_s for w in activity.windows],
        "active_conversations": {k: list(v) for k, v in activity.active_conversations.items()},
        "lines": {k: list(v) for k, v in activity.lines.items()},
    }


def _persona(trajectory: metrics.PersonaTrajectory) -> dict[str, Any]:
    return {
        "persona_id": trajectory.persona_id,
        "name": trajectory.name,
        "rooms_visited": list(trajectory.rooms_visited),
        "conversations": trajectory.conversations,
        "lines": trajectory.lines,
        "words": trajectory.words,
        "talk_share": trajectory.talk_share,
        "energy": [
            {
                "tick": p.tick,
                "at_s": p.at_s,
                "room_id": p.room_id,
                "social_energy": p.social_energy,
                "interaction_fatigue": p.interaction_fatigue,
                "talking": p.talking,
            }
            for p in trajectory.energy
        ],
    }


def _migrations(summary: metrics.MigrationSummary) -> dict[str, Any]:
    return {
        "total": summary.total,
        "by_route": summary.by_route,
        "by_reason": summary.by_reason,
        "net_flow": summary.net_flow,
        "events": [
            {
                "persona_id": m.persona_id,
                "from_room": m.from_room,
                "to_room": m.to_room,
                "at_s": m.at_s,
                "reason": m.reason,
            }
            for m in summary.migrations
        ],
    }


def _propagation(spread: network.Propagation) -> dict[str, Any]:
    return {
        "fact_id": spread.fact_id,
        "text": spread.text,
        "sources": list(spread.sources),
        "reached": len(spread.steps),
        "rooms": list(spread.rooms),
        "timeline": [
            {
                "at_s": s.at_s,
                "learner_id": s.learner_id,
                "told_by": s.told_by,
                "conversation_id": s.conversation_id,
                "room_id": s.room_id,
                "hops": s.hops,
            }
            for s in spread.steps
        ],
        "tree": spread.tree(),
    }


def _network(run: RunData) -> dict[str, Any]:
    groups = network.factions(run)
    return {
        "interaction_edges": [
            {"a": e.a, "b": e.b, **{k: int(v) for k, v in e.attributes.items()}}
            for e in network.edges(network.interaction_graph(run))
        ],
        "relationship_edges": [
            {"a": e.a, "b": e.b, "affinity": e.attributes["affinity"]}
            for e in network.edges(network.relationship_graph(run))
        ],
        "factions": [
            {
                "members": list(f.members),
                "conversations_within": f.conversations_within,
                "mean_affinity": f.mean_affinity,
            }
            for f in groups.factions
        ],
        "loners": list(groups.loners),
        "leaders": [
            {
                "persona_id": leader.persona_id,
                "name": leader.name,
                "score": leader.score,
                "pagerank": leader.pagerank,
                "betweenness": leader.betweenness,
                "talk_share": leader.talk_share,
            }
            for leader in network.leaders(run)
        ],
        "propagation": [_propagation(p) for p in network.propagation(run)],
    }


def build_report(run: RunData) -> dict[str, Any]:
    """The report as plain data (dicts, lists, numbers, strings, None), keys in a fixed order."""
    conversations = sorted(run.conversations, key=lambda c: (c.started_at_s, c.id))
    overall = metrics.usage_of(run.turns)
    return {
        "schema": SCHEMA,
        "world": {
            "name": run.world_name,
            "description": run.world_description,
            "run_id": run.run_id,
            "seed": run.seed,
            "tick_s": run.tick_s,
            "start_s": run.start_s,
            "clock_s": run.clock_s,
            "ticks": run.ticks,
        },
        "summary": {
            "rooms": len(run.rooms),
            "personas": len(run.personas),
            "conversations": len(run.conversations),
            "active_conversations": sum(
                c.status is ConversationStatus.ACTIVE for c in run.conversations
            ),
            "turns": len(run.turns),
            "migrations": len(run.migrations),
            "mean_duration_s": metrics.mean(run.duration_s(c) for c in run.conversations),
            "mean_continue_score": metrics.mean(
                s for c in conversations if (s := metrics.conversation_score(run, c)) is not None
            ),
        },
        "usage": {
            **_usage(overall),
            "over_time": [
                {
                    "tick": p.tick,
                    "at_s": p.at_s,
                    "tokens": p.tokens,
                    "known_cost_usd": _usd(p.known_cost_usd),
                    "unpriced_turns": p.unpriced_turns,
                }
                for p in metrics.usage_over_time(run)
            ],
        },
        "rooms": [_room(r, run) for r in metrics.room_dynamics(run)],
        "room_activity": _activity(metrics.room_activity(run)),
        "personas": [_persona(t) for t in metrics.persona_trajectories(run)],
        "migrations": _migrations(metrics.migration_summary(run)),
        "network": _network(run),
        "conversations": [_conversation(run, c) for c in conversations],
    }


def report_json(run: RunData) -> str:
    """The report as JSON text (UTF-8, two-space indent, a final newline)."""
    return json.dumps(build_report(run), indent=2, ensure_ascii=False) + "\n"


def write_json_report(run: RunData, path: Path) -> Path:
    """Write the report to `path` (parents created) and return the path."""
    return write_text(path, report_json(run), "JSON report")
