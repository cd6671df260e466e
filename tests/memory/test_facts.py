"""Fact bookkeeping: merge, supersede, gossip, provenance."""

from __future__ import annotations

import pytest

from personae.domain.memory import Memory, MemoryKind, MemoryTier
from personae.memory.facts import (
    Insert,
    KnowledgeError,
    Merge,
    Supersede,
    normalise_text,
    provenance,
    reconcile,
    reinforced,
    telling_chain,
    told_fact,
)
from tests.memory.factories import make_memory


def test_case_punctuation_and_spacing_do_not_make_a_new_fact() -> None:
    assert (
        normalise_text("  Bob   likes ALE!! ") == normalise_text("bob likes ale") == "bob likes ale"
    )


def test_the_same_text_merges() -> None:
    known = make_memory("old", "Bob likes ale.")
    decision = reconcile(make_memory("new", "bob likes ale"), same_text=known)
    assert decision == Merge(existing_id="old", reason="same text")


def test_an_explicit_replacement_supersedes() -> None:
    old = make_memory("old", "Bob lives in Paris")
    decision = reconcile(make_memory("new", "Bob lives in Lyon"), replaces=old)
    assert decision == Supersede(old_id="old")


def test_the_same_text_wins_over_a_replacement() -> None:
    old = make_memory("old", "Bob lives in Lyon")
    decision = reconcile(make_memory("new", "Bob lives in Lyon"), same_text=old, replaces=old)
    assert isinstance(decision, Merge)


def test_a_close_embedding_neighbour_merges() -> None:
    neighbour = make_memory("old", "Bob loves ale")
    decision = reconcile(make_memory("new", "Bob likes ale"), nearest=(neighbour, 0.967))
    assert decision == Merge(existing_id="old", reason="cosine 0.967")


def test_a_neighbour_below_the_threshold_is_a_new_fact() -> None:
    # "Bob does not like ale" is 0.930 from "Bob likes ale": a contradiction, not a duplicate.
    neighbour = make_memory("old", "Bob likes ale")
    decision = reconcile(make_memory("new", "Bob does not like ale"), nearest=(neighbour, 0.930))
    assert decision == Insert()


def test_another_owners_memory_never_counts() -> None:
    theirs = make_memory("theirs", "Bob likes ale", owner_id="carl")
    candidate = make_memory("new", "Bob likes ale")
    assert reconcile(candidate, same_text=theirs, replaces=theirs, nearest=(theirs, 1.0)) == (
        Insert()
    )


def test_a_superseded_memory_never_counts() -> None:
    gone = make_memory("gone", "Bob likes ale", superseded_by="x")
    assert reconcile(make_memory("new", "Bob likes ale"), same_text=gone) == Insert()


def test_episodes_are_always_new() -> None:
    earlier = make_memory("e1", "We talked about grain", kind=MemoryKind.EPISODE)
    candidate = make_memory("e2", "We talked about grain", kind=MemoryKind.EPISODE)
    assert reconcile(candidate, same_text=earlier, nearest=(earlier, 1.0)) == Insert()


def test_reinforcing_keeps_the_first_teller_and_raises_importance() -> None:
    existing = make_memory(
        "old", importance=3, told_by="bob", created_at_s=10.0, tier=MemoryTier.COLD
    )
    again = make_memory("new", importance=6, told_by="carl", created_at_s=500.0)
    merged = reinforced(existing, again)
    assert (merged.id, merged.told_by, merged.importance) == ("old", "bob", 6)
    assert merged.last_accessed_s == 500.0
    assert merged.tier is MemoryTier.HOT


def test_gossip_gives_the_listener_a_memory_told_by_the_teller() -> None:
    fact = make_memory("f", "The mill burned down", owner_id="anna", about_id="mill", importance=7)
    heard = told_fact(fact, "anna", "bob", new_id="h", now_s=90.0, conversation_id="c2", turn=4)
    assert heard.owner_id == "bob"
    assert heard.told_by == "anna"
    assert (heard.text, heard.about_id, heard.importance) == ("The mill burned down", "mill", 7)
    assert (heard.created_at_s, heard.source_conversation_id, heard.source_turn) == (90.0, "c2", 4)


def test_a_persona_cannot_tell_what_it_does_not_know() -> None:
    fact = make_memory("f", owner_id="anna")
    with pytest.raises(KnowledgeError, match="belongs to anna"):
        told_fact(fact, "carl", "bob", new_id="h", now_s=0.0)


def test_a_superseded_fact_is_not_passed_on() -> None:
    fact = make_memory("f", owner_id="anna", superseded_by="g")
    with pytest.raises(KnowledgeError, match="superseded"):
        told_fact(fact, "anna", "bob", new_id="h", now_s=0.0)


def test_telling_oneself_is_refused() -> None:
    with pytest.raises(KnowledgeError, match="itself"):
        told_fact(make_memory("f", owner_id="anna"), "anna", "anna", new_id="h", now_s=0.0)


GOSSIP = [
    make_memory("a", "The mill burned down", owner_id="anna", created_at_s=10.0),
    make_memory("b", "the mill burned down!", owner_id="bob", told_by="anna", created_at_s=50.0),
    make_memory("c", "The mill burned down", owner_id="carl", told_by="bob", created_at_s=90.0),
    make_memory("x", "The mill was rebuilt", owner_id="anna", created_at_s=95.0),
]


def test_provenance_lists_who_learned_it_when_and_from_whom() -> None:
    rows = provenance(GOSSIP, "the mill burned down")
    assert [(r.owner_id, r.learned_at_s, r.told_by) for r in rows] == [
        ("anna", 10.0, None),
        ("bob", 50.0, "anna"),
        ("carl", 90.0, "bob"),
    ]


def memories_of(owner: str) -> list[Memory]:
    return [m for m in GOSSIP if m.owner_id == owner]


def test_the_telling_chain_runs_from_the_first_hand_knower() -> None:
    chain = telling_chain(GOSSIP[2], memories_of)
    assert [m.owner_id for m in chain] == ["anna", "bob", "carl"]


def test_the_chain_stops_where_the_teller_has_no_record() -> None:
    orphan = make_memory("o", "A rumour", owner_id="bob", told_by="zed", created_at_s=5.0)
    assert telling_chain(orphan, memories_of) == [orphan]
