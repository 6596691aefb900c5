from __future__ import annotations

import numpy as np
import pytest

from simcheck.embedder import (
    Embedder,
    HashEmbedder,
    SentenceTransformerEmbedder,
    load_embedder,
    resolve_model,
)
from simcheck.errors import ModelNotFound


def test_hash_embedder_is_deterministic_normalised_and_word_based() -> None:
    embedder = HashEmbedder(64)
    texts = [
        "the old lighthouse keeper climbs the stairs at night",
        "the old lighthouse keeper climbs the steps at night",
        "quarterly revenue grew faster than analysts expected",
        "",
    ]
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (4, 64)
    assert np.allclose(np.linalg.norm(vectors[:3], axis=1), 1.0, atol=1e-6)
    assert not vectors[3].any()  # empty text: zero vector, similar to nothing
    assert vectors[0] @ vectors[1] > 0.7 > vectors[0] @ vectors[2]
    assert np.array_equal(vectors, HashEmbedder(64).embed(texts))
    assert isinstance(embedder, Embedder)
    assert embedder.name == "hash-64" and embedder.dimension == 64


def test_load_embedder_hash_name_and_default_resolution() -> None:
    embedder = load_embedder("hash-32")
    assert isinstance(embedder, HashEmbedder) and embedder.dimension == 32
    assert resolve_model("all-MiniLM-L6-v2").endswith("model")
    assert resolve_model("/some/folder") == "/some/folder"


def test_missing_model_folder_is_a_one_line_model_not_found(tmp_path) -> None:
    missing = tmp_path / "no-model-here"
    with pytest.raises(ModelNotFound) as error:
        SentenceTransformerEmbedder(str(missing))
    message = str(error.value)
    assert message == f"model {missing}: no such folder ({missing})"
    assert "\n" not in message


def test_folder_that_is_not_a_model_is_model_not_found(tmp_path) -> None:
    (tmp_path / "notes.txt").write_text("not a model")
    with pytest.raises(ModelNotFound) as error:
        SentenceTransformerEmbedder(str(tmp_path))
    assert str(error.value).startswith(f"model {tmp_path}: cannot be loaded offline (")
    assert "\n" not in str(error.value)


@pytest.mark.model
def test_real_default_model_matches_plain_sentence_transformer() -> None:
    from sentence_transformers import SentenceTransformer

    embedder = load_embedder("all-MiniLM-L6-v2")
    assert embedder.name == "all-MiniLM-L6-v2" and embedder.dimension == 384
    texts = [
        "I will never forgive you for burning the letters.",
        "You burned my letters and I will not forgive that.",
        "The train to the coast leaves at seven in the morning.",
        "I will never forgive you for burning the letters.",  # duplicate: encoded once
    ]
    vectors = embedder.embed(texts)
    assert vectors.dtype == np.float32 and vectors.shape == (4, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.array_equal(vectors[0], vectors[3])
    assert vectors[0] @ vectors[1] > 0.7 > vectors[0] @ vectors[2]
    plain = SentenceTransformer(resolve_model("all-MiniLM-L6-v2"), device="cpu").encode(
        texts, normalize_embeddings=True
    )
    assert np.min(np.sum(plain * vectors, axis=1)) > 0.9999
