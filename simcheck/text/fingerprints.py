"""Lexical features, computed the same way for reference scripts and drafts.

- **Shingle hashes**: the passage text is tokenised with the script's cast masked
  (``normalize.tokenize(text, names=name_words(script.cast))``), cut into word shingles of
  ``settings.shingle_words`` (``normalize.shingles``) and each shingle hashed with datasketch's own
  32-bit hash (``datasketch.hashfunc.sha1_hash32`` of the UTF-8 bytes): deterministic ``uint32``.
- **MinHash signatures**: datasketch's default ``affine32`` scheme (datasketch >= 2), vectorised
  with numpy over many passages at once using datasketch's own permutations
  (``MinHash(num_perm, seed).permutations``). Row ``i`` equals
  ``MinHash(num_perm, seed); m.update_batch(shingles_i); m.hashvalues`` exactly. Signatures are
  returned as ``uint64`` (n, num_perm) (the values fit in 32 bits; the index stores them as
  ``uint32``).
- An **empty** passage (no shingle) gets ``EMPTY`` in every position: datasketch's empty value. The
  LSH never files or looks up such a row and ``estimate_jaccard`` gives 0 for it, so it matches
  nothing.
"""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.model import Passage, Script
from simcheck.settings import IndexSettings
from simcheck.text.tokens import name_words, shingles, tokenize

EMPTY = np.uint64(0xFFFFFFFF)  # datasketch's initial hash value: no shingle was seen

_U32 = np.uint32
_FMIX = (_U32(16), _U32(0x85EBCA6B), _U32(13), _U32(0xC2B2AE35), _U32(16))
_CHUNK_CELLS = 1 << 22  # bound the (shingles x num_perm) working matrix to ~16 MB


def hash_shingle(shingle: str) -> int:
    """datasketch's ``sha1_hash32`` of the shingle's UTF-8 bytes."""
    return int.from_bytes(hashlib.sha1(shingle.encode("utf-8")).digest()[:4], "little")


def hash_shingles(items: Iterable[str]) -> np.ndarray:
    """``uint32`` hashes of shingles, in order (duplicates kept)."""
    return np.fromiter((hash_shingle(s) for s in items), dtype=np.uint32)


def text_norms(text: str, names: frozenset[str]) -> list[str]:
    """The normalised words of ``text`` with cast names masked."""
    return [token.norm for token in tokenize(text, names=names)]


def text_shingle_hashes(text: str, names: frozenset[str], size: int) -> np.ndarray:
    """Hashes of the word shingles of ``text`` (in order, duplicates kept)."""
    return hash_shingles(shingles(text_norms(text, names), size))


def passage_shingle_hashes(
    passages: Sequence[Passage], script: Script, settings: IndexSettings
) -> list[np.ndarray]:
    """Shingle hashes of each passage, with ``script``'s cast masked."""
    names = name_words(script.cast)
    return [text_shingle_hashes(p.text, names, settings.shingle_words) for p in passages]


@functools.lru_cache(maxsize=8)
def permutations(num_perm: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """datasketch's permutation parameters ``(a, b)`` (uint32 each) for ``MinHash(num_perm, seed)``."""
    from datasketch import MinHash

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


@dataclass(frozen=True)
class ScriptFeatures:
    """Everything the references keep per script, computed once."""

    passages: tuple[Passage, ...]
    shingle_hashes: tuple[np.ndarray, ...]  # per passage, uint32, in order
    signatures: np.ndarray  # uint64 (n_passages, num_perm)
    unique_shingles: np.ndarray  # sorted unique uint32 hashes over the whole script


def script_features(script: Script, settings: IndexSettings) -> ScriptFeatures:
    """Passages of ``script`` and their lexical features."""
    from simcheck.text.passages import make_passages

    passages = make_passages(script, settings)
    hashes = passage_shingle_hashes(passages, script, settings)
    signatures = minhash_signatures(hashes, settings.num_perm, settings.minhash_seed)
    unique = np.unique(np.concatenate(hashes)) if hashes else np.zeros(0, dtype=np.uint32)
    return ScriptFeatures(tuple(passages), tuple(hashes), signatures, unique.astype(np.uint32))


def count_scripts(unique_per_script: Iterable[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """Script frequency: sorted unique shingle hashes (uint32) and in how many scripts each occurs."""
    arrays = [np.asarray(u, dtype=np.uint32) for u in unique_per_script]
    if not arrays:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.uint32)
    hashes, counts = np.unique(np.concatenate(arrays), return_counts=True)
    return hashes.astype(np.uint32), counts.astype(np.uint32)


def lookup_counts(table_hashes: np.ndarray, table_counts: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """Counts of ``queries`` in a sorted (hashes, counts) table; 0 for hashes not in it."""
    q = np.asarray(queries, dtype=np.uint32)
    out = np.zeros(q.shape, dtype=np.int64)
    if table_hashes.size == 0 or q.size == 0:
        return out
    pos = np.searchsorted(table_hashes, q)
    pos_clipped = np.minimum(pos, table_hashes.size - 1)
    hit = table_hashes[pos_clipped] == q
    out[hit] = table_counts[pos_clipped[hit]]
    return out
