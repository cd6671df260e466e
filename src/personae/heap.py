"""Keep Python's cyclic garbage collector off the long-lived startup heap.

By the time a run starts, the process holds hundreds of thousands of objects that live as long
as it does: SQLAlchemy, pydantic and numpy's modules, compiled schemas, the model wrappers. Every
full (oldest-generation) collection walks all of them again, and the garbage a run makes
(turns, prompts, copies of states) triggers one every few hundred lines: each takes ~40 ms on
this project's reference 2-core machine, about as much as 100 spoken lines cost the engine.
`gc.freeze()` moves what is alive now into a generation the collector never scans; the run's
own garbage is still collected as usual. `benchmarks/bench_conversation.py` measures the effect.

A run also makes garbage fast: a world tick at 10k personas allocates millions of containers,
and with CPython's default thresholds (a young collection every 700 net allocations, an older
one every 10 of those) the survivors of each line are walked over and over; full collections
took a fifth of such a tick. `tune_collector` collects the young generation every 50,000
allocations instead (the scheme Instagram and others use for allocation-heavy services):
nearly all of a line's garbage is freed by reference counting anyway, and what is cyclic is
still collected, in fewer, larger passes. `bench_world.py` measures the effect.
"""

from __future__ import annotations

import gc

YOUNG_COLLECTION_EVERY = 50_000
"""Net container allocations between collections of the young generation (CPython: 700)."""


def tune_collector() -> None:
    """Collect less often, in larger passes (see the module docstring); process-wide."""
    gc.set_threshold(YOUNG_COLLECTION_EVERY, 20, 100)


def freeze_startup_heap() -> None:
    """Collect what is garbage now, then exempt everything still alive from later collections.

    Call it once the program has imported and loaded what it keeps for its whole life (the
    runtime does, as it opens). Calling it again later freezes the newer survivors too.
    """
    gc.collect()
    gc.freeze()
