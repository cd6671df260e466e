"""One conversation from opening to exit: decisions from the dynamics, words from the LLM.

    talk = await Conversation.open(deps, participants, topic, room=..., now_s=0, seed=7)
    async for turn in talk.turns():        # or: await talk.run_until(world_time_s)
        print(turn.speaker_id, turn.text)
    ending = await talk.close()

Each turn: the `Exchange` names the speaker (or a leaver, or the end); the speaker's tier picks
the prompt and sampling; the line goes through the quality pipeline (asked for again once, told
what was wrong, then a fallback line; after `dry_after_rejected_lines` fallback lines in a row the
talk has run dry and their speaker leaves); the turn is committed to the journal before anything
else happens; the state moves. Every `digest_every_lines` lines one LLM call folds lines that
left the window into the running summary and, with a memory, extracts what each participant
learned.

Chance comes from two seeded generators: one for decisions (who speaks, interruptions) and one
per turn for wording (exit lines). So a conversation can be rebuilt from its committed turns by
replaying the decisions with the stored words: that is how a crashed conversation resumes.
"""

from __future__ import annotations

import random
import uuid
from collections import deque
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Protocol

from personae.cards.frameworks.compile import CompiledPersona
from personae.conversation.characters import Characters
from personae.conversation.journal import Journal, NullJournal
from personae.conversation.memory_link import Tale
from personae.conversation.prompt import Scene, ask, build_messages, retry_hint, system_prompt
from personae.conversation.quality import Relevance, Said, Verdict, denoise, judge
from personae.conversation.settings import ConversationSettings
from personae.conversation.window import Digest, Digester, SummaryDigester, fold_point
from personae.domain.memory import Memory
from personae.domain.persona import Persona
from personae.domain.turn import ConversationRecord, ConversationStatus, Turn
from personae.domain.usage import Purpose
from personae.domain.world import Room
from personae.dynamics.cooldowns import PairCooldowns
from personae.dynamics.exchange import Decision, Exchange, Outcome, open_exchange
from personae.dynamics.routing import ExitReason, Tier, TierName, exit_line
from personae.dynamics.rules import RuleSet
from personae.dynamics.settings import DynamicsSettings
from personae.errors import PersonaeError
from personae.llm.backend import Backend
from personae.llm.fallback_lines import FallbackLines
from personae.llm.prices import PriceBook
from personae.llm.text import stable_seed
from personae.llm.types import CallContext, ChatRequest, ChatResponse, Message

HUMAN_TIER = "human"
"""The tier recorded for a person's line: not routed, never generated."""


class Recall(Protocol):
    """Memories a speaker brings to a turn (see `personae.memory`)."""

    async def recall(
        self, owner: Persona, about: Sequence[str], query: str, now_s: float, k: int
    ) -> list[Memory]: ...


class Gossip(Protocol):
    """Decides when a speaker passes on a fact, and records the telling (see `memory_link`)."""

    def tale(
        self,
        speaker: Persona,
        listeners: Sequence[str],
        recalled: Sequence[Memory],
        rng: random.Random,
    ) -> Tale | None: ...

    def tell(
        self, teller: str, tale: Tale, now_s: float, conversation_id: str, turn: int
    ) -> bool: ...


class ResumeError(PersonaeError):
    """A stored conversation cannot be replayed (its turns disagree with its decisions)."""


@dataclass
class Deps:
    """What a conversation talks through. Only `llm` is required."""

    llm: Backend
    journal: Journal = field(default_factory=NullJournal)
    digester: Digester | None = None
    recall: Recall | None = None
    gossip: Gossip | None = None
    relevance: Relevance | None = None
    settings: ConversationSettings = field(default_factory=ConversationSettings)
    dynamics: DynamicsSettings = field(default_factory=DynamicsSettings)
    prices: PriceBook = field(default_factory=PriceBook)
    characters: Characters | None = None


@dataclass(frozen=True, slots=True)
class Ending:
    """A finished conversation: its record, what it did to its participants, the states they
    entered it with, and the token budget it had left (by the dynamics' estimate)."""

    record: ConversationRecord
    outcome: Outcome
    starting: dict[str, Persona]
    budget_left: int


class Conversation:
    def __init__(
        self,
        deps: Deps,
        record: ConversationRecord,
        exchange: Exchange,
        room: Room | None,
        seed: int,
        starting: dict[str, Persona],
    ) -> None:
        self.deps = deps
        self.record = record
        self.exchange = exchange
        self.room = room
        self.seed = seed
        self.starting = starting
        self.history: list[Turn] = []
        self.summary = ""
        self.summarized = 0  # lines folded into the summary
        self.digested = 0  # lines seen by the digest
        self._decisions = random.Random(f"{seed}:decisions")
        self._digester = deps.digester or SummaryDigester(deps.llm, deps.settings.player_id)
        self._fallbacks = FallbackLines(seed=seed)
        self._tale: Tale | None = None
        self._scene = Scene(room, dict(exchange.personas), dict(exchange.affinities))
        self._characters: dict[tuple[str, tuple[str, ...]], CompiledPersona | None] = {}
        self._system_prompts: dict[tuple[str, str | None], str] = {}
        # The last turns as the quality gates read them, kept beside `history` (see `Said`).
        self._said: deque[Said] = deque(maxlen=deps.settings.quality.recent_turns)

    # -- opening and resuming --

    @classmethod
    async def open(
        cls,
        deps: Deps,
        participants: Sequence[Persona],
        topic: str,
        *,
        room: Room | None = None,
        now_s: float = 0.0,
        seed: int = 0,
        affinities: Mapping[tuple[str, str], float] | None = None,
        rule_sets: Sequence[RuleSet] = (),
        token_budget: int | None = None,
        run_id: str | None = None,
        conversation_id: str | None = None,
        people: Sequence[str] = (),
    ) -> Conversation:
        """Start a conversation and write its record to the journal.

        `people` are the participants who are people (a chat): they speak through `hear`, are
        never scored and never leave by score.
        """
        conversation_id = (
            conversation_id
            or uuid.UUID(
                int=random.Random(
                    f"{seed}:{run_id}:{now_s}:{[p.id for p in participants]}"
                ).getrandbits(128)
            ).hex
        )
        exchange = cls._exchange(
            deps,
            participants,
            topic,
            room,
            seed,
            conversation_id,
            affinities,
            rule_sets,
            token_budget,
            frozenset(people),
        )
        record = ConversationRecord(
            id=conversation_id,
            participants=[p.id for p in participants],
            topic=topic,
            room_id=room.room_id if room else None,
            run_id=run_id,
            started_at_s=now_s,
            token_budget=exchange.context.token_budget,
            seed=seed,
            people=list(people),
        )
        talk = cls(deps, record, exchange, room, seed, {p.id: p for p in participants})
        deps.journal.opened(record, talk.starting)
        return talk

    @classmethod
    def _exchange(
        cls,
        deps: Deps,
        participants: Sequence[Persona],
        topic: str,
        room: Room | None,
        seed: int,
        conversation_id: str,
        affinities: Mapping[tuple[str, str], float] | None,
        rule_sets: Sequence[RuleSet],
        token_budget: int | None,
        people: frozenset[str] = frozenset(),
    ) -> Exchange:
        opening = random.Random(f"{seed}:opening")
        return open_exchange(
            participants,
            topic,
            opening,
            affinities=affinities,
            rule_sets=rule_sets,
            token_budget=token_budget,
            fatigue_rate=room.modifiers.fatigue_rate if room else 1.0,
            settings=deps.dynamics,
            steadfast=people,
        )

    @classmethod
    async def resume(
        cls,
        deps: Deps,
        record: ConversationRecord,
        participants: Sequence[Persona],
        turns: Sequence[Turn],
        *,
        room: Room | None = None,
        seed: int = 0,
        affinities: Mapping[tuple[str, str], float] | None = None,
        rule_sets: Sequence[RuleSet] = (),
    ) -> Conversation:
        """Rebuild a conversation from its record, its participants' states at its start and its
        committed turns, by replaying the decisions with the stored words; then it goes on."""
        exchange = cls._exchange(
            deps,
            participants,
            record.topic,
            room,
            seed,
            record.id,
            affinities,
            rule_sets,
            record.token_budget,
            frozenset(record.people),
        )
        talk = cls(deps, record, exchange, room, seed, {p.id: p for p in participants})
        for stored in sorted(turns, key=lambda t: t.index):
            if stored.tier == HUMAN_TIER:
                talk.exchange.record_line(stored.speaker_id, stored.text, TierName.CONSTRAINED)
                talk.history.append(stored)
                continue
            forced = stored.speaker_id if record.people else None
            decision = talk.exchange.decide(talk._decisions, forced)
            if decision.speaker_id != stored.speaker_id:
                raise ResumeError(
                    f"conversation {record.id}: turn {stored.index} was spoken by "
                    f"{stored.speaker_id!r} but replaying its decisions gives "
                    f"{decision.speaker_id!r}; it cannot be resumed"
                )
            talk._heard(stored)
        record.tokens_used = 0
        record.cost_usd = 0.0
        for stored in talk.history:
            talk._account(stored)
        talk.summarized = record.summarized_turns
        talk.digested = record.digested_turns
        talk.summary = record.summary
        return talk

    # -- running --

    @property
    def clock_s(self) -> float:
        """The world time this conversation has reached."""
        return self.record.started_at_s + self.exchange.context.duration_s

    @property
    def finished(self) -> bool:
        return self.record.status is ConversationStatus.ENDED or (
            self.exchange.end_reason is not None and not self.exchange.pending
        )

    def _heard(self, turn: Turn) -> None:
        """A committed line moves the talk on: budgets and states, and when the model has had
        nothing new to say `dry_after_rejected_lines` times in a row, the talk has run dry and
        that line's speaker leaves, bored (as a persona whose score fell would)."""
        self.exchange.record_line(turn.speaker_id, turn.text, TierName(turn.tier))
        self._append(turn)
        dry_after = self.deps.settings.dry_after_rejected_lines
        if (
            dry_after
            and _rejected(turn)  # most lines are not: the window below is then never read
            and len(self.history) >= dry_after
            and all(_rejected(t) for t in self.history[-dry_after:])
            and turn.speaker_id not in self.exchange.steadfast
        ):
            self.exchange.leave(turn.speaker_id, ExitReason.BORED)

    def _append(self, turn: Turn) -> None:
        """`turn` joins the history, and the gates' reading of it the lines they compare with
        (a line just judged is read from `Said`'s cache, not again)."""
        self.history.append(turn)
        self._said.append(Said.of(turn.text, turn.speaker_id))

    async def step(self, speaker_id: str | None = None) -> Turn | None:
        """Speak the next turn (committed before it is returned), or None when the talk is over.

        `speaker_id` makes that persona the speaker (answering a person); it may leave instead.
        """
        if len(self.history) >= self.deps.settings.max_turns and self.exchange.end_reason is None:
            self.exchange.end_reason = ExitReason.TIME
        # Digest before speaking, not after: the lines of a talk that ends here are read once,
        # by the final digest, together with its episode.
        await self._maybe_digest(final=False)
        decision = self.exchange.decide(self._decisions, speaker_id)
        if decision.speaker_id is None:
            return None
        turn = await self._speak(decision)
        self._heard(turn)
        self._account(turn)
        await self.deps.journal.turn(self.record, turn)
        if self._tale is not None and self.deps.gossip is not None and not turn.is_fallback:
            self.deps.gossip.tell(
                turn.speaker_id, self._tale, self.clock_s, self.record.id, turn.index
            )
        self._tale = None
        if decision.leaving is not None:
            self.record.departures[decision.leaving.persona_id] = decision.leaving.reason.value
            self.deps.journal.departed(
                self.record, decision.leaving.persona_id, decision.leaving.reason.value
            )
        return turn

    async def hear(self, person_id: str, text: str) -> Turn:
        """A person's line, committed like any turn; the personas answer on their next `step`."""
        if person_id not in self.record.people:
            raise ValueError(f"{person_id!r} is not a person in this conversation")
        line = " ".join(text.split())
        if not line:
            raise ValueError("an empty line says nothing")
        turn = Turn(
            conversation_id=self.record.id,
            index=len(self.history),
            speaker_id=person_id,
            listener_ids=[p for p in self.exchange.willing if p != person_id],
            text=line,
            raw_text=text,
            tier=HUMAN_TIER,
            score=0.0,
            world_time_s=self.clock_s,
        )
        self.exchange.record_line(person_id, line, TierName.CONSTRAINED)
        self._append(turn)
        await self.deps.journal.turn(self.record, turn)
        return turn

    def end(self, reason: ExitReason) -> None:
        """End the talk now (a person leaving a chat, a caller's limit): nobody says another
        word; `close` then settles it."""
        if self.exchange.end_reason is None:
            self.exchange.end_reason = reason
        self.exchange.pending.clear()

    async def turns(self) -> AsyncIterator[Turn]:
        while (turn := await self.step()) is not None:
            yield turn

    async def run_until(self, world_time_s: float) -> list[Turn]:
        """Speak turns while this conversation's clock is before `world_time_s`."""
        spoken = []
        while self.clock_s < world_time_s and not self.finished:
            turn = await self.step()
            if turn is None:
                break
            spoken.append(turn)
        return spoken

    async def run(self) -> list[Turn]:
        return [turn async for turn in self.turns()]

    async def close(self, pairs: PairCooldowns | None = None) -> Ending:
        """End the talk: cooldowns, affinity changes, the record's final numbers, the journal."""
        while not self.finished:
            if await self.step() is None:
                break
        await self._maybe_digest(final=True)
        outcome = self.exchange.finish(
            self.clock_s, pairs if pairs is not None else PairCooldowns()
        )
        self.record.status = ConversationStatus.ENDED
        self.record.ended_at_s = self.clock_s
        self.record.exit_reason = outcome.exit_reason.value
        ending = Ending(
            record=self.record,
            outcome=outcome,
            starting=self.starting,
            budget_left=self.exchange.context.token_budget,
        )
        self.deps.journal.ended(ending, self.history)
        return ending

    # -- one turn --

    async def _speak(self, decision: Decision) -> Turn:
        assert decision.speaker_id is not None
        speaker = self.exchange.personas[decision.speaker_id]
        index = len(self.history)
        base = {
            "conversation_id": self.record.id,
            "index": index,
            "speaker_id": speaker.id,
            "listener_ids": list(decision.listener_ids),
            "score": decision.score,
            "scores": {k: round(v, 3) for k, v in decision.scores.items()},
            "initiative_roll": self._initiative(speaker.id),
            "interrupted_id": decision.interrupted_id,
            "world_time_s": self.clock_s,
        }
        if decision.leaving is not None or not decision.tier.uses_llm:
            reason = decision.leaving.reason if decision.leaving else ExitReason.BORED
            room_lines = self.room.exit_phrases if self.room else []
            wording = random.Random(f"{self.seed}:{index}")
            text = exit_line(
                reason, speaker, wording, room_lines, said={t.text for t in self.history}
            )
            return Turn(
                **base, text=text, raw_text=text, tier=TierName.TEMPLATE.value, is_exit=True
            )
        return await self._generate(speaker, decision, index, base)

    async def _generate(
        self, speaker: Persona, decision: Decision, index: int, base: dict[str, object]
    ) -> Turn:
        s = self.deps.settings
        listeners = [self.exchange.personas[pid] for pid in decision.listener_ids]
        others = [p.name for p in listeners]
        memories = await self._memories(speaker, listeners)
        self._tale = (
            self.deps.gossip.tale(
                speaker,
                [p.id for p in listeners],
                memories,
                random.Random(f"{self.seed}:{index}:gossip"),
            )
            if self.deps.gossip and memories  # nothing recalled, nothing to pass on
            else None
        )
        request = self._request(speaker, listeners, decision.tier, index, memories)
        prompt_tokens = completion_tokens = 0
        cost: float | None = 0.0
        verdict: Verdict | None = None
        raw = text = ""
        cut_off = False
        recent = list(self._said)
        for attempt in range(s.regenerations + 1):
            if attempt:
                failures = verdict.failures if verdict else ()
                if raw.strip() and not text:
                    # Denoising left nothing (too short and off topic only follow from that):
                    # every sentence of it was said before, or what was left ran into the
                    # token limit mid-sentence.
                    failures = ("rehash", "too_short") if cut_off else ("rehash",)
                request = _asked_again(request, attempt, failures)
            response = await self.deps.llm.complete(request)
            prompt_tokens += response.usage.prompt_tokens
            completion_tokens += response.usage.completion_tokens
            cost = _add_cost(cost, self._cost(response))
            raw = response.text
            # The request's own instructions count as heard: a sentence of them said back
            # ("The topic is culture.") is dropped like a repeated one.
            heard: list[str | Said] = [*recent, request.messages[-1].content]
            cut_off = response.finish_reason == "length"
            text = denoise(raw, speaker, others, s.quality, heard, cut_off)
            said = Said.of(text, speaker.id)
            verdict = judge(
                said,
                speaker,
                self.exchange.context.topic,
                recent,
                others,
                self.deps.relevance,
                s.quality,
            )
            if response.is_fallback_line or verdict.passed:
                return Turn(
                    **base,
                    text=text or raw,
                    raw_text=raw,
                    tier=decision.tier.name.value,
                    quality={**verdict.scores, "attempts": float(attempt + 1)},
                    is_fallback=response.is_fallback,
                    prompt_tokens=prompt_tokens,
                    completion_tokens=completion_tokens,
                    cost_usd=cost,
                )
        # Seeded by the conversation's seed, not its id, so a replayed world says the same.
        fallback = self._fallbacks.line(
            replace(request, context=replace(request.context, conversation_id=str(self.seed))),
            said={t.text for t in self.history},
        )
        quality = dict(verdict.scores) if verdict else {}
        quality["rejected"] = 1.0
        quality["attempts"] = float(s.regenerations + 1)
        return Turn(
            **base,
            text=fallback,
            raw_text=raw,
            tier=decision.tier.name.value,
            quality=quality,
            is_fallback=True,
            prompt_tokens=prompt_tokens,
            completion_tokens=completion_tokens,
            cost_usd=cost,
        )

    def _request(
        self,
        speaker: Persona,
        listeners: Sequence[Persona],
        tier: Tier,
        index: int,
        memories: Sequence[Memory],
    ) -> ChatRequest:
        s = self.deps.settings
        window = self.history[self.summarized :]
        listener_names = [p.name for p in listeners]
        character = self._character(speaker, listener_names)
        lore = (
            self.deps.characters.lore(
                speaker, [t.text for t in window], random.Random(f"{self.seed}:{index}:lore")
            )
            if self.deps.characters and speaker.lorebook is not None
            else []
        )
        the_ask = ask(
            speaker,
            listener_names,
            self.exchange.context.topic,
            tier,
            memories,
            lore,
            opening=not self.history,
            tell=self._tale_words(),
        )
        messages = build_messages(
            speaker,
            self._scene,
            self.summary,
            window,
            the_ask,
            system=self._system_prompt(speaker, character),
        )
        words = tier.max_words or s.full_max_words
        listener = listeners[0] if listeners else None
        return ChatRequest.of(
            messages,
            temperature=tier.temperature,
            top_p=character.llm.top_p if character else 1.0,
            frequency_penalty=character.llm.frequency_penalty if character else 0.0,
            max_tokens=max(16, int(words * s.tokens_per_word)),
            seed=stable_seed(self.seed, index, "llm", bits=31),
            context=CallContext(
                player_id=s.player_id,
                conversation_id=self.record.id,
                persona=speaker,
                listener_name=listener.name if listener else None,
                affinity=self.exchange.affinity(speaker.id, listener.id) if listener else 0.0,
                topic=self.exchange.context.topic,
                purpose=Purpose.CONVERSATION,
                tier=tier.name.value,
                wants_exit=tier.prepare_exit and tier.name is TierName.TEMPLATE,
            ),
        )

    def _character(self, speaker: Persona, listener_names: list[str]) -> CompiledPersona | None:
        """The speaker's compiled card, if it has one: the same for every turn it speaks to the
        same listeners, so compiled once for them."""
        if self.deps.characters is None:
            return None
        key = (speaker.id, tuple(listener_names))
        if key not in self._characters:
            self._characters[key] = self.deps.characters.of(speaker, listener_names)
        return self._characters[key]

    def _system_prompt(self, speaker: Persona, character: CompiledPersona | None) -> str:
        """Stable for the whole talk (who the speaker is, the room, who is present): built once
        per speaker and card prompt, which also keeps an inference server's prefix cache warm."""
        card = character.system_prompt if character else None
        key = (speaker.id, card)
        prompt = self._system_prompts.get(key)
        if prompt is None:
            prompt = self._system_prompts[key] = system_prompt(speaker, self._scene, card)
        return prompt

    def _tale_words(self) -> str | None:
        """What the ask says when the speaker is to pass a fact on."""
        if self._tale is None:
            return None
        listener = self.exchange.personas.get(self._tale.listener_id)
        name = listener.name if listener else self._tale.listener_id
        return f"Tell {name} what you know: {self._tale.memory.text}"

    async def _memories(self, speaker: Persona, listeners: Sequence[Persona]) -> list[Memory]:
        k = self.deps.settings.memories_per_prompt
        if self.deps.recall is None or k == 0:
            return []
        # What the talk is about and who is in it: the same question every turn of a topic, so
        # its embedding is computed once (a caching embedder), not once per line.
        query = " ".join(
            [self.exchange.context.topic.replace("_", " "), *(p.name for p in listeners)]
        )
        return await self.deps.recall.recall(
            speaker, [p.id for p in listeners], query, self.clock_s, k
        )

    async def _maybe_digest(self, final: bool) -> None:
        s = self.deps.settings
        fresh = len(self.history) - self.digested
        if final:
            if not self.history:
                return
            fold_to = self.summarized  # nothing more to fold: no prompt follows the end
        else:
            if fresh < s.digest_every_lines or self.finished:
                return
            fold_to = fold_point(len(self.history), self.summarized, s.window_lines)
        digest: Digest = await self._digester.digest(
            record=self.record,
            personas=self.exchange.personas,
            new_lines=self.history[self.digested :],
            fold=self.history[self.summarized : fold_to],
            summary=self.summary,
            now_s=self.clock_s,
            final=final,
            history=self.history if final else (),
        )
        self.summary = digest.summary
        self.summarized = max(self.summarized, fold_to)
        self.digested = len(self.history)
        self.record.summary = self.summary
        self.record.summarized_turns = self.summarized
        self.record.digested_turns = self.digested
        await self.deps.journal.digested(self.record)

    def _initiative(self, persona_id: str) -> int | None:
        for roll in self.exchange.initiative:
            if roll.persona_id == persona_id:
                return int(roll.total)
        return None

    def _cost(self, response: ChatResponse) -> float | None:
        if response.is_fallback_line:
            return 0.0
        return self.deps.prices.cost(response.backend, response.model, response.usage)

    def _account(self, turn: Turn) -> None:
        self.record.tokens_used += turn.prompt_tokens + turn.completion_tokens
        self.record.cost_usd = _add_cost(self.record.cost_usd, turn.cost_usd)


def _add_cost(total: float | None, more: float | None) -> float | None:
    """Unknown plus anything stays unknown: a cost is never silently $0."""
    if total is None or more is None:
        return None
    return total + more


def _rejected(turn: Turn) -> bool:
    """The model's line for this turn failed the quality gates (a fallback line was said)."""
    return bool(turn.quality.get("rejected"))


def _asked_again(request: ChatRequest, attempt: int, failures: Sequence[str]) -> ChatRequest:
    """The request for another try at a rejected line: another seed, every other setting (top_p,
    penalties) kept, and the ask told what was wrong with the last try."""
    seed = request.seed + attempt if request.seed is not None else attempt
    hint = retry_hint(failures)
    if not hint:
        return replace(request, seed=seed)
    *before, the_ask = request.messages
    told = Message(the_ask.role, f"{the_ask.content} {hint}")
    return replace(request, messages=(*before, told), seed=seed)
