from __future__ import annotations

from personae.domain import Relationship
from personae.store import Store


def test_a_relationship_is_found_from_either_side(store: Store) -> None:
    store.relationships.save(Relationship(a="smith", b="bard", affinity=-12.5, interactions=3))
    expected = Relationship(a="bard", b="smith", affinity=-12.5, interactions=3)
    assert store.relationships.get("bard", "smith") == expected
    assert store.relationships.get("smith", "bard") == expected


def test_strangers_have_no_stored_relationship(store: Store) -> None:
    assert store.relationships.get("bard", "smith") is None


def test_an_interaction_moves_affinity_within_bounds_and_counts(store: Store) -> None:
    store.relationships.record_interaction("smith", "bard", 4.5)
    assert store.relationships.get("bard", "smith") == Relationship(
        a="bard", b="smith", affinity=4.5, interactions=1
    )
    store.relationships.record_interaction("bard", "smith", -2.0)
    assert store.relationships.get("bard", "smith") == Relationship(
        a="bard", b="smith", affinity=2.5, interactions=2
    )
    store.relationships.save(Relationship(a="bard", b="smith", affinity=98, interactions=9))
    store.relationships.record_interaction("bard", "smith", 5.0)
    assert store.relationships.get("bard", "smith") == Relationship(
        a="bard", b="smith", affinity=100, interactions=10
    )
    store.relationships.save(Relationship(a="bard", b="smith", affinity=-97, interactions=9))
    store.relationships.record_interaction("bard", "smith", -5.0)
    assert store.relationships.get("smith", "bard") == Relationship(
        a="bard", b="smith", affinity=-100, interactions=10
    )


def test_saving_a_pair_again_replaces_it(store: Store) -> None:
    store.relationships.save(Relationship(a="bard", b="smith", affinity=10, interactions=1))
    store.relationships.save(Relationship(a="smith", b="bard", affinity=25, interactions=2))
    assert store.relationships.of("bard") == [
        Relationship(a="bard", b="smith", affinity=25, interactions=2)
    ]


def test_of_among_and_book_select_the_right_pairs(store: Store) -> None:
    store.relationships.save_many(
        [
            Relationship(a="bard", b="smith", affinity=10),
            Relationship(a="bard", b="abbot", affinity=-30),
            Relationship(a="smith", b="abbot", affinity=5),
        ]
    )
    assert [r.key for r in store.relationships.of("bard")] == [
        ("abbot", "bard"),
        ("bard", "smith"),
    ]
    assert [r.key for r in store.relationships.among(["bard", "smith", "ghost"])] == [
        ("bard", "smith")
    ]
    book = store.relationships.book()
    assert len(book) == 3
    assert book.affinity("abbot", "bard") == -30


def test_runs_keep_separate_relationships(store: Store) -> None:
    store.for_run("r1").relationships.save(Relationship(a="bard", b="smith", affinity=50))
    assert store.relationships.get("bard", "smith") is None
    assert store.for_run("r1").relationships.book().affinity("smith", "bard") == 50
