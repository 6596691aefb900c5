"""The embedding pipeline of ``simcheck.embed.bert``: token-budget batches, chunks, precision."""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from simcheck.embed.sbert import SentenceTransformerEmbedder, resolve_model
from simcheck.errors import ModelNotFound

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
TEXTS = [
    "",
    "Yes.",
    "INT. LIGHTHOUSE - NIGHT",
    "I will never forgive you for burning the letters.",
    "The storm took the roof off the chapel. " * 60,  # truncated at 256 tokens
    "  KANE (V.O.) Rosebud... (beat) Café, naïve, ÆTHER — “quoted” words…  ",
    "The train to the coast leaves at seven in the morning, and you will be on it.",
    "No.",
    "Yes.",
] * 7


@pytest.fixture(scope="module")
def encoder():
    from simcheck.embed.bert import BertMeanEncoder

    return BertMeanEncoder(resolve_model("all-MiniLM-L6-v2"), "cpu")


@functools.lru_cache(maxsize=1)
def _corpus_sample() -> tuple[str, ...]:
    """Passages spread over the shared corpus, cut by simcheck's own passage cutter."""
    from simcheck.read import read_script
    from simcheck.settings import IndexSettings
    from simcheck.text.passages import make_passages

    files = sorted((SHARED / "corpus").rglob("*.fountain"))
    texts: list[str] = []
    for path in files[:: max(1, len(files) // 6)]:
        passages = make_passages(read_script(path), IndexSettings())
        texts.extend(p.text for p in passages[:: max(1, len(passages) // 60)])
    return tuple(texts)


def corpus_passages(n: int) -> list[str]:
    """``n`` of those passages, spread evenly."""
    if not (SHARED / "corpus").is_dir():
        pytest.skip(f"shared corpus not found at {SHARED / 'corpus'}")
    sample = _corpus_sample()
    return list(sample[:: max(1, len(sample) // n)][:n])


@pytest.mark.model
@pytest.mark.parametrize("budget", [40, 300, 4096])
def test_batches_are_sorted_by_length_under_the_token_budget(encoder, budget, monkeypatch) -> None:
    monkeypatch.setattr(encoder, "token_budget", budget)
    batches = encoder._prepare(TEXTS, None)
    expected = [e.ids for e in encoder._unpadded.encode_batch([t.strip() for t in TEXTS])]
    rows = np.concatenate([b.rows.numpy() for b in batches])
    assert sorted(rows.tolist()) == list(range(len(TEXTS)))  # every text once
    lengths = np.concatenate([b.lengths.numpy() for b in batches])
    assert np.all(np.diff(lengths) <= 0)  # longest first, across batches too
    for batch in batches:
        ids, count = batch.ids.numpy(), len(batch.rows)
        assert count == 1 or count * ids.shape[1] <= budget
        assert ids.shape[1] == batch.lengths.numpy().max()  # padded to its own longest row only
        assert batch.same_length == bool(np.all(batch.lengths.numpy() == ids.shape[1]))
        for row, text_index, length in zip(ids, batch.rows.numpy(), batch.lengths.numpy(), strict=True):
            assert row[:length].tolist() == expected[text_index]
            assert not row[length:].any()  # padding is the pad id (0)
    if budget == 40:  # the 256-token text alone in its batch, over the budget rather than cut
        assert [len(b.rows) for b in batches][0] == 1 and batches[0].ids.shape[1] == encoder.max_length


@pytest.mark.model
def test_tokenizing_in_threads_gives_the_same_batches(encoder, monkeypatch) -> None:
    texts = corpus_passages(300)
    one = encoder._prepare(texts, None)
    monkeypatch.setattr(encoder, "tokenizer_threads", 3)
    with ThreadPoolExecutor(3) as workers:
        three = encoder._prepare(texts, workers)
    assert len(one) == len(three)
    for a, b in zip(one, three, strict=True):
        assert np.array_equal(a.ids.numpy(), b.ids.numpy())
        assert np.array_equal(a.rows.numpy(), b.rows.numpy())


@pytest.mark.model
def test_pipeline_matches_one_batch_at_a_time_whatever_the_chunks(encoder, monkeypatch) -> None:
    texts = corpus_passages(100) + TEXTS[:18]
    plain = np.concatenate([encoder.encode(texts[i : i + 32]) for i in range(0, len(texts), 32)])
    monkeypatch.setattr(encoder, "chunk_texts", 40)
    monkeypatch.setattr(encoder, "token_budget", 700)
    done: list[int] = []
    piped = encoder.encode_many(texts, done.append)
    assert piped.dtype == np.float32 and piped.shape == plain.shape
    assert done == [*range(40, len(texts), 40), len(texts)]
    assert np.min(np.sum(piped * plain, axis=1)) > 0.99999
    assert np.abs(piped - plain).max() < 1e-5


@pytest.mark.model
def test_default_embedder_matches_sentence_transformers_on_corpus_passages() -> None:
    from sentence_transformers import SentenceTransformer

    texts = corpus_passages(100)
    texts = texts + texts[:20]  # duplicates: encoded once, same vectors
    embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")
    assert embedder.backend == "simcheck.embed.bert"
    assert embedder.precision == "float32" and embedder.agreement is None  # CPU: float32, no bf16 test
    ours = embedder.embed(texts)
    theirs = SentenceTransformer(resolve_model("all-MiniLM-L6-v2"), device="cpu").encode(
        texts, batch_size=32, normalize_embeddings=True
    )
    assert np.min(np.sum(ours * theirs, axis=1)) >= 0.99999
    assert np.array_equal(ours[:20], ours[-20:])


@pytest.mark.model
def test_progress_counts_input_texts() -> None:
    embedder = SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu")
    seen: list[int] = []
    embedder.embed(["one line", "another line", "one line"] * 5, progress=seen.append)
    assert seen and seen[-1] == 15 and seen == sorted(seen)


def test_precision_is_checked_with_a_one_line_error(monkeypatch) -> None:
    with pytest.raises(ModelNotFound) as error:
        SentenceTransformerEmbedder("all-MiniLM-L6-v2", precision="fp8")
    assert str(error.value) == (
        "embedding precision 'fp8': choose one of auto, float32, bfloat16 ($SIMCHECK_EMBED_PRECISION)"
    )
    monkeypatch.setenv("SIMCHECK_EMBED_PRECISION", "half")
    with pytest.raises(ModelNotFound):
        SentenceTransformerEmbedder("all-MiniLM-L6-v2")


@pytest.mark.model
def test_bf16_is_refused_on_the_cpu() -> None:
    with pytest.raises(ModelNotFound) as error:
        SentenceTransformerEmbedder("all-MiniLM-L6-v2", device="cpu", precision="bfloat16")
    assert "\n" not in str(error.value)
    assert "bfloat16 runs on a CUDA GPU only" in str(error.value)


def test_agreement_sentences_are_fixed_and_varied() -> None:
    from simcheck.embed.precision import AGREEMENT_TEXTS
    from simcheck.settings import EMBED_BF16_MIN_COSINE

    assert len(AGREEMENT_TEXTS) == len(set(AGREEMENT_TEXTS)) >= 20
    assert "" in AGREEMENT_TEXTS and max(map(len, AGREEMENT_TEXTS)) > 2000  # empty to truncated
    assert 0.999 < EMBED_BF16_MIN_COSINE < 1.0


def test_bf16_only_on_cuda_and_only_where_it_agrees_with_float32() -> None:
    from simcheck.embed.precision import choose_precision

    calls: list[int] = []

    def agreement(value: float):
        def measure() -> float:
            calls.append(1)
            return value

        return measure

    assert choose_precision("auto", False, agreement(1.0)) == ("float32", None)  # CPU: never measured
    assert choose_precision("float32", True, agreement(1.0)) == ("float32", None)
    assert not calls
    assert choose_precision("auto", True, agreement(0.99995)) == ("bfloat16", 0.99995)
    assert choose_precision("auto", True, agreement(0.99989)) == ("float32", 0.99989)  # fails: float32
    assert choose_precision("bfloat16", True, agreement(0.9)) == ("bfloat16", 0.9)  # forced, still reported
    assert choose_precision("auto", True, agreement(0.9999), threshold=0.9999) == ("bfloat16", 0.9999)
