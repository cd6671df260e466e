"""Keep Python's cyclic garbage collector off the long-lived startup heap.

By the time a run starts, the process holds hundreds of thousands of objects that live as long
as it does: SQLAlchemy, pydantic and numpy's modules, compiled schemas, the model wrappers. Every
full (oldest-generation) collection walks all of them again, and the garbage a run makes
(turns, prompts, copies of states) triggers one every few hundred lines: each takes ~40 ms on
this project's reference 2-core machine, about as much as 100 spoken lines cost the engine.
`gc.freeze()` moves what is alive now into a generation the collector never scans; the run's
own garbage is still collected as usual. `benchmarks/bench_conversation.py` measures the effect.
"""

from __future__ import annotations

import gc


def freeze_startup_heap() -> None:
    """Collect what is garbage now, then exempt everything still alive from later collections.

    Call it once the program has imported and loaded what it keeps for its whole life (the
    runtime does, as it opens). Calling it again later freezes the newer survivors too.
    """
    gc.collect()
    gc.freeze()
