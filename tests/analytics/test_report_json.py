from __future__ import annotations

import json
from pathlib import Path

import pytest

from personae.analytics import ReportWriteError, build_report, report_json, write_json_report
from tests.analytics.builders import crossroads


def test_top_level_sections_come_in_a_fixed_order() -> None:
    assert list(build_report(crossroads())) == [
        "schema",
        "world",
        "summary",
        "usage",
        "rooms",
        "room_activity",
        "personas",
        "migrations",
        "network",
        "conversations",
    ]


def test_the_same_run_gives_byte_identical_json() -> None:
    assert report_json(crossroads()) == report_json(crossroads())


def test_a_conversation_has_every_field_the_issue_lists() -> None:
    c1 = next(c for c in build_report(crossroads())["conversations"] if c["id"] == "c1")

    assert list(c1) == [
        "id",
        "room_id",
        "participants",
        "topic",
        "status",
        "started_at_s",
        "ended_at_s",
        "duration_s",
        "exit_reason",
        "departures",
        "mean_score",
        "last_score",
        "usage",
        "turns",
    ]
    assert (c1["room_id"], c1["participants"], c1["topic"]) == (
        "ai_tavern",
        ["bard", "merchant"],
        "rumors",
    )
    assert (c1["started_at_s"], c1["ended_at_s"], c1["duration_s"], c1["exit_reason"]) == (
        0,
        150,
        150,
        "bored",
    )
    assert (c1["mean_score"], c1["last_score"]) == (72, 64)
    assert c1["usage"]["total_tokens"] == 40 + 10 + 50 + 12
    assert c1["usage"]["cost_usd"] == pytest.approx(0.003)


def test_turns_carry_speaker_text_tier_and_score() -> None:
    c2 = next(c for c in build_report(crossroads())["conversations"] if c["id"] == "c2")
    last = c2["turns"][-1]

    assert [t["speaker_id"] for t in c2["turns"]] == ["keeper", "merchant", "bard"]
    assert (last["text"], last["tier"], last["score"], last["is_exit"]) == (
        "I should order another round",
        "template",
        30,
        True,
    )


def test_conversations_are_listed_in_the_order_they_started() -> None:
    assert [c["id"] for c in build_report(crossroads())["conversations"]] == [
        "c1",
        "c3",
        "c2",
        "c4",
        "c5",
        "c6",
        "c7",
    ]


def test_an_unpriced_line_makes_the_cost_unknown_not_zero() -> None:
    report = build_report(crossroads())
    c5 = next(c for c in report["conversations"] if c["id"] == "c5")

    assert c5["usage"]["cost_usd"] is None
    assert c5["turns"][0]["cost_usd"] is None
    assert report["usage"]["cost_usd"] is None
    assert report["usage"]["unpriced_turns"] == 1
    assert report["usage"]["known_cost_usd"] == pytest.approx(0.013)


def test_a_running_conversation_is_reported_as_active_with_no_end() -> None:
    report = build_report(crossroads())
    c7 = next(c for c in report["conversations"] if c["id"] == "c7")

    assert (c7["status"], c7["ended_at_s"], c7["exit_reason"], c7["duration_s"]) == (
        "active",
        None,
        None,
        40,
    )
    assert report["summary"]["active_conversations"] == 1


def test_room_entries_hold_the_room_dynamics() -> None:
    tavern = build_report(crossroads())["rooms"][0]

    assert tavern["room_id"] == "ai_tavern"
    assert tavern["emoji"] == "🍺"
    assert tavern["conversations_per_hour"] == pytest.approx(18)
    assert tavern["avg_duration_s"] == pytest.approx(110)
    assert tavern["topic_distribution"] == {"rumors": 2, "gossip": 1}
    assert tavern["most_active_personas"] == ["bard", "keeper", "merchant"]


def test_persona_entries_hold_rooms_visited_and_energy_over_time() -> None:
    bard = next(p for p in build_report(crossroads())["personas"] if p["persona_id"] == "bard")

    assert bard["rooms_visited"] == ["ai_tavern", "ai_library", "ai_tavern"]
    assert bard["energy"][0] == {
        "tick": 0,
        "at_s": 60,
        "room_id": "ai_tavern",
        "social_energy": 90,
        "interaction_fatigue": 10,
        "talking": False,
    }


def test_network_section_holds_factions_leaders_and_propagation() -> None:
    net = build_report(crossroads())["network"]

    assert [f["members"] for f in net["factions"]] == [
        ["bard", "keeper", "merchant"],
        ["commander", "king", "scout"],
    ]
    assert net["loners"] == ["scholar"]
    assert len(net["leaders"]) == 7
    (lights,) = net["propagation"]
    assert [s["learner_id"] for s in lights["timeline"]] == ["bard", "merchant", "keeper", "scout"]
    assert lights["tree"][0]["persona_id"] == "bard"


def test_migrations_section_lists_every_move() -> None:
    migrations = build_report(crossroads())["migrations"]

    assert migrations["total"] == 3
    assert migrations["events"][0] == {
        "persona_id": "bard",
        "from_room": "ai_tavern",
        "to_room": "ai_library",
        "at_s": 300,
        "reason": "low energy",
    }


def test_the_report_written_to_a_file_reads_back_as_the_same_data(tmp_path: Path) -> None:
    path = write_json_report(crossroads(), tmp_path / "out" / "report.json")

    assert json.loads(path.read_text(encoding="utf-8")) == json.loads(
        json.dumps(build_report(crossroads()))
    )


def test_an_unwritable_path_is_an_input_error_naming_it(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")

    with pytest.raises(
        ReportWriteError, match=r"cannot write the JSON report to .*file/report.json"
    ):
        write_json_report(crossroads(), blocker / "report.json")
