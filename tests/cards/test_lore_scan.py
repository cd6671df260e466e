"""One test (or a few) per lorebook activation rule."""

from __future__ import annotations

import random
from typing import Any

import pytest

from personae.cards.lore_scan import LoreSettings, activate, split_decorators
from personae.domain.lorebook import Lorebook, LoreEntry, LorePosition, SelectiveLogic


def _book(*entries: LoreEntry, **settings: Any) -> Lorebook:
    return Lorebook(entries=list(entries), **settings)


def _active(book: Lorebook, *messages: str, seed: int = 0, **settings: Any) -> list[str]:
    result = activate(book, list(messages), random.Random(seed), LoreSettings(**settings))
    return [item.content for item in result.entries]


def test_a_key_in_the_messages_activates_its_entry() -> None:
    book = _book(LoreEntry(keys=["dragon"], content="D"), LoreEntry(keys=["elf"], content="E"))
    assert _active(book, "a DRAGON appears") == ["D"]


def test_an_empty_key_never_matches() -> None:
    book = _book(LoreEntry(keys=["", "  "], content="everything"))
    assert _active(book, "anything at all") == []


def test_case_sensitive_keys_need_the_exact_case() -> None:
    book = _book(LoreEntry(keys=["Mara"], content="M", case_sensitive=True))
    assert _active(book, "mara waves") == []
    assert _active(book, "Mara waves") == ["M"]


def test_whole_words_do_not_match_inside_other_words() -> None:
    book = _book(LoreEntry(keys=["cat"], content="C", match_whole_words=True))
    assert _active(book, "a concatenation") == []
    assert _active(book, "the cat, again") == ["C"]
    assert _active(_book(LoreEntry(keys=["cat"], content="C")), "a concatenation") == ["C"]


def test_whole_words_can_be_the_default() -> None:
    book = _book(LoreEntry(keys=["cat"], content="C"))
    assert _active(book, "concatenate", match_whole_words=True) == []


def test_regex_keys_match_as_patterns_and_invalid_ones_never_match() -> None:
    book = _book(
        LoreEntry(keys=[r"dragon(s|kin)\b"], content="R", use_regex=True),
        LoreEntry(keys=["(unclosed"], content="bad", use_regex=True),
    )
    assert _active(book, "the dragonkin (unclosed") == ["R"]
    assert _active(book, "a dragon") == []


def test_sillytavern_slash_regex_keys_work_without_use_regex() -> None:
    book = _book(LoreEntry(keys=["/sword|blade/i"], content="S"))
    assert _active(book, "a BLADE") == ["S"]


@pytest.mark.parametrize(
    ("logic", "message", "activates"),
    [
        (SelectiveLogic.AND_ANY, "dragon and fire", True),
        (SelectiveLogic.AND_ANY, "dragon alone", False),
        (SelectiveLogic.NOT_ALL, "dragon with fire", True),
        (SelectiveLogic.NOT_ALL, "dragon with fire and ice", False),
        (SelectiveLogic.NOT_ANY, "dragon alone", True),
        (SelectiveLogic.NOT_ANY, "dragon and ice", False),
        (SelectiveLogic.AND_ALL, "dragon, fire and ice", True),
        (SelectiveLogic.AND_ALL, "dragon and fire", False),
    ],
)
def test_secondary_keys_follow_the_selective_logic(
    logic: SelectiveLogic, message: str, activates: bool
) -> None:
    entry = LoreEntry(
        keys=["dragon"],
        secondary_keys=["fire", "ice"],
        selective=True,
        selective_logic=logic,
        content="X",
    )
    assert _active(_book(entry), message) == (["X"] if activates else [])


def test_secondary_keys_are_ignored_unless_selective() -> None:
    entry = LoreEntry(keys=["dragon"], secondary_keys=["fire"], content="X")
    assert _active(_book(entry), "dragon alone") == ["X"]


def test_constant_entries_always_activate_and_disabled_ones_never() -> None:
    book = _book(
        LoreEntry(constant=True, content="always"),
        LoreEntry(keys=["x"], content="off", enabled=False),
    )
    assert _active(book, "x") == ["always"]


def test_scan_depth_limits_how_many_recent_messages_are_scanned() -> None:
    book = _book(LoreEntry(keys=["dragon"], content="D"))
    messages = ["a dragon!", "hello", "how are you"]
    assert _active(book, *messages) == []  # default depth 2
    assert _active(book, *messages, default_scan_depth=3) == ["D"]
    assert _active(_book(LoreEntry(keys=["dragon"], content="D"), scan_depth=3), *messages) == ["D"]
    deep_entry = LoreEntry(keys=["dragon"], content="D", scan_depth=3)
    assert _active(_book(deep_entry, scan_depth=1), *messages) == ["D"]


def test_a_key_never_matches_across_two_messages() -> None:
    book = _book(LoreEntry(keys=["red dragon"], content="D"))
    assert _active(book, "it was red", "dragon") == []


def test_entries_enter_the_prompt_by_insertion_order() -> None:
    book = _book(
        LoreEntry(keys=["a"], content="late", insertion_order=50),
        LoreEntry(keys=["a"], content="early", insertion_order=1),
    )
    assert _active(book, "a") == ["early", "late"]


def test_probability_is_rolled_on_the_seeded_generator() -> None:
    book = _book(LoreEntry(keys=["coin"], content="heads", probability=50))
    outcomes = [_active(book, "coin", seed=seed) == ["heads"] for seed in range(40)]
    assert 5 < sum(outcomes) < 35
    assert outcomes == [_active(book, "coin", seed=seed) == ["heads"] for seed in range(40)]
    assert _active(_book(LoreEntry(keys=["c"], content="x", probability=0)), "c") == []


def test_token_budget_keeps_the_highest_priority_entries() -> None:
    book = _book(
        LoreEntry(keys=["a"], content="x" * 40, priority=1, insertion_order=1),
        LoreEntry(keys=["a"], content="y" * 40, priority=9, insertion_order=2),
        token_budget=15,
    )
    result = activate(book, ["a"], random.Random(0))
    assert [item.content for item in result.entries] == ["y" * 40]
    assert "over the token budget" in result.skipped[0].reason


def test_constant_entries_are_admitted_before_matched_ones_within_the_budget() -> None:
    book = _book(
        LoreEntry(keys=["a"], content="x" * 40, insertion_order=999),
        LoreEntry(constant=True, content="c" * 40, insertion_order=0),
    )
    assert _active(book, "a", token_budget=12) == ["c" * 40]


def test_recursion_lets_activated_content_activate_more_entries() -> None:
    book = _book(
        LoreEntry(keys=["castle"], content="The castle has a dungeon."),
        LoreEntry(keys=["dungeon"], content="The dungeon holds a dragon."),
        LoreEntry(keys=["dragon"], content="The dragon sleeps."),
    )
    assert len(_active(book, "the castle")) == 1
    assert len(_active(book, "the castle", recursive=True)) == 3
    assert len(_active(_book(*book.entries, recursive_scanning=True), "the castle")) == 3


def test_recursion_stops_at_the_step_limit() -> None:
    book = _book(
        LoreEntry(keys=["castle"], content="dungeon"),
        LoreEntry(keys=["dungeon"], content="dragon"),
        LoreEntry(keys=["dragon"], content="end"),
    )
    assert _active(book, "castle", recursive=True, max_recursion_steps=1) == ["dungeon", "dragon"]


def test_exclude_and_prevent_recursion() -> None:
    excluded = _book(
        LoreEntry(keys=["castle"], content="dungeon"),
        LoreEntry(keys=["dungeon"], content="D", exclude_recursion=True),
    )
    assert _active(excluded, "castle", recursive=True) == ["dungeon"]
    prevented = _book(
        LoreEntry(keys=["castle"], content="dungeon", prevent_recursion=True),
        LoreEntry(keys=["dungeon"], content="D"),
    )
    assert _active(prevented, "castle", recursive=True) == ["dungeon"]


def test_positions_split_before_and_after_the_character() -> None:
    book = _book(
        LoreEntry(keys=["a"], content="before"),
        LoreEntry(keys=["a"], content="after", position=LorePosition.AFTER_CHAR),
    )
    result = activate(book, ["a"], random.Random(0))
    assert (result.before_char, result.after_char) == ("before", "after")


def test_decorators_force_activation_either_way_and_are_stripped() -> None:
    book = _book(
        LoreEntry(keys=[], content="@@activate\nalways here"),
        LoreEntry(keys=["a"], content="@@dont_activate\nnever"),
    )
    assert _active(book, "a") == ["always here"]
    assert split_decorators("@@depth 4\n@@@instruct_depth 4\ntext") == ({"@@depth"}, "text")


def test_every_activation_says_why() -> None:
    entry = LoreEntry(keys=["dragon"], secondary_keys=["fire"], selective=True, content="X")
    (item,) = activate(_book(entry), ["dragon fire"], random.Random(0)).entries
    assert item.reason == "key 'dragon'; secondary keys AND ANY (matched: 'fire')"
