from __future__ import annotations

import numpy as np

from simcheck.search.lsh import BandIndex, band_keys
from simcheck.text.fingerprints import hash_shingles
from simcheck.text.minhash import EMPTY, minhash_signatures


def _signatures(sets: list[list[str]]) -> np.ndarray:
    return minhash_signatures([hash_shingles(s) for s in sets], 128, 1)


def _brute_force(index_sigs: np.ndarray, query: np.ndarray, bands: int, rows: int) -> list[int]:
    ref = index_sigs.reshape(len(index_sigs), bands, rows)
    q = query.reshape(bands, rows)
    return [
        i for i in range(len(ref)) if (ref[i] == q).all(axis=1).any() and not (index_sigs[i] == EMPTY).all()
    ]


def test_query_equals_brute_force_band_matching() -> None:
    rng = np.random.default_rng(3)
    vocab = [f"w{i}" for i in range(300)]
    base = [list(rng.choice(vocab, 40, replace=False)) for _ in range(60)]
    # near duplicates of some sets, plus unrelated sets
    variants = [s[:35] + [f"x{j}" for j in range(5)] for s in base[:20]]
    sigs = _signatures(base + variants)
    index = BandIndex.build(sigs, 32, 4)
    queries = _signatures(variants + [base[5], []])
    results = index.query(queries)
    assert len(results) == len(queries)
    for q, found in zip(queries, results, strict=True):
        assert found.tolist() == _brute_force(sigs, q, 32, 4)
        assert found.dtype == np.int64
    # a near duplicate finds its original (i) and itself (60 + i)
    for i in range(20):
        assert {i, 60 + i} <= set(results[i].tolist())
    assert results[-1].size == 0  # the empty query matches nothing


def test_empty_signatures_are_not_filed() -> None:
    sigs = _signatures([[], ["a b c", "b c d"], []])
    index = BandIndex.build(sigs, 32, 4)
    assert index.size == 1
    assert [r.tolist() for r in index.query(sigs)] == [[], [1], []]


def test_query_counts_and_custom_ids() -> None:
    sigs = _signatures([["a", "b", "c"], ["a", "b", "c"], ["x", "y"]])
    index = BandIndex.build(sigs, 32, 4, ids=np.array([10, 11, 12]))
    (ids, counts), (ids2, _), _ = index.query_counts(sigs)
    assert ids.tolist() == [10, 11] and counts.tolist() == [32, 32]
    assert ids2.tolist() == [10, 11]


def test_band_keys_are_deterministic_and_depend_on_band_position() -> None:
    sig = np.tile(np.arange(4, dtype=np.uint64), (1, 2))  # two identical bands of 4 rows
    keys = band_keys(sig, 2, 4)
    assert keys.dtype == np.uint64 and keys.shape == (1, 2)
    assert keys[0, 0] != keys[0, 1]
    assert np.array_equal(keys, band_keys(sig.copy(), 2, 4))
    # band keys are stored on disk: a change of the key function must be a deliberate format change
    assert int(band_keys(np.zeros((1, 4), dtype=np.uint64), 1, 4)[0, 0]) == 17702915995244144894
    assert int(band_keys(np.arange(8, dtype=np.uint64).reshape(1, 8), 2, 4)[0, 1]) == 12028086460498450552


def test_empty_index_and_empty_query() -> None:
    index = BandIndex.build(np.zeros((0, 128), dtype=np.uint64), 32, 4)
    assert index.size == 0
    assert [r.size for r in index.query(_signatures([["a"]]))] == [0]
    assert BandIndex.build(_signatures([["a"]]), 32, 4).query(np.zeros((0, 128), np.uint64)) == []
