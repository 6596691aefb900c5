from __future__ import annotations

import numpy as np
import pytest
from fakes import HashEmbedder

from simcheck.embed import Embedder, load_embedder, register_embedder
from simcheck.embed.sbert import SentenceTransformerEmbedder, resolve_model
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


def _copy_model_configs(target, modules=None, pooling=None) -> None:
    """A model folder whose weights are links to the bundled model's and whose configs may differ."""
    import json
    import shutil
    from pathlib import Path

    source = Path(resolve_model("all-MiniLM-L6-v2"))
    shutil.copytree(source, target, symlinks=True)
    if modules is not None:
        (target / "modules.json").write_text(json.dumps(modules))
    if pooling is not None:
        config = json.loads((source / "1_Pooling" / "config.json").read_text())
        config.update(pooling)
        (target / "1_Pooling" / "config.json").write_text(json.dumps(config))


def test_bert_fast_path_only_for_bert_with_mean_pooling(tmp_path) -> None:
    from simcheck.embed import bert

    assert bert.supports(resolve_model("all-MiniLM-L6-v2"))
    assert not bert.supports(tmp_path)  # not a model at all
    cls = tmp_path / "cls"
    _copy_model_configs(cls, pooling={"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    assert not bert.supports(cls)
    dense = tmp_path / "dense"
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "1_Pooling", "type": "sentence_transformers.models.Pooling"},
        {"idx": 2, "name": "2", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    _copy_model_configs(dense, modules=modules)
    assert not bert.supports(dense)


def test_unknown_backend_is_a_one_line_error() -> None:
    with pytest.raises(ModelNotFound) as error:
        SentenceTransformerEmbedder("all-MiniLM-L6-v2", backend="onnx")
    assert str(error.value) == (
        "embedding backend 'onnx': choose one of auto, sentence-transformers ($SIMCHECK_EMBED_BACKEND)"
    )


@pytest.mark.model
def test_bert_fast_path_gives_sentence_transformers_vectors_on_hard_texts() -> None:
    texts = [
        "",
        "   \n  ",
        "Yes.",
        "  KANE (V.O.) Rosebud... (beat) Café, naïve, ÆTHER — “quoted” words…  ",
        "The storm took the roof off the chapel. " * 60,  # beyond 256 tokens: truncated the same way
        "日本語のテキストも混ざる。",
    ]
    fast = SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=4)
    plain = SentenceTransformerEmbedder("all-MiniLM-L6-v2", batch_size=4, backend="sentence-transformers")
    assert fast.backend == "simcheck.embed.bert" and plain.backend == "sentence-transformers"
    a, b = fast.embed(texts), plain.embed(texts)
    assert np.abs(a - b).max() < 1e-5


@pytest.mark.model
def test_other_pooling_runs_on_sentence_transformers(tmp_path) -> None:
    folder = tmp_path / "cls-pooled"
    _copy_model_configs(folder, pooling={"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False})
    embedder = SentenceTransformerEmbedder(str(folder))
    assert embedder.backend == "sentence-transformers"
    mean = load_embedder("all-MiniLM-L6-v2").embed(["The lighthouse keeper climbs the stairs."])
    cls = embedder.embed(["The lighthouse keeper climbs the stairs."])
    assert cls.shape == (1, 384) and float(mean[0] @ cls[0]) < 0.999  # a different pooling, really used


def test_registered_provider_is_asked_first_and_can_be_unregistered() -> None:
    asked: list[str] = []

    def provider(name: str) -> Embedder | None:
        asked.append(name)
        return HashEmbedder(8) if name == "/models/house-model" else None

    unregister = register_embedder(provider)
    try:
        assert load_embedder("/models/house-model").dimension == 8
        assert isinstance(load_embedder("hash-16"), HashEmbedder)  # declined: the next provider answers
    finally:
        unregister()
    assert asked == ["/models/house-model", "hash-16"]
    with pytest.raises(ModelNotFound, match="no such folder"):  # the library's own path again
        load_embedder("/models/house-model")
