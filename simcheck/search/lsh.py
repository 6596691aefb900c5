"""Banded LSH over a numpy signature matrix: sorted band-key arrays and ``searchsorted`` lookups.

Each signature (``num_perm = bands x rows`` MinHash values) is cut into ``bands`` bands of ``rows``
values; each band is hashed to a 64-bit key. Per band the index keeps the keys sorted and, aligned
with them, the passage ids (``keys``: uint64 (bands, n), ``ids``: int32 (bands, n)). A query is a
vectorised binary search per band; its candidates are every passage that shares at least one band
key. Empty signatures (no shingle) are neither filed nor looked up.

Why not datasketch's ``MinHashLSH``: measured on this kind of machine (see
``../shared/notes/measurements.md``) it needs 171 s and 8.3 GB of RAM to insert 10^6 passages and its
pickle is 888 MB, while these arrays are built in seconds, take ``12 x bands`` bytes per passage,
open by memory-mapping (no unpickling) and answer a 540-passage draft in tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcheck.text.minhash import is_empty

_U64 = np.uint64
_MIX1 = _U64(0xFF51AFD7ED558CCD)
_MIX2 = _U64(0xC4CEB9FE1A85EC53)
_STEP = _U64(0x9E3779B97F4A7C15)
_S33 = _U64(33)


def _fmix64(values: np.ndarray) -> np.ndarray:
    values = values ^ (values >> _S33)
    values = values * _MIX1
    values = values ^ (values >> _S33)
    values = values * _MIX2
    return values ^ (values >> _S33)


def band_keys(signatures: np.ndarray, bands: int, rows: int) -> np.ndarray:
    """64-bit key of each band of each signature: uint64 (n, bands). Deterministic across runs."""
    sig = np.asarray(signatures, dtype=np.uint64)
    if sig.ndim != 2 or sig.shape[1] != bands * rows:
        raise ValueError(f"signatures must have shape (n, {bands * rows}), not {sig.shape}")
    n = sig.shape[0]
    cube = sig.reshape(n, bands, rows)
    keys = np.broadcast_to((np.arange(bands, dtype=np.uint64) + _U64(1)) * _STEP, (n, bands)).copy()
    salts = (np.arange(1, rows + 1, dtype=np.uint64) * _STEP).reshape(1, 1, rows)  # wraps mod 2^64
    salted = cube + salts
    for r in range(rows):
        keys = _fmix64(keys ^ salted[:, :, r])
    return keys


@dataclass(frozen=True)
class BandIndex:
    """Sorted band keys and the passage ids aligned with them."""

    keys: np.ndarray  # uint64 (bands, m), each row sorted
    ids: np.ndarray  # int32 (bands, m)
    bands: int
    rows: int

    @classmethod
    def build(cls, signatures: np.ndarray, bands: int, rows: int, ids: np.ndarray | None = None) -> BandIndex:
        """Index ``signatures`` (n, bands*rows); passage ids default to ``0..n-1``."""
        sig = np.asarray(signatures)
        n = sig.shape[0]
        passage_ids = np.arange(n, dtype=np.int32) if ids is None else np.asarray(ids, dtype=np.int32)
        if sig.ndim != 2 or passage_ids.shape != (n,):
            raise ValueError("signatures must be (n, num_perm) and ids (n,)")
        keep = ~is_empty(sig) if n else np.zeros(0, dtype=bool)
        keys = band_keys(sig[keep], bands, rows).T  # (bands, m)
        kept_ids = passage_ids[keep]
        order = np.argsort(keys, axis=1, kind="stable")
        sorted_keys = np.take_along_axis(keys, order, axis=1)
        sorted_ids = kept_ids[order] if kept_ids.size else np.zeros((bands, 0), dtype=np.int32)
        return cls(
            np.ascontiguousarray(sorted_keys), np.ascontiguousarray(sorted_ids, dtype=np.int32), bands, rows
        )

    @property
    def size(self) -> int:
        return int(self.keys.shape[1])

    def query(self, signatures: np.ndarray) -> list[np.ndarray]:
        """Candidate passage ids (int64, sorted, unique) sharing a band with each query row."""
        pairs_q, pairs_id = self._hits(signatures)
        n_queries = np.atleast_2d(signatures).shape[0]
        if pairs_q.size == 0:
            return [np.zeros(0, dtype=np.int64) for _ in range(n_queries)]
        combined = np.unique(pairs_q * np.int64(1 << 32) + pairs_id)
        q = combined >> 32
        ids = combined & np.int64(0xFFFFFFFF)
        bounds = np.searchsorted(q, np.arange(n_queries + 1))
        return [ids[bounds[i] : bounds[i + 1]] for i in range(n_queries)]

    def query_counts(self, signatures: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
        """Like ``query`` but also how many bands each candidate shares: [(ids, band_counts)]."""
        pairs_q, pairs_id = self._hits(signatures)
        n_queries = np.atleast_2d(signatures).shape[0]
        empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64))
        if pairs_q.size == 0:
            return [empty for _ in range(n_queries)]
        combined, counts = np.unique(pairs_q * np.int64(1 << 32) + pairs_id, return_counts=True)
        q = combined >> 32
        ids = combined & np.int64(0xFFFFFFFF)
        bounds = np.searchsorted(q, np.arange(n_queries + 1))
        return [(ids[bounds[i] : bounds[i + 1]], counts[bounds[i] : bounds[i + 1]]) for i in range(n_queries)]

    def _hits(self, signatures: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """All (query row, passage id) pairs that share a band key (with repeats)."""
        sig = np.atleast_2d(np.asarray(signatures))
        n_queries = sig.shape[0]
        if n_queries == 0 or self.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        live = np.flatnonzero(~is_empty(sig))
        if live.size == 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        qkeys = band_keys(sig[live], self.bands, self.rows)  # (q, bands)
        all_q: list[np.ndarray] = []
        all_ids: list[np.ndarray] = []
        for band in range(self.bands):
            row = self.keys[band]
            left = np.searchsorted(row, qkeys[:, band], side="left")
            right = np.searchsorted(row, qkeys[:, band], side="right")
            lengths = right - left
            total = int(lengths.sum())
            if total == 0:
                continue
            query_rows = np.repeat(live, lengths)
            # positions left[i] .. right[i]-1 for every query i, flattened
            starts = np.repeat(left - np.concatenate(([0], np.cumsum(lengths)[:-1])), lengths)
            positions = starts + np.arange(total)
            all_q.append(query_rows.astype(np.int64))
            all_ids.append(np.asarray(self.ids[band][positions], dtype=np.int64))
        if not all_q:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        return np.concatenate(all_q), np.concatenate(all_ids)
