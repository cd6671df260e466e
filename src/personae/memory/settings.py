"""Every number that shapes memory, in one place, with its unit in its name.

Retrieval defaults follow the Generative Agents *paper* (Park et al. 2023, section 4.1): equal
weights for recency, importance and relevance, each min-max normalised, and recency decaying by a
factor of 0.995 per hour since the memory was last retrieved. The reference code differs (see
docs/memory.md): it weights recency 0.5, relevance 3 and importance 2, and decays by 0.99 per
*position* in the access order rather than per hour. We follow the paper: world time is what our
engine simulates, and the code's weights are marked there as an experiment ("test out different
weights") rather than an evaluated setting. One addition of ours: `recency_min_span` keeps
memories learned minutes apart from being stretched over the whole recency range.

Decay and tiers come from seed 003 (linear, exponential or logarithmic decay at a rate per day;
pinned and high-importance memories exempt; hot and warm capacities; a cold retention period).
The seed gives no numbers; ours are commented where they are set.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, model_validator

from personae.domain.memory import MemoryKind, MemoryTier

SECONDS_PER_HOUR = 3600.0
SECONDS_PER_DAY = 86400.0


class RetrievalSettings(BaseModel):
    """score = recency_weight * recency + importance_weight * importance
    + relevance_weight * relevance, each component min-max normalised over the candidates
    (with a floor on the spread it is divided by, `*_min_span`)."""

    model_config = ConfigDict(extra="forbid")

    recency_weight: float = Field(1.0, ge=0)
    importance_weight: float = Field(1.0, ge=0)
    relevance_weight: float = Field(1.0, ge=0)
    # Recency of a memory = decay ** hours since it was last retrieved (or learned).
    recency_decay_per_hour: float = Field(0.995, gt=0, le=1)
    # Floors of the min-max denominator per component (0 = pure min-max, the paper's choice).
    # Ours for recency: 0.1 is about 21 hours of decay at 0.995, so memories learned minutes
    # apart are not stretched from 0 to 1 (pure min-max would let the last line of a
    # conversation outrank a far more relevant fact from its first line).
    recency_min_span: float = Field(0.1, ge=0, le=1)
    importance_min_span: float = Field(0.0, ge=0, le=9)
    relevance_min_span: float = Field(0.0, ge=0, le=2)
    top_k: int = Field(5, ge=1, description="memories returned by a recall")
    # Tiers a recall searches. All by default; a very large store can leave `cold` out.
    searched_tiers: list[MemoryTier] = Field(
        default_factory=lambda: [MemoryTier.HOT, MemoryTier.WARM, MemoryTier.COLD], min_length=1
    )


class VectorIndexSettings(BaseModel):
    """How an owner's recall reads its vectors (docs/memory.md, "Vector search").

    Below `exact_max_rows` memories an owner is searched by brute force: every vector is read
    and the score is exact. From there on a recall runs in two stages: candidates (the rows of
    the `probed_cells` cells nearest the query and the `farthest_cells` farthest from it, plus
    the rows whose recency + importance could lift them into the top k), then the exact score
    of every candidate."""

    model_config = ConfigDict(extra="forbid")

    # Measured (docs/memory.md): the two stages are faster from ~20k rows, but brute force is
    # exact and stays under 2 ms at low load up to 50k (1.6 ms, against 1.1 ms in two stages).
    exact_max_rows: int = Field(50_000, ge=64)
    # Cells are about sqrt(rows) (`cells.cell_count`): 32 of ~1000 cells read ~3% of a
    # million rows; recall@10 against brute force is in docs/memory.md.
    probed_cells: int = Field(32, ge=1)
    # The cells least similar to the query are read too: the candidates' lowest relevance
    # (the low end of its min-max range) is then close to the whole set's.
    farthest_cells: int = Field(16, ge=0)
    # Candidates by recency + importance alone: at least this many, then every row whose
    # recency + importance could still lift it into the top k, at most the second number.
    recent_important_candidates: int = Field(256, ge=1)
    recent_important_max_rows: int = Field(32_768, ge=1)
    # Rows added (or given a new vector) after the cells were laid out are read on every
    # recall; past this many they are sorted into the cells (a sorted copy of the matrix: a few
    # seconds at 1M).
    unsorted_max_rows: int = Field(32_768, ge=1)
    # The cells are trained again once the owner has this many times the rows they were
    # trained on (cells grown too large read too many rows per probe).
    retrain_growth: float = Field(2.0, gt=1)
    kmeans_iterations: int = Field(10, ge=1)
    # Training sample per cell (faiss warns below 39): 64k rows for 1000 cells.
    training_rows_per_cell: int = Field(64, ge=1)
    seed: int = 0


class DecayFunction(StrEnum):
    LINEAR = "linear"  # retention = 1 - rate * days
    EXPONENTIAL = "exponential"  # retention = exp(-rate * days)
    LOGARITHMIC = "logarithmic"  # retention = 1 - rate * ln(1 + days)


class DecaySettings(BaseModel):
    """How a memory's retention (1 when fresh, 0 when gone) falls with days since it was last
    used, and which retention puts it in which tier. Decay only moves memories between tiers:
    nothing is ever deleted by it."""

    model_config = ConfigDict(extra="forbid")

    enabled: bool = True
    function: DecayFunction = DecayFunction.EXPONENTIAL
    # Ours: exponential at 0.1 per day keeps a memory hot for about a week (exp(-0.7) = 0.50)
    # and warm for about two more (exp(-1.6) = 0.20) after it was last used.
    rate_per_day: float = Field(0.1, ge=0)
    hot_min_retention: float = Field(0.5, ge=0, le=1)
    warm_min_retention: float = Field(0.2, ge=0, le=1)
    pinned_exempt: bool = True
    # Importance at or above this never decays (importance runs 1-10).
    high_importance_threshold: int = Field(8, ge=1, le=11)
    exempt_kinds: list[MemoryKind] = Field(default_factory=list)

    @model_validator(mode="after")
    def _hot_above_warm(self) -> DecaySettings:
        if self.warm_min_retention > self.hot_min_retention:
            raise ValueError(
                f"warm_min_retention ({self.warm_min_retention}) must not exceed "
                f"hot_min_retention ({self.hot_min_retention})"
            )
        return self


class HealthSettings(BaseModel):
    """Capacities the health report measures against (seed 003: hot and warm sizes, cold
    retention). Exceeding them only produces recommendations."""

    model_config = ConfigDict(extra="forbid")

    hot_capacity: int = Field(200, ge=1)
    warm_capacity: int = Field(1000, ge=1)
    cold_retention_days: float = Field(90.0, gt=0)
    oldest_items_shown: int = Field(5, ge=0)
    # Superseded facts above this share of all facts suggest the extraction keeps flip-flopping.
    superseded_share_warning: float = Field(0.5, gt=0, le=1)


class FactSettings(BaseModel):
    """Fact bookkeeping and extraction."""

    model_config = ConfigDict(extra="forbid")

    # Two current facts of one owner whose embeddings are at least this similar are one fact.
    # High on purpose (all-MiniLM-L6-v2, measured, see docs/memory.md): "Bob likes ale" is 0.967
    # from "Bob loves ale" but also 0.930 from "Bob does not like ale". A missed merge leaves two
    # near-identical facts; a false merge would hide a contradiction.
    duplicate_min_cosine: float = Field(0.95, gt=0, le=1)
    # Seed 002: extract facts every 5 messages.
    extract_every_messages: int = Field(5, ge=1)
    max_facts_per_extraction: int = Field(5, ge=1)
    # An invalid LLM answer is retried this many times, then the extraction is skipped and logged.
    extraction_retries: int = Field(1, ge=0)
    # Known facts about the participants shown to the extraction, newest first, so that it can
    # say which one a new fact makes untrue.
    known_facts_in_prompt: int = Field(20, ge=0)
    # Importance of a fact passed on by gossip, relative to the teller's (hearsay counts less).
    gossip_importance_delta: int = Field(0, le=0)


class PromptSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    lead: str = "You remember:"
    max_memories: int = Field(5, ge=1)
    max_chars: int = Field(600, ge=40, description="the whole block, lead included")


class MemorySettings(BaseModel):
    """All tunables of the memory layer. A world file can override any of them."""

    model_config = ConfigDict(extra="forbid")

    retrieval: RetrievalSettings = Field(default_factory=RetrievalSettings)
    index: VectorIndexSettings = Field(default_factory=VectorIndexSettings)
    decay: DecaySettings = Field(default_factory=DecaySettings)
    health: HealthSettings = Field(default_factory=HealthSettings)
    facts: FactSettings = Field(default_factory=FactSettings)
    prompt: PromptSettings = Field(default_factory=PromptSettings)


DEFAULT_MEMORY_SETTINGS = MemorySettings()
