"""MinHash signatures with datasketch's scheme, vectorised over many passages at once.

datasketch's default ``affine32`` scheme (datasketch >= 2) with datasketch's own permutations
(``MinHash(num_perm, seed).permutations``): row ``i`` of ``minhash_signatures`` equals
``MinHash(num_perm, seed); m.update_batch(shingles_i); m.hashvalues`` exactly (``tests/test_features.py``
checks it), computed for thousands of passages in one numpy pass. Signatures are ``uint64``
(n, num_perm) (the values fit in 32 bits; the index stores them as ``uint32``). An **empty** passage
(no shingle) gets ``EMPTY`` in every position, datasketch's empty value: the LSH never files or looks
up such a row and ``estimate_jaccard`` gives 0 for it, so it matches nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

import numpy as np

EMPTY = np.uint64(0xFFFFFFFF)  # datasketch's initial hash value: no shingle was seen

_U32 = np.uint32
_FMIX = (_U32(16), _U32(0x85EBCA6B), _U32(13), _U32(0xC2B2AE35), _U32(16))
_CHUNK_CELLS = 1 << 22  # bound the (shingles x num_perm) working matrix to ~16 MB


@functools.lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters ``(a, b)`` (uint32 each) for ``MinHash(num_perm, seed)``."""
    from datasketch import MinHash  # 0.9 s to import (measured): loaded when a signature is made

    minhash = MinHash(num_perm=num_perm, seed=seed)
    if getattr(minhash, "scheme", "affine32") != "affine32":  # pragma: no cover - datasketch < 2
        raise RuntimeError("simcheck needs datasketch >= 2 (the affine32 MinHash scheme)")
    a, b = minhash.permutations
    a32 = np.ascontiguousarray(a, dtype=np.uint32)
    b32 = np.ascontiguousarray(b, dtype=np.uint32)
    a32.setflags(write=False)
    b32.setflags(write=False)
    return a32, b32


def _fmix32(values: np.ndarray) -> np.ndarray:
    s1, m1, s2, m2, s3 = _FMIX
    values = values ^ (values >> s1)
    values = values * m1
    values = values ^ (values >> s2)
    values = values * m2
    return values ^ (values >> s3)


def minhash_signatures(hash_lists: Sequence[np.ndarray], num_perm: int, seed: int) -> np.ndarray:
    """MinHash signatures, one row per list of ``uint32`` shingle hashes: ``uint64`` (n, num_perm)."""
    n = len(hash_lists)
    out = np.full((n, num_perm), EMPTY, dtype=np.uint64)
    if n == 0:
        return out
    a, b = permutations(num_perm, seed)
    lengths = np.fromiter((len(h) for h in hash_lists), dtype=np.int64, count=n)
    nonempty = np.flatnonzero(lengths > 0)
    if nonempty.size == 0:
        return out
    rows_per_chunk = max(1, _CHUNK_CELLS // num_perm)
    # walk the non-empty passages in chunks of about rows_per_chunk shingles
    start = 0
    while start < nonempty.size:
        stop = start
        cells = 0
        while stop < nonempty.size and (stop == start or cells + lengths[nonempty[stop]] <= rows_per_chunk):
            cells += int(lengths[nonempty[stop]])
            stop += 1
        members = nonempty[start:stop]
        hashes = np.concatenate([np.asarray(hash_lists[i], dtype=np.uint32) for i in members])
        mixed = _fmix32(hashes)
        permuted = mixed[:, None] * a[None, :] + b[None, :]  # uint32 arithmetic wraps: mod 2^32
        offsets = np.zeros(members.size, dtype=np.int64)
        np.cumsum(lengths[members][:-1], out=offsets[1:])
        out[members] = np.minimum.reduceat(permuted, offsets, axis=0)
        start = stop
    return out


def is_empty(signatures: np.ndarray) -> np.ndarray:
    """Boolean per row: the signature of a passage without any shingle."""
    return np.all(signatures == EMPTY, axis=-1)


def estimate_jaccard(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Estimated Jaccard similarity of signature rows ``a`` (n, p) and ``b`` (m, p): (n, m) float32.

    Rows that are ``EMPTY`` are similar to nothing (0.0), not even to each other.
    """
    a2 = np.atleast_2d(a)
    b2 = np.atleast_2d(b)
    equal = (a2[:, None, :] == b2[None, :, :]).mean(axis=2, dtype=np.float32)
    equal[is_empty(a2), :] = 0.0
    equal[:, is_empty(b2)] = 0.0
    return equal
