"""Seed 000's scenarios, played out by the dynamics alone (every line the same 15 words)."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from personae.domain import Persona, Priority
from personae.dynamics.cooldowns import PairCooldowns
from personae.dynamics.exchange import Exchange, open_exchange
from personae.dynamics.routing import ExitReason, TierName, exit_line
from personae.dynamics.topics import group_topic_pull
from personae.files import load_persona_file
from tests.builders import persona

EXAMPLES = Path(__file__).parents[2] / "examples" / "personas.yaml"
LINE = " ".join(["word"] * 15)


@pytest.fixture(scope="module")
def cast() -> dict[str, Persona]:
    return {p.id: p for p in load_persona_file(EXAMPLES).personas}


def play(exchange: Exchange, rng: random.Random, max_turns: int = 200) -> list[tuple[str, str]]:
    """Run the exchange to its end; returns (speaker, line) pairs."""
    spoken = []
    for _ in range(max_turns):
        decision = exchange.decide(rng)
        if decision.speaker_id is None:
            return spoken
        if decision.leaving is not None:
            text = exit_line(decision.leaving.reason, exchange.personas[decision.speaker_id], rng)
        else:
            text = LINE
        exchange.record_line(decision.speaker_id, text, decision.tier.name)
        spoken.append((decision.speaker_id, text))
    raise AssertionError("the conversation never ended")


def test_the_urgent_king_leaves_the_grain_talk_in_time(cast: dict[str, Persona]) -> None:
    rng = random.Random(1)
    talk = open_exchange([cast["king_at_war"], cast["farmer"]], "grain_prices", rng)
    spoken = play(talk, rng)
    king_leaves = [d for d in talk.departures if d.persona_id == "king_at_war"]
    assert king_leaves
    assert king_leaves[0].reason is ExitReason.URGENT
    assert talk.context.duration_s < cast["king_at_war"].state.available_time_s
    assert spoken[-1] == (
        "king_at_war",
        "I must attend to my troops. Speak with my quartermaster about supplies.",
    )


def test_merchant_and_noble_drift_toward_a_shared_topic(cast: dict[str, Persona]) -> None:
    rng = random.Random(3)
    pair = [cast["merchant"], cast["noble"]]
    talk = open_exchange(pair, "politics", rng)
    play(talk, rng)
    assert talk.context.topic_drift_count >= 1
    assert group_topic_pull(pair, talk.context.topic) > group_topic_pull(pair, "politics")


def test_personas_with_nothing_in_common_part_bored_and_sooner() -> None:
    def talk_between(interest: int) -> Exchange:
        rng = random.Random(4)
        a = persona("a", topics={"poetry": interest, "war": interest // 2})
        b = persona("b", topics={"poetry": interest // 2, "war": interest})
        talk = open_exchange([a, b], "poetry", rng, token_budget=100_000)
        play(talk, rng)
        return talk

    dull, lively = talk_between(10), talk_between(90)
    assert dull.end_reason is ExitReason.BORED
    assert dull.context.duration_s < lively.context.duration_s / 2


def test_an_exhausted_token_budget_ends_the_talk(cast: dict[str, Persona]) -> None:
    rng = random.Random(5)
    talk = open_exchange([cast["tavern_keeper"], cast["merchant"]], "gossip", rng, token_budget=200)
    play(talk, rng)
    assert talk.end_reason is ExitReason.BUDGET
    assert talk.departures[-1].reason is ExitReason.BUDGET


def test_the_same_seed_replays_the_same_conversation(cast: dict[str, Persona]) -> None:
    def run(seed: int) -> tuple[list[tuple[str, str]], list[dict[str, list[float]]]]:
        rng = random.Random(seed)
        talk = open_exchange(
            [cast["tavern_keeper"], cast["merchant"], cast["noble"]], "gossip", rng
        )
        return play(talk, rng), [talk.context.score_history]

    assert run(11) == run(11)


def test_in_a_group_each_decides_alone_and_two_keep_talking() -> None:
    rng = random.Random(6)
    keen = [persona(n, topics={"ale": 95}) for n in ("a", "b")]
    busy = persona("c", topics={"ale": 0}, priority=Priority.IMPORTANT, charisma=3)
    talk = open_exchange([*keen, busy], "ale", rng)
    spoken = play(talk, rng)
    first_departure = talk.departures[0]
    assert first_departure.persona_id == "c"
    farewell = max(i for i, (speaker, _) in enumerate(spoken) if speaker == "c")
    after_c_left = spoken[farewell + 1 :]
    assert {s for s, _ in after_c_left} <= {"a", "b"}
    assert len(after_c_left) >= 2


def test_finishing_starts_cooldowns_and_moves_affinity(cast: dict[str, Persona]) -> None:
    rng = random.Random(7)
    talk = open_exchange([cast["tavern_keeper"], cast["merchant"]], "gossip", rng)
    play(talk, rng)
    pairs = PairCooldowns()
    outcome = talk.finish(now_s=1000.0, pairs=pairs)
    assert not pairs.ready("tavern_keeper", "merchant", 1000.0 + 1)
    assert all(p.state.cooldown_until_s > 1000 for p in outcome.personas)
    keeper = next(p for p in outcome.personas if p.id == "tavern_keeper")
    assert keeper.state.available_time_s == pytest.approx(
        cast["tavern_keeper"].state.available_time_s - talk.context.duration_s
    )
    assert list(outcome.affinity_changes) == [("merchant", "tavern_keeper")]


def test_low_scores_get_the_constrained_tier_before_the_exit(cast: dict[str, Persona]) -> None:
    rng = random.Random(8)
    talk = open_exchange([cast["king_at_war"], cast["farmer"]], "grain_prices", rng)
    tiers = []
    while (decision := talk.decide(rng)).speaker_id is not None:
        tiers.append((decision.speaker_id, decision.tier.name, decision.leaving is not None))
        talk.record_line(decision.speaker_id, LINE, decision.tier.name)
    king = [(tier, leaving) for speaker, tier, leaving in tiers if speaker == "king_at_war"]
    assert king[-1] == (TierName.TEMPLATE, True)
    assert all(tier is not TierName.TEMPLATE for tier, leaving in king if not leaving)
