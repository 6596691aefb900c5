"""The first steps of token alignment (``simcheck.match.align``): matches, density, one-to-one.

Matches are pairs of positions ``(i, j)`` that are evidence of shared wording: inside a common run of
``ngram`` identical tokens (n-gram seeds), or the same content word up to a light stemming. Dense cells
of the (a, b) plane keep the matches that lie together (diagonal cells for copied text, square cells for
shuffled or re-translated text); each position then keeps at most one match. All vectorised with numpy;
no salted hashing, no randomness.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

import numpy as np

from simcheck.settings import ALIGN_STEM_PREFIX, ALIGN_SUPPORT_REACH

_SUFFIXES = (
    "ational", "ization", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "ies", "ied",
    "ers", "er", "ed", "es", "ly", "al", "s",
)  # fmt: skip
_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier: a fixed, deterministic mix


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light, deterministic English stemmer for seeding: one common suffix off (keeping at least
    three letters), then at most ``ALIGN_STEM_PREFIX`` characters: ``developing``, ``development`` ->
    ``develop``."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:ALIGN_STEM_PREFIX]


# --- matches --------------------------------------------------------------------------------


def encode(a: Sequence[str], b: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Integer ids for the tokens of both sequences (ids in order of first appearance)."""
    table: dict[str, int] = {}
    ids_a = np.fromiter((table.setdefault(t, len(table)) for t in a), np.int64, len(a))
    ids_b = np.fromiter((table.setdefault(t, len(table)) for t in b), np.int64, len(b))
    return ids_a, ids_b, list(table)


def stem_ids(vocab: list[str]) -> np.ndarray:
    """For each vocabulary id, the id of its stem (equal stems, equal ids)."""
    table: dict[str, int] = {}
    return np.fromiter((table.setdefault(stem(w), len(table)) for w in vocab), np.int64, len(vocab))


def ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit key per n-gram start (``len(ids) - n + 1`` keys); equal n-grams have equal keys."""
    key = np.zeros(len(ids) - n + 1, dtype=np.uint64)
    for t in range(n):
        key = key * _HASH_MULT + ids[t : len(ids) - n + 1 + t].astype(np.uint64) + np.uint64(1)
    return key


def pairs(keys_a: np.ndarray, keys_b: np.ndarray, max_pairs: int) -> tuple[np.ndarray, np.ndarray]:
    """All ``(i, j)`` with ``keys_a[i] == keys_b[j]``, skipping keys with more than ``max_pairs`` pairs."""
    empty = np.empty(0, np.int64)
    order_a = np.argsort(keys_a, kind="stable")
    order_b = np.argsort(keys_b, kind="stable")
    sa, sb = keys_a[order_a], keys_b[order_b]
    common = np.intersect1d(sa, sb)
    if common.size == 0:
        return empty, empty
    la = np.searchsorted(sa, common, "left")
    ca = np.searchsorted(sa, common, "right") - la
    lb = np.searchsorted(sb, common, "left")
    cb = np.searchsorted(sb, common, "right") - lb
    count = ca * cb
    ok = count <= max_pairs
    la, lb, cb, count = la[ok], lb[ok], cb[ok], count[ok]
    total = int(count.sum())
    if total == 0:
        return empty, empty
    group = np.repeat(np.arange(count.size), count)
    rank = np.arange(total) - np.repeat(np.cumsum(count) - count, count)
    cbg = cb[group]
    pa = order_a[la[group] + rank // cbg]
    pb = order_b[lb[group] + rank % cbg]
    return pa.astype(np.int64), pb.astype(np.int64)


def matches(
    ids_a: np.ndarray,
    ids_b: np.ndarray,
    stem_ids: np.ndarray,
    seed_a: np.ndarray,
    seed_b: np.ndarray,
    ngram: int,
    max_pairs: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Unique matched position pairs, sorted by (a, b): content-word seeds and n-gram seeds."""
    keys_a = np.where(seed_a, stem_ids[ids_a], -1)
    keys_b = np.where(seed_b, stem_ids[ids_b], -2)
    pa, pb = pairs(keys_a, keys_b, max_pairs)
    found_a, found_b = [pa], [pb]
    if len(ids_a) >= ngram and len(ids_b) >= ngram:
        ga, gb = pairs(ngram_keys(ids_a, ngram), ngram_keys(ids_b, ngram), max_pairs)
        if ga.size:
            same = np.ones(ga.size, dtype=bool)
            for t in range(ngram):  # the keys are hashes: confirm that the tokens are equal
                same &= ids_a[ga + t] == ids_b[gb + t]
            ga, gb = ga[same], gb[same]
            for t in range(ngram):  # every position of a common run
                found_a.append(ga + t)
                found_b.append(gb + t)
    pa, pb = np.concatenate(found_a), np.concatenate(found_b)
    if pa.size == 0:
        return pa, pb
    width = np.int64(len(ids_b) + 1)
    code = unique(pa * width + pb)
    return code // width, code % width


# --- density and one-to-one -----------------------------------------------------------------


def dense_diagonal(pa: np.ndarray, pb: np.ndarray, window: int, band: int, min_seed: int) -> np.ndarray:
    """Mask of the matches in at least one diagonal cell holding ``min_seed`` distinct positions per side."""
    step, dstep = max(1, window // 2), max(1, band // 2)
    diag = pb - pa + np.int64(pa.max()) + 1  # >= 1
    ca, cd = pa // step + 1, diag // dstep + 1  # shifted so that every cell number below is >= 0
    ncd = np.int64(cd.max()) + 1
    keep = np.zeros(pa.size, dtype=bool)
    for da in (0, 1):
        for dd in (0, 1):
            cell = (ca - da) * ncd + (cd - dd)
            keep |= (distinct(cell, pa, cell) >= min_seed) & (distinct(cell, pb, cell) >= min_seed)
    return keep


def dense_square(
    pa: np.ndarray,
    pb: np.ndarray,
    seed_a: np.ndarray,
    seed_b: np.ndarray,
    window: int,
    share: float,
    least: int,
) -> np.ndarray:
    """Mask of the matches in at least one square cell where ``share`` of each side's content words,
    and at least ``least`` of them, are matched."""
    step = max(1, window // 2)
    ca, cb = pa // step + 1, pb // step + 1
    ncb = np.int64(cb.max()) + 1
    csum_a = np.concatenate(([0], np.cumsum(seed_a)))
    csum_b = np.concatenate(([0], np.cumsum(seed_b)))
    ok_a, ok_b = seed_a[pa], seed_b[pb]
    keep = np.zeros(pa.size, dtype=bool)
    for da in (0, 1):
        for db in (0, 1):
            xa, xb = ca - da, cb - db  # cell x covers [(x - 1) * step, (x - 1) * step + window)
            cell = xa * ncb + xb
            lo_a, lo_b = (xa - 1) * step, (xb - 1) * step
            words_a = csum_a[np.clip(lo_a + window, 0, seed_a.size)] - csum_a[np.clip(lo_a, 0, seed_a.size)]
            words_b = csum_b[np.clip(lo_b + window, 0, seed_b.size)] - csum_b[np.clip(lo_b, 0, seed_b.size)]
            got_a = distinct(cell[ok_a], pa[ok_a], cell)
            got_b = distinct(cell[ok_b], pb[ok_b], cell)
            keep |= (got_a >= np.maximum(share * words_a, least)) & (
                got_b >= np.maximum(share * words_b, least)
            )
    return keep


def distinct(cells: np.ndarray, pos: np.ndarray, query: np.ndarray) -> np.ndarray:
    """For each cell number in ``query``: how many distinct ``pos`` values occur with it in ``cells``."""
    if cells.size == 0:
        return np.zeros(query.size, dtype=np.int64)
    width = np.int64(pos.max()) + 1
    key = np.sort(cells * width + pos)
    first = np.ones(key.size, dtype=bool)
    first[1:] = key[1:] != key[:-1]
    cell_of = key[first] // width
    starts = np.flatnonzero(np.concatenate(([True], cell_of[1:] != cell_of[:-1])))
    uniq, counts = cell_of[starts], np.diff(np.append(starts, cell_of.size))
    idx = np.minimum(np.searchsorted(uniq, query), uniq.size - 1)
    return np.where(uniq[idx] == query, counts[idx], 0)


def one_to_one(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Mask of matches that use each position of a and of b at most once, preferring the matches with
    the most company within ``ALIGN_SUPPORT_REACH`` tokens on their own and the two next diagonals."""
    reach = ALIGN_SUPPORT_REACH
    width = np.int64(pa.max()) + 2 * reach + 2
    diag = pb - pa + np.int64(pa.max()) + 2
    keys = np.sort(diag * width + pa)
    support = np.zeros(pa.size, dtype=np.int64)
    for dd in (-1, 0, 1):
        center = (diag + dd) * width + pa
        upper = np.searchsorted(keys, center + reach, "right")
        support += upper - np.searchsorted(keys, center - reach, "left")
    order = np.lexsort((pb, pa, -support))
    used_a = np.zeros(int(pa.max()) + 1, dtype=bool)
    used_b = np.zeros(int(pb.max()) + 1, dtype=bool)
    keep = np.zeros(pa.size, dtype=bool)
    for k, i, j in zip(order.tolist(), pa[order].tolist(), pb[order].tolist(), strict=True):
        if not used_a[i] and not used_b[j]:
            used_a[i] = used_b[j] = True
            keep[k] = True
    return keep


def unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (a sort, cheaper here than ``np.unique``)."""
    out = np.sort(values)
    if out.size:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out
