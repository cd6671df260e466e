"""The world loop: rooms fill with conversations, tick after tick.

Each tick, at world time `now`:

1. events: which are active, and where;
2. every room, in order: its free personas (as the room and its events make them), new
   conversations up to the room's capacity (initiator, most compatible partner, sometimes a third;
   a topic from the room's leaning weighted by the participants' interests);
3. every active conversation speaks until `now + tick_s`, all at once (asyncio; the LLM stack
   bounds the calls in flight). Finished ones are closed: cooldowns, relationships, states;
4. idle personas rest (energy by the room's regeneration rate, fatigue fades, time to talk comes
   back) and may move to another room (seed 000's migration rules);
5. the tick is committed: placements, migrations, the snapshot (everyone's room, energy, fatigue
   and time to talk: the stored states are written as conversations end and when the run
   finishes) and the clock.

Every random choice of a tick comes from a generator seeded by (world seed, tick); each
conversation has its own. The loop knows nothing of taverns: rooms and events are data.
A crashed run resumes from its last committed tick; conversations that were mid-way resume from
their committed turns.
"""

from __future__ import annotations

import asyncio
import random
from bisect import insort
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from personae.conversation.engine import Conversation, Deps, Ending
from personae.domain.copies import with_changes
from personae.domain.memory import Memory, MemoryKind
from personae.domain.persona import Persona
from personae.domain.relationship import pair_key
from personae.domain.turn import ConversationRecord, ConversationStatus, Turn
from personae.domain.world import Event, Migration, Room
from personae.dynamics.cooldowns import PairCooldowns
from personae.dynamics.routing import ExitReason
from personae.dynamics.state import idle_recovery
from personae.files.world_file import WorldFile
from personae.heap import freeze_startup_heap
from personae.memory.service import PersonaMemory
from personae.store.records import RunStatus
from personae.store.store import Store
from personae.store.tick_columns import TickColumns
from personae.world.events import active_events, events_in
from personae.world.migration import Destinations, migration_reason, migration_target
from personae.world.modifiers import (
    candidate_in_room,
    felt_energy_and_time,
    in_room,
    room_topics,
    settle,
)
from personae.world.selection import Candidate, choose_participants, choose_topic, free_to_talk
from personae.world.vitals import Resting, Vitals

DepsFactory = Callable[[Callable[[Ending], list[Persona]]], Deps]
"""Builds the conversation dependencies, given how to settle participants' states at the end."""


@dataclass
class Live:
    """A conversation in progress, and the room it is held in."""

    talk: Conversation
    room_id: str


@dataclass
class TickReport:
    """What one tick did: for live views and progress bars."""

    tick: int
    start_s: float
    end_s: float
    opened: list[ConversationRecord] = field(default_factory=list)
    spoken: list[Turn] = field(default_factory=list)
    ended: list[Ending] = field(default_factory=list)
    migrations: list[Migration] = field(default_factory=list)


class Simulation:
    def __init__(
        self,
        world: WorldFile,
        store: Store,
        run_id: str,
        deps_factory: DepsFactory,
        seed: int | None = None,
        memory: PersonaMemory | None = None,
    ) -> None:
        self.world = world
        self.settings = world.simulation
        self.seed = self.settings.seed if seed is None else seed
        self.run_id = run_id
        self.store = store.for_run(run_id)
        self.rooms = {room.room_id: room for room in world.rooms}
        self.destinations = Destinations(world.rooms)
        self.base: dict[str, Persona] = {p.id: p for p in world.personas}
        # Every persona id in order, sorted once: the cast is fixed for the run, and each tick
        # walks it to rest everyone idle and to snapshot everyone.
        self.order = sorted(self.base)
        # Resting's numbers, in cast order (see `vitals`): the truth for energy, fatigue and time
        # to talk; `self.base` holds the rest of each persona.
        self.vitals = Vitals([self.base[pid] for pid in self.order])
        self.full_time = list(self.vitals.time_s)
        self.placement: dict[str, tuple[str, float]] = {
            pid: (world.starting_rooms[pid], 0.0) for pid in self.base
        }
        self.present = self._who_is_where()
        self.pairs = PairCooldowns()
        self.affinities = {r.key: r.affinity for r in world.relationship_book()}
        self.live: dict[str, Live] = {}
        # Everyone in a live conversation, kept as they open and close: at 10k personas,
        # gathering it from the conversations took ~7 ms each time.
        self.talking: set[str] = set()
        self.tick = 0
        self.clock_s = 0.0
        self.deps = deps_factory(self._settle)
        self.memory = memory

    # -- starting and resuming --

    def start(self) -> None:
        """Write the run and the world's initial state."""
        self.store.runs.create(
            self.run_id,
            self.world.world.name,
            self.seed,
            {
                "simulation": self.settings.model_dump(mode="json"),
                "description": self.world.world.description,
                "rooms": [room.model_dump(mode="json") for room in self.world.rooms],
                "facts": [fact.model_dump(mode="json") for fact in self.world.facts],
            },
        )
        self.store.personas.save_many(self.base.values())
        if self.memory is not None:
            self.memory.remember_many(
                [
                    Memory(
                        id=f"{self.run_id}:fact:{i}",
                        owner_id=fact.persona,
                        kind=MemoryKind.FACT,
                        text=fact.text,
                        importance=fact.importance,
                    )
                    for i, fact in enumerate(self.world.facts)
                ]
            )
        self.store.relationships.save_many(self.world.relationship_book())
        self.store.world.place(self.placement)
        freeze_startup_heap()  # the world is loaded and lives as long as the run

    async def resume(self) -> None:
        """Load the last committed tick and pick up the conversations that were mid-way."""
        run = self.store.runs.require(self.run_id)
        self.clock_s = run.clock_s
        self.tick = round(run.clock_s / self.settings.tick_s)
        stored = self.store.personas.get_many(list(self.base))
        self.base.update(stored)
        self.vitals = Vitals([self.base[pid] for pid in self.order])
        active = self.store.conversations.list(run_id=self.run_id, status=ConversationStatus.ACTIVE)
        self._rested_as_last_taken(run.clock_s, {pid for c in active for pid in c.participants})
        self.placement.update(self.store.world.placements())
        self.present = self._who_is_where()
        self.pairs = PairCooldowns(dict(self.store.cooldowns.all()))
        self.affinities.update({r.key: r.affinity for r in self.store.relationships.book()})
        for record in active:
            room = self.rooms[record.room_id] if record.room_id else None
            events = events_in(
                record.room_id or "", active_events(self.world.events, record.started_at_s)
            )
            views = [
                in_room(self.persona(pid), room, events) if room else self.persona(pid)
                for pid in record.participants
            ]
            talk = await Conversation.resume(
                self.deps,
                record,
                views,
                self.store.turns.list(record.id),
                room=room,
                seed=record.seed,
                affinities=self._affinities(record.participants),
                rule_sets=self.world.enabled_rule_sets(),
            )
            self._begin(talk, record.room_id or "")
        self.store.runs.set_status(self.run_id, RunStatus.RUNNING)
        freeze_startup_heap()  # the world is loaded and lives as long as the run

    # -- the loop --

    async def run(
        self, ticks: int, on_tick: Callable[[TickReport], None] | None = None
    ) -> list[Ending]:
        """Run until `ticks` ticks have passed in total (a resumed run counts the earlier ones);
        conversations still going then end there (exit reason "time"). Returns every
        conversation's ending."""
        endings: list[Ending] = []
        while self.tick < ticks:
            report = await self.step()
            endings.extend(report.ended)
            if on_tick is not None:
                on_tick(report)
        for live in self.live.values():
            live.talk.end(ExitReason.TIME)  # the world stops here, mid-sentence or not
        endings.extend(await self._close(list(self.live)))
        with self.store.transaction() as tx:
            # Ticks save only their snapshots: the stored states catch up here, at the end.
            tx.personas.save_states({pid: self.persona(pid).state for pid in self.order})
            tx.runs.set_status(self.run_id, RunStatus.FINISHED)
        return endings

    async def step(self) -> TickReport:
        now = self.clock_s
        end = now + self.settings.tick_s
        rng = random.Random(f"{self.seed}:tick:{self.tick}")
        report = TickReport(self.tick, now, end)
        events = active_events(self.world.events, now)
        present = self.present
        running = Counter(live.room_id for live in self.live.values())
        # The rooms open their conversations one after another: they share one commit.
        with self.deps.journal.batched():
            for room in self.rooms.values():
                if running[room.room_id] >= room.max_concurrent_conversations:
                    continue  # full: nobody here can start another
                free_ids = [pid for pid in present.get(room.room_id, []) if pid not in self.talking]
                opened = await self._fill(room, free_ids, events, now, rng, running[room.room_id])
                report.opened.extend(opened)
        report.spoken = await self._advance(end)
        report.ended = await self._close([cid for cid, v in self.live.items() if v.talk.finished])
        report.migrations = self._rest_and_move(end, rng, self.talking)
        self._commit(end, report.migrations, self.talking)
        self.tick += 1
        self.clock_s = end
        return report

    async def _advance(self, end: float) -> list[Turn]:
        """Every live conversation speaks until `end`, all at once (their turns share commits)."""
        batches = await asyncio.gather(*(live.talk.run_until(end) for live in self.live.values()))
        return [turn for batch in batches for turn in batch]

    async def _close(self, conversation_ids: Sequence[str]) -> list[Ending]:
        """Close these live conversations, one after another; their endings share one commit."""
        endings = []
        with self.deps.journal.batched():
            for conversation_id in conversation_ids:
                ending = await self.live[conversation_id].talk.close(self.pairs)
                self._ended(conversation_id, ending)
                endings.append(ending)
        return endings

    async def _fill(
        self,
        room: Room,
        idle_ids: Sequence[str],
        events: Sequence[Event],
        now: float,
        rng: random.Random,
        running: int,
    ) -> list[ConversationRecord]:
        """Open conversations in `room` among its idle personas, up to its capacity (`running`
        are going on there already)."""
        here = events_in(room.room_id, events)
        base, vitals, world = self.base, self.vitals, self.settings
        # The choices read candidates (a few numbers each); whole views are made only for
        # those chosen, and nothing at all when fewer than two are free.
        free: list[Candidate] = []
        resting: dict[str, Resting] = {}
        for pid in idle_ids:
            numbers = vitals.of(pid)
            energy, available = felt_energy_and_time(numbers, room, here)
            persona = base[pid]
            if free_to_talk(energy, available, persona.state.cooldown_until_s, now, world):
                resting[pid] = numbers
                free.append(candidate_in_room(persona, available, room, here))
        if len(free) < 2:
            return []
        opened: list[ConversationRecord] = []
        while running + len(opened) < room.max_concurrent_conversations:
            chosen = choose_participants(
                free, rng, now, self.pairs, self.settings, self.world.settings
            )
            if not chosen:
                break
            topic = choose_topic(room_topics(room, here), chosen, rng, self.world.settings)
            ids = [c.id for c in chosen]
            talk = await Conversation.open(
                self.deps,
                [in_room(base[pid], room, here, resting[pid]) for pid in ids],
                topic,
                room=room,
                now_s=now,
                seed=rng.getrandbits(31),
                affinities=self._affinities(ids),
                rule_sets=self.world.enabled_rule_sets(),
                run_id=self.run_id,
            )
            self._begin(talk, room.room_id)
            opened.append(talk.record)
            free = [c for c in free if c.id not in ids]
        return opened

    def _settle(self, ending: Ending) -> list[Persona]:
        """Carry a finished conversation back to the base personas (see `modifiers.settle`)."""
        record = ending.record
        duration = (record.ended_at_s or record.started_at_s) - record.started_at_s
        settled = []
        for end in ending.outcome.personas:
            start = ending.starting[end.id]
            base = self.persona(end.id)
            settled_state = settle(base.state, start.state, end.state, duration)
            self.base[end.id] = with_changes(base, {"state": settled_state})
            self.vitals.take(end.id, settled_state)
            settled.append(self.base[end.id])
        return settled

    def persona(self, pid: str) -> Persona:
        """The whole persona as it is now. `base` holds each persona but not its latest resting
        numbers (energy, fatigue, time to talk), which live in `vitals`: this brings them
        together."""
        persona = self.base[pid]
        current = self.vitals.current(persona)
        if current is not persona:
            self.base[pid] = current
        return current

    def _rested_as_last_taken(self, clock_s: float, in_active: set[str]) -> None:
        """Resting numbers as the last committed tick left them.

        A tick saves them only in its snapshot, not in the stored states (at 10k personas that
        write cost ~15-20 ms a tick): stored states are written when a conversation settles and
        when the run ends. So the snapshot is the newer, except for whoever settled after it: a
        conversation opened after the tick (it started at the clock the tick ended on) that has
        ended, or one that was going on at the tick and is no longer (it ended in the tick that
        did not commit, or in the run's closing)."""
        taken = self.store.world.last_tick()
        if taken is None:
            return  # no tick committed: the stored states are the newest there are
        ended_since = {
            pid
            for record in self.store.conversations.list(
                run_id=self.run_id, status=ConversationStatus.ENDED
            )
            if record.started_at_s >= clock_s
            for pid in record.participants
        }
        for i, pid in enumerate(taken.persona_ids):
            if pid in ended_since or (taken.talking[i] and pid not in in_active):
                continue
            if pid in self.vitals.index:
                self.vitals.take_numbers(
                    pid,
                    taken.social_energy[i],
                    taken.interaction_fatigue[i],
                    taken.available_time_s[i],
                )

    def _who_is_where(self) -> dict[str, list[str]]:
        """Room id -> the personas in it, in id order; kept up to date as personas move, so a
        tick need not walk the whole cast to know it."""
        present: dict[str, list[str]] = {}
        for pid in self.order:
            present.setdefault(self.placement[pid][0], []).append(pid)
        return present

    def _begin(self, talk: Conversation, room_id: str) -> None:
        self.live[talk.record.id] = Live(talk, room_id)
        self.talking.update(talk.record.participants)

    def _ended(self, conversation_id: str, ending: Ending) -> None:
        """A closed conversation leaves the room; its participants are free again."""
        talk = self.live.pop(conversation_id).talk
        self.talking.difference_update(talk.record.participants)
        for (a, b), change in ending.outcome.affinity_changes.items():
            key = pair_key(a, b)
            self.affinities[key] = max(-100.0, min(100.0, self.affinities.get(key, 0.0) + change))

    def _rest_and_move(self, end: float, rng: random.Random, busy: set[str]) -> list[Migration]:
        moves = []
        tick_s, dynamics, world = self.settings.tick_s, self.world.settings, self.settings
        time_back = world.available_time_regen_per_s * tick_s
        energy, fatigue, time_s, full_time = (
            self.vitals.energy,
            self.vitals.fatigue,
            self.vitals.time_s,
            self.full_time,
        )
        for i, pid in enumerate(self.order):
            if pid in busy:
                continue
            room_id, arrived = self.placement[pid]
            room = self.rooms[room_id]
            energy[i], fatigue[i] = idle_recovery(
                energy[i], fatigue[i], tick_s, room.energy_regen_rate, dynamics
            )
            # Time comes back up to the persona's own full measure, never taken away.
            time_s[i] = max(time_s[i], min(full_time[i], time_s[i] + time_back))
            target = migration_target(
                energy[i], fatigue[i], room, self.destinations, end - arrived, rng, world
            )
            if target is not None:
                moves.append(
                    Migration(
                        persona_id=pid,
                        from_room=room_id,
                        to_room=target.room_id,
                        at_s=end,
                        reason=migration_reason(energy[i], world),
                    )
                )
                self.placement[pid] = (target.room_id, end)
                self.present[room_id].remove(pid)
                insort(self.present.setdefault(target.room_id, []), pid)
        return moves

    def _commit(self, end: float, moves: list[Migration], talking: set[str]) -> None:
        # Columns, not a model per persona: 10k personas a tick, every value from the
        # simulation's own validated state.
        placement, order, vitals = self.placement, self.order, self.vitals
        snapshot = TickColumns(
            persona_ids=order,
            room_ids=[placement[pid][0] for pid in order],
            social_energy=list(vitals.energy),
            interaction_fatigue=list(vitals.fatigue),
            available_time_s=list(vitals.time_s),
            talking=[pid in talking for pid in order],
        )
        with self.store.transaction() as tx:
            # Only migrations move anyone: the start wrote everyone's placement.
            tx.world.place({move.persona_id: placement[move.persona_id] for move in moves})
            tx.world.add_tick(self.tick, end, snapshot)
            tx.world.add_migrations(moves)
            tx.runs.advance_clock(self.run_id, end)

    def _affinities(self, ids: Sequence[str]) -> dict[tuple[str, str], float]:
        return {
            pair_key(a, b): self.affinities.get(pair_key(a, b), 0.0)
            for i, a in enumerate(ids)
            for b in ids[i + 1 :]
        }
