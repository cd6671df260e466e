"""The conversation engine end to end with the scripted backend and a real SQLite store."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from personae.conversation.engine import Conversation, Deps
from personae.conversation.journal import StoreJournal
from personae.conversation.prompt import RETRY_HINTS
from personae.domain import Persona
from personae.domain.turn import ConversationStatus, Turn
from personae.dynamics.routing import ExitReason
from personae.files import load_cast
from personae.llm.backend import BackendInfo
from personae.llm.settings import LLMSettings
from personae.llm.stack import LLMStack
from personae.llm.types import ChatRequest, ChatResponse, Role, StreamChunk, Usage
from personae.llm.usage import InMemoryUsageSink
from personae.store import open_store
from personae.store.driver import DriverCursor
from personae.store.store import Store

CAST = {p.id: p for p in load_cast().personas}


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(str(tmp_path / "talks.db"))
    opened.personas.save_many(CAST.values())
    yield opened
    opened.close()


def scripted(sink: InMemoryUsageSink | None = None) -> LLMStack:
    return LLMStack(
        LLMSettings(default="scripted"), sink=sink if sink is not None else InMemoryUsageSink()
    )


async def talk_between(deps: Deps, *ids: str, topic: str = "gossip", seed: int = 5) -> Conversation:
    return await Conversation.open(deps, [CAST[i] for i in ids], topic, seed=seed)


async def resumed_from(store: Store, deps: Deps, conversation_id: str) -> Conversation:
    """The conversation rebuilt from what the store committed, as a restarted process does."""
    point = store.resume(conversation_id)
    return await Conversation.resume(
        deps,
        point.conversation,
        [point.personas[p] for p in point.conversation.participants],
        point.turns,
        seed=point.conversation.seed,
    )


async def transcript(deps: Deps, *ids: str, seed: int = 5) -> list[tuple[str, str, str]]:
    talk = await talk_between(deps, *ids, seed=seed)
    turns = await talk.run()
    await talk.close()
    return [(t.speaker_id, t.tier, t.text) for t in turns]


async def test_the_same_seed_gives_the_same_conversation() -> None:
    first = await transcript(Deps(llm=scripted()), "mara", "gorin")
    again = await transcript(Deps(llm=scripted()), "mara", "gorin")
    other = await transcript(Deps(llm=scripted()), "mara", "gorin", seed=6)
    assert first == again
    assert first != other
    assert first[:3] == [
        (
            "gorin",
            "full",
            "You know me: a dwarf trader who can smell a bargain across the market square. "
            "I'll hear you out on gossip.",
        ),
        (
            "mara",
            "full",
            "You know me: runs the Prancing Pony; hears everything, repeats most of it. "
            "So yes, gossip is close to my heart.",
        ),
        ("gorin", "full", "Go on about gossip, Mara the Tavern Keeper. I'm listening."),
    ]


async def test_every_turn_is_committed_and_the_end_is_recorded(store: Store) -> None:
    deps = Deps(llm=scripted(), journal=StoreJournal(store))
    talk = await talk_between(deps, "mara", "gorin")
    spoken = await talk.run()
    ending = await talk.close()
    stored = store.turns.list(talk.record.id)
    assert [t.text for t in stored] == [t.text for t in spoken]
    record = store.conversations.require(talk.record.id)
    assert record.status is ConversationStatus.ENDED
    assert record.exit_reason == ending.outcome.exit_reason.value
    assert record.tokens_used == sum(t.prompt_tokens + t.completion_tokens for t in spoken) > 0
    relationship = store.relationships.get("mara", "gorin")
    assert relationship is not None
    assert relationship.interactions == 1
    assert store.cooldowns.until("mara", "gorin") > (record.ended_at_s or 0)
    assert len(store.history.between("mara", "gorin")) == 1


class CountedCommits:
    """The store's driver transactions (each a commit), counted as they are opened."""

    def __init__(self, store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        database = store.database
        begin = database.driver_write

        def counted() -> AbstractContextManager[DriverCursor]:
            self.count += 1
            return begin()

        monkeypatch.setattr(database, "driver_write", counted)


async def test_a_batch_writes_its_openings_together_then_its_endings_together(
    store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A world's tick opens its rooms' conversations one after another, then closes the
    # finished ones: a commit for each was a commit per conversation, twice.
    journal = StoreJournal(store, group_commit=True)
    deps = Deps(llm=scripted(), journal=journal)
    pairs = [("mara", "gorin"), ("lyralei", "tom"), ("petra", "scholar_ilse")]
    commits = CountedCommits(store, monkeypatch)
    with journal.batched():
        talks = [await talk_between(deps, a, b, seed=n) for n, (a, b) in enumerate(pairs)]
        assert store.conversations.list() == []  # nothing half-written while they wait
    assert commits.count == 1
    assert {c.id for c in store.conversations.list()} == {t.record.id for t in talks}

    await asyncio.gather(*(t.run() for t in talks))
    commits.count = 0
    with journal.batched():
        endings = [await t.close() for t in talks]
        assert all(c.status is ConversationStatus.ACTIVE for c in store.conversations.list())
    assert commits.count == 1
    for ending, (a, b) in zip(endings, pairs, strict=True):
        record = store.conversations.require(ending.record.id)
        assert record.status is ConversationStatus.ENDED
        assert record.exit_reason == ending.outcome.exit_reason.value
        assert record.digested_turns == len(store.turns.list(record.id)) > 0  # the last digest
        assert store.cooldowns.until(a, b) > (record.ended_at_s or 0)
        assert len(store.history.between(a, b)) == 1


async def test_a_conversation_opened_in_a_batch_is_written_before_its_first_turn(
    store: Store,
) -> None:
    # Its turns reference its record: the record cannot wait for the batch to end.
    journal = StoreJournal(store, group_commit=True)
    deps = Deps(llm=scripted(), journal=journal)
    with journal.batched():
        talk = await talk_between(deps, "mara", "gorin")
        spoken = await talk.step()
        assert spoken is not None
        assert [t.text for t in store.turns.list(talk.record.id)] == [spoken.text]
    assert len(store.conversations.list()) == 1


async def test_a_batch_that_fails_writes_nothing_it_still_held(store: Store) -> None:
    journal = StoreJournal(store, group_commit=True)
    deps = Deps(llm=scripted(), journal=journal)

    async def failing_tick() -> None:
        with journal.batched():
            await talk_between(deps, "mara", "gorin")
            raise RuntimeError("the tick failed")

    with pytest.raises(RuntimeError, match="the tick failed"):
        await failing_tick()
    assert store.conversations.list() == []
    talk = await talk_between(deps, "mara", "gorin")  # outside a batch: written at once
    assert [c.id for c in store.conversations.list()] == [talk.record.id]


async def test_a_crashed_conversation_resumes_exactly_where_it_stopped(store: Store) -> None:
    whole = await transcript(Deps(llm=scripted()), "mara", "gorin", "lyralei", seed=9)

    deps = Deps(llm=scripted(), journal=StoreJournal(store))
    crashed = await talk_between(deps, "mara", "gorin", "lyralei", seed=9)
    for _ in range(7):
        await crashed.step()
    del crashed  # the process dies: only the store remains

    resumed = await resumed_from(store, deps, next(iter(store.conversations.list())).id)
    rest = await resumed.run()
    await resumed.close()
    stored = store.turns.list(resumed.record.id)
    assert [t.index for t in stored] == list(range(len(stored)))
    assert [(t.speaker_id, t.tier, t.text) for t in stored] == whole
    assert len(rest) == len(whole) - 7


async def test_three_talk_and_each_leaves_on_their_own() -> None:
    talk = await talk_between(
        Deps(llm=scripted()),
        "king_aldric",
        "commander_vex",
        "scout_wren",
        topic="military_strategy",
    )
    turns = await talk.run()
    ending = await talk.close()
    speakers = {t.speaker_id for t in turns}
    assert speakers == {"king_aldric", "commander_vex", "scout_wren"}
    assert ending.record.departures  # someone left before the end
    exits = [t for t in turns if t.is_exit]
    assert all(t.tier == "template" for t in exits)


async def test_every_llm_call_is_accounted_and_summaries_keep_prompts_bounded() -> None:
    sink = InMemoryUsageSink()
    deps = Deps(llm=scripted(sink))
    talk = await talk_between(deps, "mara", "lyralei", topic="rumors")
    turns = await talk.run()
    await talk.close()
    llm_turns = [t for t in turns if t.tier != "template"]
    rows = sink.query()
    calls = {
        purpose: sum(1 for r in rows if r.purpose.value == purpose)
        for purpose in ("conversation", "summarization")
    }
    assert calls["conversation"] == sum(int(t.quality["attempts"]) for t in llm_turns)
    assert calls["summarization"] >= 1
    assert talk.summarized > 0  # older lines were folded into the summary
    assert talk.record.summary

    def per_call(t: Turn) -> float:
        return t.prompt_tokens / t.quality["attempts"]

    late = [per_call(t) for t in turns[-5:] if t.tier != "template"]
    early = [per_call(t) for t in turns[8:13] if t.tier != "template"]
    assert max(late) < 2 * max(early)


async def test_a_persona_in_urgent_business_leaves_a_dull_talk_fast() -> None:
    king: Persona = CAST["king_aldric"]
    talk = await Conversation.open(
        Deps(llm=scripted()), [king, CAST["tom"]], "grain_prices", seed=2
    )
    turns = await talk.run()
    ending = await talk.close()
    assert ending.record.departures.get("king_aldric") == "urgent"
    assert turns[-1].speaker_id == "king_aldric"
    assert turns[-1].text == (
        "I must attend to my troops. Speak with my quartermaster about supplies."
    )
    assert len(turns) <= 6


FRESH_LINES = (
    "The harvest came in early this year, thanks to the rain.",
    "Barley prices will fall once the mills are full again.",
    "My cousin lost half his orchard to the late frost.",
    "Harvest festivals bring more travellers than the fairs do.",
)


class OneRuleModel:
    """A model that answers by one rule, `reply`; every request is recorded."""

    def __init__(self) -> None:
        self.requests: list[ChatRequest] = []

    @property
    def info(self) -> BackendInfo:
        return BackendInfo(kind="scripted", model=type(self).__name__, location="test", local=True)

    def reply(self, request: ChatRequest) -> str:
        raise NotImplementedError

    async def complete(self, request: ChatRequest) -> ChatResponse:
        self.requests.append(request)
        return ChatResponse(
            text=self.reply(request), model=self.info.model, backend="scripted", usage=Usage(10, 10)
        )

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamChunk]:
        response = await self.complete(request)
        yield StreamChunk(response.text, response)

    async def aclose(self) -> None:
        return None


class Parrot(OneRuleModel):
    """Answers each line by saying the last one back; told to say something new, it does."""

    def reply(self, request: ChatRequest) -> str:
        the_ask = request.messages[-1].content
        heard = [m.content.split(": ", 1)[-1] for m in request.messages if m.role is Role.USER]
        if "Say something new" in the_ask or len(heard) < 2:
            return FRESH_LINES[len(self.requests) % len(FRESH_LINES)]
        return heard[-2]  # the line before the ask, said back


async def test_a_line_said_back_is_asked_for_again_with_what_was_wrong() -> None:
    parrot = Parrot()
    talk = await talk_between(Deps(llm=parrot), "mara", "gorin", topic="harvest")
    first, second = await talk.step(), await talk.step()
    assert first is not None
    assert second is not None
    # The second speaker's first try said the opening line back: rejected, and asked again
    # with the ask naming the fault; the new line is kept.
    assert second.quality["attempts"] == 2.0
    assert "rejected" not in second.quality
    retry = parrot.requests[-1]
    assert retry.messages[-1].content.endswith(RETRY_HINTS["rehash"])
    assert retry.messages[:-1] == parrot.requests[-2].messages[:-1]  # the prefix is kept
    assert retry.seed != parrot.requests[-2].seed
    assert second.text in FRESH_LINES
    assert second.raw_text == second.text


class CutShort(OneRuleModel):
    """Its first answer runs into the token limit mid-sentence, after a sentence already said;
    asked again, it says a whole line."""

    CUT = "The harvest came in early this year. And the old mill by the"
    WHOLE = "Then the mill will grind the harvest before the first snow."

    def reply(self, request: ChatRequest) -> str:
        return self.CUT if len(self.requests) <= 2 else self.WHOLE

    async def complete(self, request: ChatRequest) -> ChatResponse:
        response = await super().complete(request)
        cut_off = response.text == self.CUT
        return dataclasses.replace(response, finish_reason="length" if cut_off else "stop")


async def test_a_line_cut_off_by_the_token_limit_is_never_half_a_sentence() -> None:
    model = CutShort()
    talk = await talk_between(Deps(llm=model), "mara", "gorin", topic="harvest")
    await talk.step()  # "The harvest came in early this year. And the old mill by the"
    first = talk.history[0]
    assert first.text == "The harvest came in early this year."  # cut, and more was said
    second = await talk.step()  # cut again, after that sentence: nothing whole is left
    assert second is not None
    assert second.quality["attempts"] == 2.0
    hints = f"{RETRY_HINTS['rehash']} {RETRY_HINTS['too_short']}"
    assert model.requests[-1].messages[-1].content.endswith(hints)
    assert second.text == CutShort.WHOLE


class Stuck(OneRuleModel):
    """Has one line only: whatever it is asked, it says the same thing again."""

    def reply(self, request: ChatRequest) -> str:
        return "The harvest was thin this year and the granaries are low."


async def test_a_talk_whose_model_has_nothing_new_to_say_runs_dry_and_ends(
    store: Store,
) -> None:
    deps = Deps(llm=Stuck(), journal=StoreJournal(store))
    talk = await talk_between(deps, "mara", "gorin", topic="harvest")
    turns = await talk.run()
    first, *again = turns
    assert "rejected" not in first.quality  # said once, the line is fine
    # Said again, three times in a row: rejected, fallback lines instead; the third one's
    # speaker has had enough and says goodbye, which ends a talk of two.
    assert [t.quality.get("rejected") for t in again[:3]] == [1.0, 1.0, 1.0]
    farewell = again[3]
    assert farewell.is_exit
    assert farewell.speaker_id == again[2].speaker_id
    assert len(turns) == 5
    ending = await talk.close()
    assert ending.outcome.exit_reason is ExitReason.BORED

    # Resumed before the goodbye, the talk replays the same decision.
    deps2 = Deps(llm=Stuck(), journal=StoreJournal(store))
    crashed = await talk_between(deps2, "mara", "gorin", topic="harvest", seed=8)
    for _ in range(4):
        await crashed.step()
    resumed = await resumed_from(store, deps2, crashed.record.id)
    rest = await resumed.run()
    assert [(t.speaker_id, t.is_exit) for t in rest] == [(crashed.history[-1].speaker_id, True)]

    # Off, the same stuck talk goes on until its budget runs out.
    never = deps.settings.model_copy(update={"dry_after_rejected_lines": 0})
    endless = await talk_between(Deps(llm=Stuck(), settings=never), "mara", "gorin", seed=8)
    assert len(await endless.run()) > 10
