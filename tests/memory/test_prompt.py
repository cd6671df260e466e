"""'You remember: ...' for prompts."""

from __future__ import annotations

from personae.memory.prompt import format_memories
from personae.memory.settings import PromptSettings
from tests.memory.factories import make_memory


def test_memories_are_listed_in_brackets_after_the_lead() -> None:
    memories = [make_memory("1", "player likes coffee"), make_memory("2", "met at school")]
    assert format_memories(memories) == "You remember: [player likes coffee]; [met at school]"


def test_hearsay_names_who_told_it() -> None:
    memory = make_memory("1", "the mill burned down", told_by="bob")
    names = {"bob": "Bob the Miller"}.__getitem__
    assert format_memories([memory], name_of=names) == (
        "You remember: [the mill burned down (Bob the Miller told you)]"
    )


def test_nothing_to_remember_gives_an_empty_line() -> None:
    assert format_memories([]) == ""


def test_only_the_first_max_memories_are_used() -> None:
    memories = [make_memory(str(i), f"fact {i}") for i in range(9)]
    block = format_memories(memories, PromptSettings(max_memories=2))
    assert block == "You remember: [fact 0]; [fact 1]"


def test_the_block_stops_at_a_whole_memory_within_max_chars() -> None:
    memories = [make_memory("1", "a" * 20), make_memory("2", "b" * 30)]
    block = format_memories(memories, PromptSettings(max_chars=50))
    assert block == "You remember: [" + "a" * 20 + "]"


def test_an_overlong_first_memory_is_cut_to_fit() -> None:
    block = format_memories([make_memory("1", "x" * 500)], PromptSettings(max_chars=60))
    assert len(block) == 60
    assert block.endswith("…]")


def test_line_breaks_inside_a_memory_become_spaces() -> None:
    assert format_memories([make_memory("1", "two\nlines")]) == "You remember: [two lines]"
