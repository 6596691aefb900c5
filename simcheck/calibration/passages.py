"""The passage background: how close unrelated passages come (see ``simcheck.calibration``).

For each sampled passage, the highest cosine with a passage of another script. All sampled passages
are searched together (``CALIBRATION_BATCH`` query rows per FAISS call); a passage whose nearest
``SEARCH_K`` are all in its own script (a file repeating one line) is searched again with more
neighbours, up to ``CALIBRATION_MAX_K``, and only then kept as an upper bound. Each value remembers
the script that gave it, so that an update never searches the whole index again: a script added can
only raise a value (its passages are compared with the kept sample directly), a script removed
re-measures only the values it gave. The random pairs behind ``SemanticNull.pairs`` cost one small
matrix product and are measured again every time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from simcheck.calibration.sample import Census, PassageUnit
from simcheck.match.rarity import SemanticNull, Tail, length_bin
from simcheck.search.references import References
from simcheck.settings import (
    CALIBRATION_BATCH,
    CALIBRATION_MAX_K,
    COSINE_GRID,
    LENGTH_BINS,
    MIN_BIN_SAMPLES,
    SEARCH_K,
)
from simcheck.text.tokens import word_count

_CELLS = 4_000_000  # (query rows x neighbours) or (rows x columns) per block: ~50 MB of results


@dataclass(frozen=True)
class PassageSample:
    key: int
    words: int
    value: float  # top-1 cosine with a passage of another script
    source: str | None  # sha256 of the script that gave it; None: an upper bound (all searched were own)


def _codes(census: Census) -> tuple[np.ndarray, dict[str, int]]:
    """An int code per content (sha256) and, per script id, the code of its content."""
    code = {sha: i for i, sha in enumerate(sorted(census.scripts_of))}
    top = max((sid for ids in census.scripts_of.values() for sid in ids), default=-1)
    of_script = np.full(top + 2, -1, dtype=np.int64)
    for sha, ids in census.scripts_of.items():
        of_script[list(ids)] = code[sha]
    return of_script, code


def measure_passages(
    references: References, census: Census, units: Sequence[PassageUnit]
) -> list[PassageSample]:
    """Top-1 other-script cosine of ``units``, searched in batches."""
    n = census.n_passages
    if not units or n == 0:
        return []
    of_script, code = _codes(census)
    names = sorted(census.scripts_of)
    mine = np.asarray([code[u.sha256] for u in units], dtype=np.int64)
    vectors = references.vectors([u.passage for u in units])
    value = np.full(len(units), np.nan)
    source = np.full(len(units), -1, dtype=np.int64)
    bound = np.full(len(units), np.nan)
    todo = np.arange(len(units))
    k = min(SEARCH_K, n)
    while todo.size:
        step = max(1, min(CALIBRATION_BATCH, _CELLS // k))
        for begin in range(0, todo.size, step):
            rows = todo[begin : begin + step]
            sims, ids = references.search_semantic(vectors[rows], k)
            owner = np.where(ids >= 0, of_script[census.script_of[np.maximum(ids, 0)]], -2)
            other = (ids >= 0) & (owner != mine[rows, None])
            found = other.any(axis=1)
            top = np.where(other, sims, -np.inf).max(axis=1)
            tied = other & (sims == top[:, None])  # the same cosine in several scripts: the first by sha256
            hit = rows[found]
            value[hit] = top[found]
            source[hit] = np.where(tied, owner, np.iinfo(np.int64).max).min(axis=1)[found]
            valid = ids >= 0
            last = np.where(valid.any(axis=1), valid.sum(axis=1) - 1, 0)
            bound[rows] = np.where(valid.any(axis=1), sims[np.arange(rows.size), last], np.nan)
        todo = todo[np.isnan(value[todo])]
        if k >= min(n, CALIBRATION_MAX_K):
            break
        k = min(n, CALIBRATION_MAX_K, k * 8)
    out = []
    for i, unit in enumerate(units):
        if not np.isnan(value[i]):
            out.append(PassageSample(unit.key, unit.words, float(value[i]), names[int(source[i])]))
        elif not np.isnan(bound[i]):  # every neighbour searched is its own: the last is an upper bound
            out.append(PassageSample(unit.key, unit.words, float(bound[i]), None))
    return out


def extend_passages(
    references: References,
    census: Census,
    kept: Sequence[tuple[PassageUnit, PassageSample]],
    added: Iterable[str],
) -> list[PassageSample]:
    """Kept samples with the scripts ``added`` (content sha256s) taken into account: a value rises
    when a passage of an added script of other content is closer."""
    added = sorted(set(added))
    theirs = census.passages_of(added)
    if not kept or theirs.size == 0:
        return [sample for _unit, sample in kept]
    of_script, code = _codes(census)
    names = sorted(census.scripts_of)
    owner = of_script[census.script_of[theirs]]
    mine = np.asarray([code[unit.sha256] for unit, _s in kept], dtype=np.int64)
    queries = references.vectors([unit.passage for unit, _s in kept])
    best = np.full(len(kept), -np.inf)
    best_owner = np.full(len(kept), np.iinfo(np.int64).max, dtype=np.int64)
    step = max(1, _CELLS // max(len(kept), 1))
    for begin in range(0, theirs.size, step):
        cols = theirs[begin : begin + step]
        sims = queries @ np.asarray(references.vectors(cols), dtype=np.float32).T
        cols = owner[begin : begin + step]
        sims[cols[None, :] == mine[:, None]] = -np.inf
        top = sims.max(axis=1)
        first = np.where(sims == top[:, None], cols[None, :], np.iinfo(np.int64).max).min(axis=1)
        better = (top > best) | ((top == best) & (first < best_owner))
        best[better] = top[better]
        best_owner[better] = first[better]
    out = []
    for i, (_unit, sample) in enumerate(kept):
        value = float(best[i])
        if value > sample.value or (value == sample.value and _earlier(names[int(best_owner[i])], sample)):
            out.append(replace(sample, value=value, source=names[int(best_owner[i])]))
        else:
            out.append(sample)
    return out


def _earlier(sha: str, sample: PassageSample) -> bool:
    """Does ``sha`` come before the sample's source (ties go to the first content by sha256)?"""
    return sample.source is not None and sha < sample.source


def semantic_null(references: References, census: Census, samples: Sequence[PassageSample]) -> SemanticNull:
    """The top-1 law per length bin (a bin with too few samples borrows the pooled sample) and the
    random pair shares."""
    values: list[list[float]] = [[] for _ in range(len(LENGTH_BINS) + 1)]
    for sample in samples:
        values[length_bin(sample.words)].append(sample.value)
    pooled = [x for v in values for x in v]
    bins = tuple(Tail.of(v if len(v) >= MIN_BIN_SAMPLES else pooled, 0.005) for v in values)
    return SemanticNull(census.n_passages, bins, pair_background(references, census))


def pair_background(references: References, census: Census) -> tuple[tuple[float, ...], ...]:
    """Per length bin, the share of random passage pairs of different contents at least as similar as
    each cosine of ``COSINE_GRID``."""
    ids = np.asarray(census.pair_ids, dtype=np.int64)
    if ids.size < 2:
        return ()
    shas = np.asarray(census.pair_shas)
    left, right = ids[0::2], ids[1::2]
    size = min(left.size, right.size)
    left, right = left[:size], right[:size]
    sims = (
        np.asarray(references.vectors(left), dtype=np.float32)
        @ np.asarray(references.vectors(right), dtype=np.float32).T
    )
    other = shas[0::2][:size, None] != shas[1::2][None, :size]
    bins = np.asarray([length_bin(word_count(p.text)) for p in references.passages(left)])
    grid = np.asarray(COSINE_GRID)
    pooled_values = np.sort(sims[other])
    rows: list[tuple[float, ...]] = []
    for b in range(len(LENGTH_BINS) + 1):
        mine = sims[(bins == b)[:, None] & other]
        values = np.sort(mine) if mine.size >= MIN_BIN_SAMPLES * 100 else pooled_values
        above = values.size - np.searchsorted(values, grid, side="left")
        rows.append(tuple(float(f"{x:.6g}") for x in above / max(values.size, 1)))
    return tuple(rows)
