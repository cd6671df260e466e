from __future__ import annotations

from importlib import resources
from pathlib import Path

import pytest

from personae.domain import Priority
from personae.errors import InputError
from personae.files.world_file import load_world_file

DEFAULT_WORLD = Path(str(resources.files("personae") / "data" / "worlds" / "default.yaml"))


def write(tmp_path: Path, text: str, name: str = "world.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_world_has_the_five_rooms_and_a_dozen_people() -> None:
    world = load_world_file(DEFAULT_WORLD)
    assert [r.room_id for r in world.rooms] == [
        "ai_tavern",
        "ai_market",
        "ai_fortress",
        "ai_court",
        "ai_library",
    ]
    assert len(world.personas) == 12
    assert world.starting_rooms["lyralei"] == "ai_tavern"
    assert {e.event_id for e in world.events} == {"royal_feast", "market_raid"}


def test_use_takes_a_shipped_room_and_overrides_fields(tmp_path: Path) -> None:
    world = load_world_file(
        write(
            tmp_path,
            """\
rooms:
  - use: tavern
    max_concurrent_conversations: 1
    modifiers: {fatigue_rate: 2}
personas: [{name: A}, {name: B}]
""",
        )
    )
    tavern = world.rooms[0]
    assert tavern.max_concurrent_conversations == 1
    assert tavern.modifiers.fatigue_rate == 2
    assert tavern.modifiers.interest_level_bonus == 10  # the rest of the shipped room stays


def test_personas_come_from_other_files_and_unplaced_ones_are_spread(tmp_path: Path) -> None:
    write(tmp_path, "personas:\n  - name: Gorin\n  - name: Petra\n", "traders.yaml")
    world = load_world_file(
        write(
            tmp_path,
            """\
rooms: [{use: tavern}, {use: market}]
personas:
  - file: traders.yaml
    room: ai_market
  - name: Mara
  - name: Wren
""",
        )
    )
    assert [p.id for p in world.personas] == ["gorin", "petra", "mara", "wren"]
    assert world.starting_rooms == {
        "gorin": "ai_market",
        "petra": "ai_market",
        "mara": "ai_tavern",
        "wren": "ai_market",
    }


def test_an_event_can_be_shipped_or_custom(tmp_path: Path) -> None:
    world = load_world_file(
        write(
            tmp_path,
            """\
rooms: [{use: market}]
personas: [{name: A}, {name: B}]
events:
  - use: market_raid
    start_s: 60
  - event_id: plague
    affected_rooms: [ai_market]
    effects: {all_personas_priority: urgent}
""",
        )
    )
    assert world.events[0].start_s == 60
    assert world.events[1].effects.all_personas_priority is Priority.URGENT


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "rooms: [{use: brothel}]\npersonas: [{name: A}]\n",
            r"world\.yaml:1: unknown shipped room 'brothel'; shipped: court, fortress, library, market, tavern",
        ),
        (
            "rooms: [{use: tavern, max_concurrent_conversations: 0}]\npersonas: [{name: A}]\n",
            r"world\.yaml:1: room 'ai_tavern', field 'max_concurrent_conversations': .*greater than or equal to 1",
        ),
        (
            "rooms: [{use: tavern}]\npersonas: [{name: A, room: moon}]\n",
            r"persona 'a' starts in unknown room 'moon'; rooms: ai_tavern",
        ),
        (
            "rooms: [{use: tavern}]\npersonas: [{name: A}]\nevents: [{use: market_raid}]\n",
            r"event 'market_raid' affects unknown room 'ai_market'",
        ),
        (
            "rooms: [{use: tavern}, {use: tavern}]\npersonas: [{name: A}]\n",
            r"room id 'ai_tavern' is defined twice",
        ),
        ("personas: [{name: A}]\n", r"field 'rooms': Field required"),
        (
            "rooms: [{use: tavern}]\npersonas: [{file: nowhere.yaml}]\n",
            r"nowhere\.yaml: no such file",
        ),
        (
            "rooms: [{use: tavern}]\npersonas: [{name: A}]\nsimulation: {tick_s: -1}\n",
            r"world\.yaml:3: field 'simulation.tick_s': .*greater than 0",
        ),
    ],
)
def test_bad_worlds_get_one_clear_line(tmp_path: Path, text: str, expected: str) -> None:
    with pytest.raises(InputError, match=expected):
        load_world_file(write(tmp_path, text))


def test_every_problem_of_a_bad_world_is_listed_with_its_line_in_file_order(
    tmp_path: Path,
) -> None:
    text = """\
rooms:
  - use: tavern
    max_concurrent_conversations: two
personas:
  - name: A
    charisma: loud
  - name: B
    colour: green
"""
    with pytest.raises(InputError) as raised:
        load_world_file(write(tmp_path, text))
    assert str(raised.value).replace(f"{tmp_path}/", "").splitlines() == [
        "world.yaml:3: room 'ai_tavern', field 'max_concurrent_conversations': Input should be a "
        "valid integer, unable to parse string as an integer (got 'two')",
        "world.yaml:6: persona 'a', field 'charisma': Input should be a valid integer, unable to "
        "parse string as an integer (got 'loud')",
        "world.yaml:8: persona 'b', field 'colour': Extra inputs are not permitted (got 'green')",
    ]


def test_a_world_with_very_many_problems_shows_the_first_and_counts_the_rest(
    tmp_path: Path,
) -> None:
    cast = "".join(f"  - name: P{n}\n    charisma: loud\n" for n in range(25))
    with pytest.raises(InputError) as raised:
        load_world_file(write(tmp_path, f"rooms: [{{use: tavern}}]\npersonas:\n{cast}"))
    lines = str(raised.value).replace(f"{tmp_path}/", "").splitlines()
    assert len(lines) == 21
    assert lines[0].startswith("world.yaml:4: persona 'p0', field 'charisma'")
    assert lines[-1] == "(and 5 more problems)"
