"""Where a conversation writes down what happens, as it happens.

The engine calls the journal at each step; `StoreJournal` commits each turn the moment it is
spoken, before the conversation goes on, so a crash loses no committed turn. With
`group_commit`, the turns (and the digests' progress) that several conversations write in the
same pass of the event loop (a world's tick) share one transaction (see `store.group_commit`);
a lone conversation commits inline, sparing the two trips through the event loop a shared
commit waits for. Inside `batched()`, openings and endings (with their last digests) wait and
are written together as the block ends: a world's tick opens, then closes, hundreds of
conversations one after another.
`NullJournal` keeps nothing (a throwaway conversation).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from personae.domain.persona import Persona
from personae.domain.turn import ConversationRecord, Turn
from personae.store.group_commit import GroupCommit
from personae.store.records import InteractionRecord
from personae.store.store import Store

if TYPE_CHECKING:
    from personae.conversation.engine import Ending


class Journal(Protocol):
    def opened(self, record: ConversationRecord, starting: Mapping[str, Persona]) -> None: ...

    async def turn(self, record: ConversationRecord, turn: Turn) -> None:
        """Returns once `turn` is committed."""
        ...

    def departed(self, record: ConversationRecord, persona_id: str, reason: str) -> None: ...

    async def digested(self, record: ConversationRecord) -> None:
        """Returns once the record's progress (totals, summary, digest) is committed; inside
        `batched()`, at once, the progress waiting for the block's end."""
        ...

    def ended(self, ending: Ending, turns: Sequence[Turn]) -> None: ...

    def batched(self) -> AbstractContextManager[None]:
        """A block whose openings and endings are written together when it ends."""
        ...


class NullJournal:
    def opened(self, record: ConversationRecord, starting: Mapping[str, Persona]) -> None:
        return None

    async def turn(self, record: ConversationRecord, turn: Turn) -> None:
        return None

    def departed(self, record: ConversationRecord, persona_id: str, reason: str) -> None:
        return None

    async def digested(self, record: ConversationRecord) -> None:
        return None

    def ended(self, ending: Ending, turns: Sequence[Turn]) -> None:
        return None

    @contextmanager
    def batched(self) -> Iterator[None]:
        yield


Settle = Callable[["Ending"], list[Persona]]


@dataclass
class _Batch:
    """What a `batched()` block holds back, written at its end in this order."""

    openings: list[ConversationRecord] = field(default_factory=list)
    progress: list[ConversationRecord] = field(default_factory=list)
    endings: list[tuple[Ending, Sequence[Turn], list[Persona]]] = field(default_factory=list)


def keep_final_states(ending: Ending) -> list[Persona]:
    """Store the participants as the conversation left them (no room views to undo)."""
    return list(ending.outcome.personas)


class StoreJournal:
    """Commits to a `Store`. On the end it writes, in one transaction: the final record, the
    participants' states (as `settle` makes them), the relationships moved by the talk, pair
    cooldowns, and one interaction-history row per pair."""

    def __init__(
        self, store: Store, settle: Settle = keep_final_states, group_commit: bool = False
    ) -> None:
        self.store = store
        self.settle = settle
        # The personas known to be stored, by run: personas are not deleted while a run goes on,
        # so a world's conversations need not ask the store again and again.
        self._stored: dict[str | None, set[str]] = {}
        self._turns = (
            GroupCommit(store.turns.append_many, store.turns.append) if group_commit else None
        )
        conversations = store.conversations
        self._progress = (
            GroupCommit(conversations.save_progress_many, conversations.save_progress)
            if group_commit
            else None
        )
        self._batch: _Batch | None = None  # inside `batched()`: what waits for its end

    def opened(self, record: ConversationRecord, starting: Mapping[str, Persona]) -> None:
        """Write the record, and any participant the store does not know yet (so that a
        crashed conversation can be resumed from the store alone)."""
        scoped = self.store.for_run(record.run_id)
        stored = self._stored.get(record.run_id)
        if stored is None:  # the run's first conversation here: learn its whole cast once
            stored = self._stored[record.run_id] = scoped.personas.ids()
        missing = [persona for pid, persona in starting.items() if pid not in stored]
        if missing:
            with scoped.transaction() as tx:
                tx.personas.save_many(missing)
                tx.conversations.create_if_absent(record)
        elif self._batch is not None:  # a world's cast is stored before its first tick
            self._batch.openings.append(record)
            return
        else:  # the usual case, one driver statement pair: the record and its participants
            scoped.conversations.create_if_absent(record)
        # Only after the commit: a persona is remembered as stored once it is. In place: a
        # world's cast is thousands of ids, and a copy per opening cost more than the opening.
        stored.update(starting)

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Openings, final digests and endings inside wait, and are written in one
        transaction as the block ends (if it raises, what still waits is dropped). A tick's
        rooms open hundreds of conversations one after another, and close as many: a commit for
        each is a round trip each on PostgreSQL. Nothing reads them back in between; a turn or
        a departure, which cannot wait, writes the waiting openings first (it refers to its
        conversation's record)."""
        if self._batch is not None:  # already inside one: the outer block writes
            yield
            return
        batch = self._batch = _Batch()
        try:
            yield
            self._write_batch(batch)
        finally:
            self._batch = None

    def _write_batch(self, batch: _Batch) -> None:
        """What a batch held back: its openings (what follows refers to them), then its last
        digests and endings in one transaction."""
        self._write_openings()
        if batch.progress or batch.endings:
            with self.store.driver_transaction() as tx:
                if batch.progress:
                    tx.conversations.save_progress_many(batch.progress)
                for ending, turns, settled in batch.endings:
                    _write_ending(tx.for_run(ending.record.run_id), ending, turns, settled)

    def _write_openings(self) -> None:
        """The openings waiting in a batch, in one transaction."""
        if self._batch is None or not self._batch.openings:
            return
        openings, self._batch.openings = self._batch.openings, []
        with self.store.driver_transaction() as tx:
            for record in openings:
                tx.for_run(record.run_id).conversations.create_if_absent(record)

    async def turn(self, record: ConversationRecord, turn: Turn) -> None:
        # One statement per turn: the record's running totals are sums over its turns, so a
        # resumed conversation recomputes them instead of the store rewriting them every line.
        self._write_openings()
        if self._turns is not None:
            await self._turns.commit(turn)
        else:
            self.store.turns.append(turn)

    def departed(self, record: ConversationRecord, persona_id: str, reason: str) -> None:
        self._write_openings()
        self.store.conversations.save_departures(record)

    async def digested(self, record: ConversationRecord) -> None:
        # Every few lines of every conversation: in a world, a commit per digest (far more
        # than the turns' batches) unless the conversations digesting in one pass share one.
        if self._batch is not None:  # a closing conversation's last digest: with its ending
            self._batch.progress.append(record)
        elif self._progress is not None:
            await self._progress.commit(record)
        else:
            self.store.conversations.save_progress(record)

    def ended(self, ending: Ending, turns: Sequence[Turn]) -> None:
        # Settled now, written now or with the batch: the caller's personas move on at once.
        settled = self.settle(ending)
        if self._batch is not None:
            self._batch.endings.append((ending, turns, settled))
            return
        with self.store.for_run(ending.record.run_id).driver_transaction() as tx:
            _write_ending(tx, ending, turns, settled)


def _write_ending(
    tx: Store, ending: Ending, turns: Sequence[Turn], settled: Sequence[Persona]
) -> None:
    """An ending's writes, on `tx` (a driver transaction scoped to the conversation's run)."""
    record, outcome = ending.record, ending.outcome
    tx.conversations.save_fields(record)
    tx.personas.save_states({persona.id: persona.state for persona in settled})
    for (a, b), change in outcome.affinity_changes.items():
        tx.relationships.record_interaction(a, b, change)
        until = record.ended_at_s or 0.0
        longest = max(outcome.cooldowns_s.get(a, 0.0), outcome.cooldowns_s.get(b, 0.0))
        tx.cooldowns.block(a, b, until + longest)
        tx.history.add(
            InteractionRecord(
                id=f"{record.id}:{a}:{b}",
                conversation_id=record.id,
                persona1_id=a,
                persona2_id=b,
                duration_s=(record.ended_at_s or 0.0) - record.started_at_s,
                topics=[record.topic],
                satisfaction_score=(
                    outcome.final_scores.get(a, 0.0) + outcome.final_scores.get(b, 0.0)
                )
                / 2,
                turn_order=[t.speaker_id for t in turns],
                response_quality_scores=[t.quality for t in turns],
                continue_score_history={
                    pid: [t.scores[pid] for t in turns if pid in t.scores] for pid in (a, b)
                },
                token_usage=record.tokens_used,
                exit_reason=record.exit_reason,
                world_time_s=record.ended_at_s or 0.0,
            )
        )
