"""The decisions of one conversation, turn by turn, without producing a single word.

The conversation engine (and the tests) drive an `Exchange` in a loop:

    exchange = open_exchange(participants, topic, rng)
    while (decision := exchange.decide(rng)).speaker_id is not None:
        text = ...  # an LLM line for decision.tier, or an exit line for a leaver
        exchange.record_line(decision.speaker_id, text, decision.tier.name)
    outcome = exchange.finish(now_s, pair_cooldowns)

Each `decide` first asks the budgets, then updates every willing participant's continue score
(its mean towards the other willing ones); anyone below the threshold leaves, and says a template
exit line as its last turn. The conversation ends when fewer than two are willing or a budget runs
out. What is spoken moves the state: budgets shrink, fatigue and energy change, the topic drifts.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from personae.domain.conversation import ConversationContext
from personae.domain.copies import with_changes
from personae.domain.persona import Persona
from personae.domain.relationship import pair_key
from personae.dynamics.budget import budget_exit, estimate_speaking_time_s, estimate_tokens, spend
from personae.dynamics.cooldowns import PairCooldowns, start_cooldowns
from personae.dynamics.initiative import InitiativeRoll, TurnManager, TurnPick
from personae.dynamics.routing import ExitReason, Tier, TierName, exit_reason, route_tier
from personae.dynamics.rules import RuleSet, apply_opening_rules
from personae.dynamics.score import ScoreBreakdown, group_continue_score, group_continue_total
from personae.dynamics.settings import DEFAULT_SETTINGS, DynamicsSettings
from personae.dynamics.state import Role, after_turn
from personae.dynamics.topics import drift_topic


@dataclass(frozen=True, slots=True)
class Departure:
    persona_id: str
    reason: ExitReason
    score: float


@dataclass(frozen=True, slots=True)
class Decision:
    """What happens next. `speaker_id` is None when the conversation is over (`end_reason`).

    A leaving speaker (`leaving`) says an exit line on the template tier and is then gone.
    """

    speaker_id: str | None
    tier: Tier
    score: float
    scores: dict[str, float]
    leaving: Departure | None = None
    interrupted_id: str | None = None
    end_reason: ExitReason | None = None
    listener_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a finished conversation left its participants."""

    personas: list[Persona]
    final_scores: dict[str, float]
    affinity_changes: dict[tuple[str, str], float]
    cooldowns_s: dict[str, float]
    exit_reason: ExitReason


@dataclass
class Exchange:
    context: ConversationContext
    personas: dict[str, Persona]
    willing: list[str]
    turns: TurnManager
    affinities: dict[tuple[str, str], float]
    settings: DynamicsSettings
    fatigue_rate: float = 1.0
    # People in a chat: they are never scored, never leave by score, and speak when they speak.
    steadfast: frozenset[str] = frozenset()
    departures: list[Departure] = field(default_factory=list)
    pending: list[Departure] = field(default_factory=list)
    end_reason: ExitReason | None = None

    @property
    def initiative(self) -> list[InitiativeRoll]:
        return self.turns.rolls

    def affinity(self, a: str, b: str) -> float:
        return self.affinities.get(pair_key(a, b), 0.0)

    def decide(self, rng: random.Random, speaker_id: str | None = None) -> Decision:
        """The next turn: who speaks and how, who leaves, or that the conversation is over.

        `speaker_id` names the speaker instead of the turn manager (a persona answering a person
        in a chat); it still leaves instead if its score says so.
        """
        if self.pending:
            return self._farewell(self.pending.pop(0))
        if self.end_reason is not None:
            return self._ended()
        active = [self.personas[i] for i in self.willing]
        hard_stop = budget_exit(self.context, active, self.settings)
        if hard_stop is not None:
            # Someone still says goodbye, with an exit line for why the talk ran out.
            self.end_reason = hard_stop
            if speaker_id is None or speaker_id in self.steadfast:
                speaker_id = self._next_persona(rng)
            last = self.context.last_score(speaker_id)
            return self._farewell(Departure(speaker_id, hard_stop, last or 0.0))

        scores = self._score_everyone()
        threshold = self.settings.score.continue_threshold
        leavers = sorted(
            (pid for pid in scores if scores[pid] < threshold),
            key=lambda pid: (scores[pid], pid),
        )
        # Only a leaver needs the breakdown (its exit reason is what cost it most), read
        # against everyone still there when the scores were taken.
        reasons = {
            pid: exit_reason(_weakest(self._group_score(pid)[1]), self.personas[pid], self.settings)
            for pid in leavers
        }
        for pid in leavers:
            self._depart(Departure(pid, reasons[pid], scores[pid]))
        self._end_when_alone()
        if self.pending:
            return self._farewell(self.pending.pop(0), scores)

        pick = TurnPick(speaker_id) if speaker_id else self.turns.next_speaker(self.personas, rng)
        speaker = self.personas[pick.speaker_id]
        score = scores[speaker.id]
        return Decision(
            speaker_id=speaker.id,
            tier=route_tier(score, speaker, self.settings),
            score=score,
            scores=scores,
            interrupted_id=pick.interrupted_id,
            listener_ids=tuple(pid for pid in self.willing if pid != speaker.id),
        )

    def record_line(self, speaker_id: str, text: str, tier: TierName) -> None:
        """Charge a spoken line to the budgets and let it move everyone's state."""
        tokens = estimate_tokens(text, tier, self.settings)
        seconds = estimate_speaking_time_s(text, self.settings)
        self.context = spend(self.context, tokens, seconds, self.settings)
        for pid in {*self.willing, speaker_id}:
            role = Role.SPEAKER if pid == speaker_id else Role.LISTENER
            persona = self.personas[pid]
            self.personas[pid] = with_changes(
                persona,
                {
                    "state": after_turn(
                        persona, role, self.context.topic, self.fatigue_rate, self.settings
                    )
                },
            )
        if len(self.willing) >= 2:
            self.context = drift_topic(
                self.context, [self.personas[i] for i in self.willing], self.settings
            )

    def leave(self, persona_id: str, reason: ExitReason) -> None:
        """`persona_id` leaves now, for `reason`, whatever its score (its farewell is the next
        turn); the talk ends when fewer than two are left willing."""
        if persona_id not in self.willing:
            return
        self._depart(Departure(persona_id, reason, self.context.last_score(persona_id) or 0.0))
        self._end_when_alone()

    def _depart(self, departure: Departure) -> None:
        """Out of the talk now; the farewell waits in `pending`."""
        self.willing.remove(departure.persona_id)
        self.turns.remove(departure.persona_id)
        self.pending.append(departure)

    def _end_when_alone(self) -> None:
        """Fewer than two left willing: the talk ends, for the last leaver's reason."""
        if len(self.willing) < 2 and self.end_reason is None:
            self.end_reason = self.pending[-1].reason if self.pending else ExitReason.BORED

    def finish(self, now_s: float, pairs: PairCooldowns) -> Outcome:
        """Cooldowns, affinity changes and charged available time, once the talk is over."""
        scored = [pid for pid in self.context.participants if pid not in self.steadfast]
        final = {pid: self.context.last_score(pid) or 0.0 for pid in scored}
        # A person is never scored: how a chat went is how the persona felt about it.
        persona_mean = sum(final.values()) / len(final) if final else 50.0
        for pid in self.steadfast:
            final[pid] = persona_mean
        everyone = [self.personas[pid] for pid in self.context.participants]
        charged = [
            p.with_state(
                available_time_s=max(0.0, p.state.available_time_s - self.context.duration_s)
            )
            for p in everyone
        ]
        rested, cooldowns = start_cooldowns(charged, final, now_s, pairs, self.settings)
        changes = {
            pair_key(a.id, b.id): affinity_change(final[a.id], final[b.id])
            for i, a in enumerate(everyone)
            for b in everyone[i + 1 :]
        }
        return Outcome(
            personas=rested,
            final_scores=final,
            affinity_changes=changes,
            cooldowns_s=cooldowns,
            exit_reason=self.end_reason or ExitReason.BORED,
        )

    def _score_everyone(self) -> dict[str, float]:
        scores: dict[str, float] = {}
        for pid in self.willing:
            if pid in self.steadfast:
                continue
            others, affinities = self._partners(pid)
            scores[pid] = group_continue_total(
                self.personas[pid], others, self.context, affinities, self.settings
            )
            self.context.record_score(pid, scores[pid])
        return scores

    def _group_score(self, pid: str) -> tuple[float, list[ScoreBreakdown]]:
        others, affinities = self._partners(pid)
        return group_continue_score(
            self.personas[pid], others, self.context, affinities, self.settings
        )

    def _partners(self, pid: str) -> tuple[list[Persona], dict[str, float]]:
        others = [self.personas[o] for o in self.willing if o != pid]
        return others, {o.id: self.affinity(pid, o.id) for o in others}

    def _next_persona(self, rng: random.Random) -> str:
        if self.steadfast:
            return next(pid for pid in self.willing if pid not in self.steadfast)
        return self.turns.next_speaker(self.personas, rng).speaker_id

    def _farewell(
        self,
        departure: Departure,
        scores: dict[str, float] | None = None,
    ) -> Decision:
        self.departures.append(departure)
        return Decision(
            speaker_id=departure.persona_id,
            tier=Tier(TierName.TEMPLATE, 0.0, prepare_exit=True),
            score=departure.score,
            scores=scores or {},
            leaving=departure,
            listener_ids=tuple(pid for pid in self.willing if pid != departure.persona_id),
        )

    def _ended(self) -> Decision:
        return Decision(
            speaker_id=None,
            tier=Tier(TierName.TEMPLATE, 0.0),
            score=0.0,
            scores={},
            end_reason=self.end_reason,
        )


def affinity_change(score_a: float, score_b: float) -> float:
    """How a finished talk moves the pair's affinity: +-5 at most, by how much both enjoyed it
    (their final scores against the neutral 50)."""
    return max(-5.0, min(5.0, ((score_a + score_b) / 2 - 50) / 10))


def open_exchange(
    participants: Sequence[Persona],
    topic: str,
    rng: random.Random,
    affinities: Mapping[tuple[str, str], float] | None = None,
    rule_sets: Sequence[RuleSet] = (),
    token_budget: int | None = None,
    time_budget_s: float | None = None,
    invited: frozenset[str] = frozenset(),
    fatigue_rate: float = 1.0,
    settings: DynamicsSettings = DEFAULT_SETTINGS,
    steadfast: frozenset[str] = frozenset(),
) -> Exchange:
    """Start a conversation: opening rules, initiative rolls, budgets."""
    if len(participants) < 2:
        raise ValueError("a conversation needs at least two participants")
    opened = apply_opening_rules(rule_sets, participants, topic, settings)
    b = settings.budgets
    context = ConversationContext(
        participants=[p.id for p in opened],
        topic=topic,
        token_budget=b.token_budget if token_budget is None else token_budget,
        time_budget_s=b.time_budget_s if time_budget_s is None else time_budget_s,
        invited=invited,
    )
    return Exchange(
        context=context,
        personas={p.id: p for p in opened},
        willing=[p.id for p in opened],
        turns=TurnManager(opened, rng, settings),
        affinities={pair_key(*k): v for k, v in (affinities or {}).items()},
        fatigue_rate=fatigue_rate,
        settings=settings,
        steadfast=steadfast,
    )


def _weakest(breakdowns: list[ScoreBreakdown]) -> ScoreBreakdown:
    return min(breakdowns, key=lambda b: b.total)
