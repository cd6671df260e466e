"""WAL checkpoints for a SQLite store, run by a background thread instead of by a commit.

By default SQLite checkpoints inside whichever commit pushes the WAL past 1,000 pages, and with
`synchronous=NORMAL` a checkpoint syncs the WAL and the database file to disk: two fsyncs
charged to one unlucky turn (milliseconds on a virtual disk, the largest and noisiest cost on a
conversation's per-turn path). So a store's connections never checkpoint on commit
(`wal_autocheckpoint=0`), and this thread runs a PASSIVE checkpoint every second, as SQLite's
documentation suggests for applications that care about commit latency. PASSIVE never waits
for readers or writers; its fsyncs release the GIL, so the conversation goes on meanwhile.
When the last connection closes, SQLite checkpoints and removes the WAL itself.

The thread holds its engine weakly: a store dropped without `close()` does not keep a thread
checkpointing for ever; the thread ends with the engine.
"""

from __future__ import annotations

import logging
import threading
import weakref

from sqlalchemy import Engine

log = logging.getLogger(__name__)

CHECKPOINT_EVERY_S = 1.0


class WalCheckpointer:
    def __init__(self, engine: Engine, every_s: float = CHECKPOINT_EVERY_S) -> None:
        self._engine = weakref.ref(engine)
        self._every_s = every_s
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name="personae-wal-checkpoint", daemon=True
        )
        self.checkpoints = 0  # how many have run: for tests and diagnostics

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Stop the thread after one last checkpoint of what is committed."""
        if self._thread.is_alive():
            self._stop.set()
            self._thread.join()
            self.checkpoint()

    def checkpoint(self) -> bool:
        """Checkpoint now; False when the engine is gone. A failure is logged, not raised: the
        next beat tries again, and closing a store must not fail for it."""
        engine = self._engine()
        if engine is None:
            return False
        try:
            pooled = engine.raw_connection()
            try:
                pooled.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").close()
            finally:
                pooled.close()
            self.checkpoints += 1
        except Exception as error:
            log.warning("WAL checkpoint failed: %s", error)
        return True

    def _run(self) -> None:
        while not self._stop.wait(self._every_s):
            if not self.checkpoint():
                return
