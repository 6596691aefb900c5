"""Lexical features, computed the same way for reference scripts and drafts.

- **Shingle hashes**: the passage text is tokenised with the script's cast masked
  (``tokens.tokenize(text, names=name_words(script.cast))``), cut into word shingles of
  ``settings.shingle_words`` (``tokens.shingles``) and each shingle hashed with datasketch's own
  32-bit hash (``datasketch.hashfunc.sha1_hash32`` of the UTF-8 bytes): deterministic ``uint32``.
- **MinHash signatures**: ``simcheck.text.minhash`` (datasketch's scheme).
- **Script frequency**: for every shingle, in how many reference scripts it occurs (``count_scripts``,
  ``lookup_counts``): what tells a stock phrase from a distinctive one.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.model import Passage, Script
from simcheck.settings import IndexSettings
from simcheck.text.minhash import minhash_signatures
from simcheck.text.passages import make_passages
from simcheck.text.tokens import name_words, shingles, tokenize


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


@dataclass(frozen=True)
class ScriptFeatures:
    """Everything the references keep per script, computed once."""

    passages: tuple[Passage, ...]
    shingle_hashes: tuple[np.ndarray, ...]  # per passage, uint32, in order
    signatures: np.ndarray  # uint64 (n_passages, num_perm)
    unique_shingles: np.ndarray  # sorted unique uint32 hashes over the whole script


def script_features(script: Script, settings: IndexSettings) -> ScriptFeatures:
    """Passages of ``script`` and their lexical features."""
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
