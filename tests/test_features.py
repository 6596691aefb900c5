from __future__ import annotations

import numpy as np
from datasketch import MinHash
from datasketch.hashfunc import sha1_hash32
from handmade import build_script

from simcheck.model import CHARACTER, DIALOGUE
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import (
    count_scripts,
    hash_shingles,
    lookup_counts,
    passage_shingle_hashes,
    script_features,
    text_norms,
)
from simcheck.text.minhash import EMPTY, estimate_jaccard, is_empty, minhash_signatures
from simcheck.text.tokens import NAME_TOKEN, name_words, shingles

TEXTS = [
    "The lamp by the window has been burning since the war ended, nobody dares to put it out.",
    "What are you doing here?",
    "one",
    "",
    "Ünïcödé wörds and ‘curly’ quotes don’t break the hashing at all, do they?",
]


def _datasketch(shingle_list: list[str], num_perm: int, seed: int) -> np.ndarray:
    m = MinHash(num_perm=num_perm, seed=seed)
    m.update_batch([s.encode("utf-8") for s in shingle_list])
    return m.hashvalues


def test_shingle_hashes_are_datasketch_sha1_hash32() -> None:
    items = shingles(text_norms(TEXTS[0], frozenset()), 3)
    hashes = hash_shingles(items)
    assert hashes.dtype == np.uint32
    assert hashes.tolist() == [sha1_hash32(s.encode("utf-8")) for s in items]


def test_signatures_equal_datasketch_update_batch_exactly() -> None:
    for num_perm, seed, size in ((128, 1, 3), (64, 7, 2), (16, 42, 5)):
        lists = [shingles(text_norms(t, frozenset()), size) for t in TEXTS]
        signatures = minhash_signatures([hash_shingles(s) for s in lists], num_perm, seed)
        assert signatures.dtype == np.uint64 and signatures.shape == (len(TEXTS), num_perm)
        for row, items in zip(signatures, lists, strict=True):
            assert np.array_equal(row, _datasketch(items, num_perm, seed))


def test_signatures_chunking_does_not_change_results(monkeypatch) -> None:
    import simcheck.text.minhash as features

    lists = [hash_shingles(shingles(text_norms(t, frozenset()), 3)) for t in TEXTS * 5]
    whole = minhash_signatures(lists, 128, 1)
    monkeypatch.setattr(features, "_CHUNK_CELLS", 128 * 3)  # forces many small chunks
    assert np.array_equal(minhash_signatures(lists, 128, 1), whole)


def test_empty_signature_matches_nothing() -> None:
    signatures = minhash_signatures(
        [np.zeros(0, np.uint32), np.zeros(0, np.uint32), hash_shingles(["a b c"])], 32, 1
    )
    assert is_empty(signatures).tolist() == [True, True, False]
    assert (signatures[0] == EMPTY).all()
    sims = estimate_jaccard(signatures, signatures)
    assert sims[0, 1] == 0.0 and sims[0, 0] == 0.0
    assert sims[2, 2] == 1.0


def test_estimate_jaccard_is_close_to_true_jaccard() -> None:
    a = [f"s{i}" for i in range(100)]
    b = [f"s{i}" for i in range(50, 150)]  # true Jaccard 50/150
    sig = minhash_signatures([hash_shingles(a), hash_shingles(b)], 256, 1)
    assert abs(float(estimate_jaccard(sig[0], sig[1])[0, 0]) - 1 / 3) < 0.08


def test_renamed_character_gives_same_shingles() -> None:
    line = "Tell Mara the boat leaves at dawn, and Mara's coat is still on the hook."
    one = build_script([(None, [(CHARACTER, "MARA"), (DIALOGUE, line)])])
    two = build_script([(None, [(CHARACTER, "GRETA"), (DIALOGUE, line.replace("Mara", "Greta"))])])
    settings = IndexSettings()
    fa, fb = script_features(one, settings), script_features(two, settings)
    assert NAME_TOKEN in text_norms(line, name_words(one.cast))
    assert np.array_equal(fa.signatures, fb.signatures)
    plain = [hash_shingles(shingles(text_norms(line, frozenset()), 3))]
    assert not np.array_equal(minhash_signatures(plain, 128, 1), fa.signatures)
    assert [h.tolist() for h in passage_shingle_hashes(fa.passages, one, settings)] == [
        h.tolist() for h in fa.shingle_hashes
    ]


def test_script_frequency_counts_scripts_not_occurrences() -> None:
    u1 = np.unique(np.array([5, 9, 9, 1], dtype=np.uint32))
    u2 = np.unique(np.array([9, 2], dtype=np.uint32))
    hashes, counts = count_scripts([u1, u2])
    assert hashes.tolist() == [1, 2, 5, 9] and counts.tolist() == [1, 1, 1, 2]
    query = np.array([9, 3, 1, 4000000000], dtype=np.uint32)
    assert lookup_counts(hashes, counts, query).tolist() == [2, 0, 1, 0]
    assert lookup_counts(*count_scripts([]), query).tolist() == [0, 0, 0, 0]
