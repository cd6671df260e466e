"""Every tunable of the LLM layer, in one place, with its unit in its name.

A config file sets any of them under `llm:` (see docs/llm.md); `load_llm_settings` reads it.
Defaults come from seed 002 (60 calls/hour, 120 tokens, backoff 1-2-4 s, $5/month, warn at 80%)
unless a comment says otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from personae.domain import Purpose
from personae.llm.errors import LLMConfigError
from personae.llm.prices import Price
from personae.llm.spec import parse_spec

ENV_CONFIG = "PERSONAE_CONFIG"

# Evaluated prompts kept in RAM for the embedded model's contexts to take up again
# (llm/backends/kv_states.py): ~14 MiB for a 600-token prompt of SmolLM2-135M, so about one
# state for each speaker of the demo world.
DEFAULT_STATE_BUDGET_MB = 256


class MaxTokenSettings(BaseModel):
    """Fixed completion budgets per tier and purpose, for predictable cost (seed 002: 120)."""

    model_config = ConfigDict(extra="forbid")

    conversation: int = Field(120, ge=1, description="full tier")
    constrained: int = Field(80, ge=1, description="constrained tier: at most 50 words")
    summarization: int = Field(256, ge=1)
    # A conversation's digest asks for its facts, the summary's next part and, at the end, its
    # episode in one JSON reply; 256 tokens cut that short.
    fact_extraction: int = Field(512, ge=1)
    generation: int = Field(400, ge=1)
    judge: int = Field(64, ge=1)

    def fixed(self, purpose: Purpose, tier: str | None = None) -> int:
        if purpose is Purpose.CONVERSATION:
            return self.constrained if tier == "constrained" else self.conversation
        return int(getattr(self, purpose.value))


class BudgetPolicy(BaseModel):
    """Per player, per calendar month (UTC)."""

    model_config = ConfigDict(extra="forbid")

    monthly_usd: float = Field(5.0, ge=0)
    warn_fraction: float = Field(0.8, gt=0, le=1)
    # Ours: calls to models without a price are budgeted in tokens instead. Two million tokens is
    # what $5 buys of a mid-priced model; set it to match what your unpriced model really costs.
    unpriced_monthly_tokens: int = Field(2_000_000, ge=0)


class RateLimitSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    player_calls_per_hour: int | None = Field(60, ge=1, description="None: unlimited")
    backend_requests_per_minute: int | None = Field(None, ge=1)
    backend_tokens_per_minute: int | None = Field(None, ge=1)
    # Ours: calls in flight to one backend at once. The embedded model runs one at a time anyway.
    max_concurrent: int = Field(16, ge=1)
    # Ours: calls that cost nothing (embedded, Ollama, scripted) skip the per-player limit unless
    # this is set; a simulation on the local model makes far more than 60 calls an hour.
    limit_local_calls: bool = False


class RetrySettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    max_retries: int = Field(3, ge=0)
    base_delay_s: float = Field(1.0, ge=0, description="1, 2, 4 s: doubles each retry")
    jitter_s: float = Field(0.5, ge=0, description="uniform 0..jitter_s added to each delay")
    # A Retry-After longer than this is not waited for: the call falls back instead.
    max_retry_after_s: float = Field(60.0, ge=0)


class HttpSettings(BaseModel):
    """OpenAI-compatible backends."""

    model_config = ConfigDict(extra="forbid")

    timeout_s: float = Field(60.0, gt=0)
    stream_idle_timeout_s: float = Field(
        30.0, gt=0, description="a stream silent this long stalled"
    )
    # "json_schema" is OpenAI's structured-output format (OpenAI, Ollama, vLLM, llama.cpp);
    # "json_object" with a schema is what llama-cpp-python's server understands.
    json_format: Literal["json_schema", "json_object"] = "json_schema"
    api_key_env: str | None = Field(
        None, description="variable with the key for http(s) specs; default PERSONAE_LLM_API_KEY"
    )


class EmbeddedSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    n_ctx: int = Field(2048, ge=256)
    # Ours: llama.cpp contexts per model (~90 MiB each past the first), and how many run at
    # once. Unset: one per core, all running, the cores shared out among those running.
    contexts: int | None = Field(None, ge=1)
    parallel: int | None = Field(None, ge=1)
    # Ours: RAM for evaluated prompts that any context can take up again (0 turns it off).
    state_cache_mb: int = Field(DEFAULT_STATE_BUDGET_MB, ge=0)
    n_threads: int | None = Field(None, ge=1, description="None: cores / parallel")
    # Small models loop ("a quest of the soul, a quest of the soul..."); llama.cpp's classic
    # repetition penalty over the last 64 tokens keeps SmolLM2 moving. 1.0 turns it off.
    repeat_penalty: float = Field(1.15, ge=1.0, le=2.0)


class FallbackLineSettings(BaseModel):
    """Affinity bands of seed 002's context-aware fallback lines (affinity runs -100..100)."""

    model_config = ConfigDict(extra="forbid")

    high_affinity_from: float = 40.0
    low_affinity_below: float = 0.0


class PriceSetting(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: float = Field(ge=0, description="USD per 1M prompt tokens")
    output: float = Field(ge=0, description="USD per 1M completion tokens")


class LLMSettings(BaseModel):
    """Which backends to use and how the wrappers around them behave."""

    model_config = ConfigDict(extra="forbid")

    default: str | None = Field(None, description="spec for every call not matched below")
    fallbacks: list[str] = Field(default_factory=list, description="tried in order after it")
    purposes: dict[Purpose, str] = Field(default_factory=dict)
    personas: dict[str, str] = Field(default_factory=dict)
    scripted_seed: int = 0
    max_tokens: MaxTokenSettings = Field(default_factory=MaxTokenSettings)
    budgets: BudgetPolicy = Field(default_factory=BudgetPolicy)
    rate_limits: RateLimitSettings = Field(default_factory=RateLimitSettings)
    retry: RetrySettings = Field(default_factory=RetrySettings)
    http: HttpSettings = Field(default_factory=HttpSettings)
    embedded: EmbeddedSettings = Field(default_factory=EmbeddedSettings)
    fallback_lines: FallbackLineSettings = Field(default_factory=FallbackLineSettings)
    prices: dict[str, PriceSetting] = Field(default_factory=dict)

    @field_validator("default")
    @classmethod
    def _default_parses(cls, value: str | None) -> str | None:
        if value is not None:
            parse_spec(value, "llm.default", env={})
        return value

    @field_validator("fallbacks")
    @classmethod
    def _fallbacks_parse(cls, values: list[str]) -> list[str]:
        for i, value in enumerate(values):
            parse_spec(value, f"llm.fallbacks[{i}]", env={})
        return values

    @field_validator("purposes")
    @classmethod
    def _purposes_parse(cls, values: dict[Purpose, str]) -> dict[Purpose, str]:
        for purpose, value in values.items():
            parse_spec(value, f"llm.purposes.{purpose.value}", env={})
        return values

    @field_validator("personas")
    @classmethod
    def _personas_parse(cls, values: dict[str, str]) -> dict[str, str]:
        for persona_id, value in values.items():
            parse_spec(value, f"llm.personas.{persona_id}", env={})
        return values

    def price_overrides(self) -> dict[str, Price]:
        return {name: Price(p.input, p.output) for name, p in self.prices.items()}


def settings_from_mapping(data: Mapping[str, Any], where: str) -> LLMSettings:
    """Validate an `llm:` mapping; errors name `where` (a file) and the field."""
    try:
        return LLMSettings.model_validate(dict(data))
    except LLMConfigError as error:
        raise LLMConfigError(f"{where}: {error}") from error
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in ("llm", *first["loc"]) if part != "[key]")
        raise LLMConfigError(
            f"{where}: field {field}: {first['msg']} (see docs/llm.md for the llm settings)"
        ) from error


def load_llm_settings(
    path: Path | None = None, env: Mapping[str, str] | None = None
) -> LLMSettings:
    """Settings from `path`, else from the file named by PERSONAE_CONFIG, else the defaults.

    The file is YAML; its `llm:` mapping holds the settings (other top-level keys are ignored).
    """
    environ = os.environ if env is None else env
    if path is None and environ.get(ENV_CONFIG):
        path = Path(environ[ENV_CONFIG])
    if path is None:
        return LLMSettings()
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise LLMConfigError(f"cannot read config file {path}: {error.strerror}") from error
    except yaml.YAMLError as error:
        raise LLMConfigError(f"{path}: not valid YAML: {error}") from error
    if document is None:
        return LLMSettings()
    if not isinstance(document, dict):
        raise LLMConfigError(f"{path}: expected a mapping at the top, with an `llm:` key")
    section = document.get("llm") or {}
    if not isinstance(section, dict):
        raise LLMConfigError(f"{path}: `llm:` must be a mapping of settings")
    return settings_from_mapping(section, str(path))
