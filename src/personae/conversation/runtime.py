"""Everything a command needs to hold conversations, built from its options and closed after.

    async with open_runtime(llm="scripted", db="talks.db") as runtime:
        talk = await Conversation.open(runtime.deps(), [a, b], "gossip")

The LLM stack records every call's usage in the same database as the turns.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace

from personae.conversation.characters import Characters
from personae.conversation.engine import Deps
from personae.conversation.journal import Settle, StoreJournal, keep_final_states
from personae.conversation.memory_link import MemoryLink
from personae.conversation.settings import ConversationSettings
from personae.dynamics.settings import DynamicsSettings
from personae.heap import freeze_startup_heap, tune_collector
from personae.llm.settings import LLMSettings, load_llm_settings
from personae.llm.spec import forced_spec
from personae.llm.stack import LLMStack
from personae.llm.usage import BufferedUsageSink
from personae.memory.embeddings.cache import CachingEmbedder
from personae.memory.embeddings.protocol import Embedder
from personae.memory.embeddings.spec import embedder_from_spec
from personae.memory.service import PersonaMemory
from personae.store.store import Store, open_store


@dataclass
class Runtime:
    llm: LLMStack
    store: Store
    dynamics: DynamicsSettings = field(default_factory=DynamicsSettings)
    settings: ConversationSettings = field(default_factory=ConversationSettings)
    characters: Characters = field(default_factory=Characters)
    embeddings: str = "embedded"
    _memories: dict[str | None, MemoryLink] = field(default_factory=dict)
    _embedder: Embedder | None = None

    def memory(self, run_id: str | None = None) -> MemoryLink | None:
        """The memory of run `run_id` (None: outside any run), or None when memory is off."""
        if not self.settings.memory:
            return None
        link = self._memories.get(run_id)
        if link is None:
            if self._embedder is None:
                self._embedder = CachingEmbedder(embedder_from_spec(self.embeddings))
            memories = self.store.for_run(run_id).memories
            persona_memory = PersonaMemory(memories, self._embedder)
            link = self._memories[run_id] = MemoryLink(
                persona_memory, self.llm, self.settings.player_id, tellings=memories
            )
        return link

    def deps(
        self,
        settle: Settle = keep_final_states,
        run_id: str | None = None,
        concurrent: bool = False,
    ) -> Deps:
        """What conversations talk through. `concurrent`: many conversations advance at once
        (a world), so the turns they speak together share commits (see `StoreJournal`)."""
        store = self.store.for_run(run_id)
        link = self.memory(run_id)
        return Deps(
            llm=self.llm,
            journal=StoreJournal(store, settle, group_commit=concurrent),
            digester=link,
            recall=link,
            gossip=link,
            settings=self.settings,
            dynamics=self.dynamics,
            prices=self.llm.prices,
            characters=self.characters,
        )

    def with_settings(self, settings: ConversationSettings) -> Runtime:
        return replace(self, settings=settings)


@asynccontextmanager
async def open_runtime(
    llm: str | None = None,
    db: str | None = None,
    dynamics: DynamicsSettings | None = None,
    llm_settings: LLMSettings | None = None,
    settings: ConversationSettings | None = None,
    default_llm: str | None = None,
    max_llm_calls: int | None = None,
) -> AsyncIterator[Runtime]:
    """The store at `db` (else PERSONAE_DB, else ./personae.db) and the LLM stack.

    Which backend: `llm` (forces every call), else PERSONAE_LLM, else the config file's choices
    (PERSONAE_CONFIG), else `default_llm` (e.g. a world file's), else embedded.

    Opening freezes the process's startup heap (`personae.heap`): the garbage collector no
    longer rescans it during the run.
    """
    chosen = llm_settings or load_llm_settings()
    if default_llm and chosen.default is None:
        chosen = chosen.model_copy(update={"default": default_llm})
    if max_llm_calls is not None:  # e.g. a world's max_llm_calls_in_flight
        limits = chosen.rate_limits.model_copy(update={"max_concurrent": max_llm_calls})
        chosen = chosen.model_copy(update={"rate_limits": limits})
    store = open_store(db)
    usage = BufferedUsageSink(store.usage)
    stack = LLMStack(chosen, sink=usage, forced=forced_spec(llm))
    freeze_startup_heap()
    tune_collector()
    try:
        yield Runtime(
            stack, store, dynamics or DynamicsSettings(), settings or ConversationSettings()
        )
    finally:
        usage.flush()
        await stack.aclose()
        store.close()
