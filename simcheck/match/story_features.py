"""The story layer's unit features (``simcheck.match.story``): unit vectors, content words with names
masked, hashed term matrices, and the similarity z-scores built from them."""

from __future__ import annotations

import functools
import weakref
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from simcheck.match.draft import Probe, ReferenceCache
from simcheck.match.seeds import stem
from simcheck.model import Script
from simcheck.settings import (
    STORY_HASH_BITS,
)
from simcheck.text.tokens import STOPWORDS, WORD, fold, name_words
from simcheck.text.units import StoryUnit, is_prose, passage_units, prose_names, story_units

# --- unit features -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StorySide:
    """The story units of one script with their features."""

    units: tuple[StoryUnit, ...]
    vectors: np.ndarray  # (units, dim) L2-normalised mean passage vector (zero row: no passage)
    bags: tuple[Counter[str], ...]  # stemmed content words (names masked) -> count
    surface: dict[str, str]  # stem -> the word as first met (for display)
    prose: bool = False  # cut as prose (paragraphs), not as scenes
    tf: sparse.csr_matrix | None = None  # (units, 2 ** STORY_HASH_BITS): 1 + log count of each hashed word


@functools.lru_cache(maxsize=1 << 18)
def _word_key(word: str) -> tuple[str | None, str]:
    """(stemmed key or None for a stop word, number or short word; folded form, possessive off)."""
    norm = fold(word)
    base = norm[:-2] if norm.endswith("'s") else norm
    if len(norm) < 3 or norm in STOPWORDS or norm.isdigit():
        return None, base
    return stem(norm), base


def content_bags(texts: Sequence[str], names: frozenset[str]) -> tuple[list[Counter[str]], dict[str, str]]:
    """Stemmed content words of each text: no stop word, number, word of fewer than 3 letters, or name
    (a capitalised word whose folded form, possessive off, is in ``names``: ``tokens.masked_words``'
    rule). Written words are judged once per process (``_word_key``)."""
    return word_bags([WORD.findall(text) for text in texts], names)


def word_bags(
    texts: Sequence[Sequence[str]], names: frozenset[str]
) -> tuple[list[Counter[str]], dict[str, str]]:
    """``content_bags`` of texts already cut into words (``WORD.findall``)."""
    surface: dict[str, str] = {}
    bags: list[Counter[str]] = []
    key_of, first = _word_key, surface.setdefault
    for written in texts:
        keys: list[str] = []
        append = keys.append
        for word in written:
            key, base = key_of(word)
            if key is None or (names and word[0].isupper() and base in names):
                continue
            append(key)
            first(key, base)
        bags.append(Counter(keys))
    return bags, surface


def unit_vectors(
    units: Sequence[StoryUnit], starts: np.ndarray, scenes: np.ndarray, vectors: np.ndarray
) -> np.ndarray:
    """Mean of the vectors of the passages starting inside each unit (same scene), L2-normalised."""
    dim = vectors.shape[1] if vectors.ndim == 2 else 0
    out = np.zeros((len(units), dim), dtype=np.float32)
    if not len(units) or not dim or not len(starts):
        return out
    for row, unit in enumerate(units):
        inside = (scenes == unit.scene) & (starts >= unit.start) & (starts < max(unit.end, unit.start + 1))
        if inside.any():
            mean = vectors[inside].mean(axis=0)
            norm = float(np.linalg.norm(mean))
            if norm > 0:
                out[row] = mean / norm
    return out


def side_of(
    script: Script, names: frozenset[str], starts: np.ndarray, scenes: np.ndarray, vectors: np.ndarray
) -> StorySide:
    units = story_units(script)
    bags, surface = content_bags([u.text for u in units], names)
    return StorySide(
        units, unit_vectors(units, starts, scenes, vectors), tuple(bags), surface, is_prose(script)
    )


def draft_side(probe: Probe) -> StorySide:
    script = probe.script
    names = prose_names(script) if is_prose(script) else name_words(script.cast)
    starts = np.fromiter((p.start for p in probe.passages), np.int64, len(probe.passages))
    scenes = np.fromiter((p.scene for p in probe.passages), np.int64, len(probe.passages))
    return side_of(script, names, starts, scenes, probe.vectors)


_SIDES: weakref.WeakKeyDictionary[ReferenceCache, dict[int, StorySide]] = weakref.WeakKeyDictionary()


def reference_side(cache: ReferenceCache, script_id: int) -> StorySide:
    """The story side of a reference script from its stored passages and vectors (no script is read
    or parsed: ``units.passage_units``), kept with ``cache`` for the next draft of the run."""
    kept = _SIDES.setdefault(cache, {})
    side = kept.get(script_id)
    if side is None:
        refs = cache.references
        meta = next((s for s in refs.scripts() if s.id == script_id), None)
        scenes = meta.scenes if meta is not None else 0
        ids = [refs.scene_passage_ids(script_id, scene) for scene in range(1, scenes + 1)]
        all_ids = np.concatenate(ids) if ids else np.zeros(0, np.int64)
        stored = refs.passages(all_ids) if all_ids.size else []
        written = [WORD.findall(p.text) for p in stored]  # each passage cut into words once
        units, members = passage_units(stored, [len(w) for w in written])
        vectors = (
            np.asarray(refs.vectors(all_ids), np.float32) if all_ids.size else np.zeros((0, 0), np.float32)
        )
        dim = vectors.shape[1] if vectors.ndim == 2 and vectors.size else 0
        means = np.zeros((len(units), dim), np.float32)
        for row, rows in enumerate(members):
            if dim and rows:
                mean = vectors[list(rows)].mean(axis=0)
                norm = float(np.linalg.norm(mean))
                means[row] = mean / norm if norm > 0 else 0.0
        names = name_words(meta.cast) if meta is not None else frozenset()
        bags, surface = word_bags([[w for k in rows for w in written[k]] for rows in members], names)
        prose = not any(u.speakers for u in units)
        side = StorySide(units, means, tuple(bags), surface, prose, term_matrix(bags))
        kept[script_id] = side
    return side


# --- similarities -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 18)
def column_of(word: str) -> int:
    return zlib.crc32(word.encode("utf-8")) & ((1 << STORY_HASH_BITS) - 1)


def term_matrix(bags: Sequence[Counter[str]]) -> sparse.csr_matrix:
    """``1 + log tf`` of each unit's words in hashed columns (stable across runs: crc32)."""
    sizes = np.fromiter((len(bag) for bag in bags), np.int64, len(bags))
    total = int(sizes.sum())
    cols = np.fromiter((column_of(w) for bag in bags for w in bag), np.int64, total)
    counts = np.fromiter((c for bag in bags for c in bag.values()), np.float64, total)
    rows = np.repeat(np.arange(len(bags)), sizes)
    shape = (len(bags), 1 << STORY_HASH_BITS)
    return sparse.csr_matrix((1.0 + np.log(counts), (rows, cols)), shape=shape, dtype=np.float64)


def lexical_similarity(
    draft: sparse.csr_matrix, references: Sequence[sparse.csr_matrix]
) -> tuple[np.ndarray, dict[int, float]]:
    """Cosines of ``(1 + log tf) * idf`` rows, the IDF ``log((N + 1) / (df + 1)) + 1`` over the
    reference units; and the IDF of each column seen (for the shared words shown)."""
    stacked = sparse.vstack(references, format="csr")
    used, compact = np.unique(stacked.indices, return_inverse=True)
    ref = sparse.csr_matrix(
        (stacked.data, compact.ravel(), stacked.indptr), shape=(stacked.shape[0], used.size)
    )
    df = np.bincount(compact.ravel(), minlength=used.size)
    idf = np.log((ref.shape[0] + 1) / (df + 1.0)) + 1.0
    d = draft.tocoo()
    where = np.searchsorted(used, d.col)
    keep = (where < used.size) & (used[np.minimum(where, used.size - 1)] == d.col)
    dr = sparse.csr_matrix((d.data[keep], (d.row[keep], where[keep])), shape=(draft.shape[0], used.size))
    out = []
    for matrix in (dr, ref):
        weighted = sparse.csr_matrix(matrix.multiply(idf[None, :]))
        norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
        norms[norms == 0] = 1.0
        out.append(sparse.csr_matrix(sparse.diags(1.0 / norms) @ weighted))
    similarity = np.asarray((out[0] @ out[1].T).todense())
    return similarity, dict(zip(used.tolist(), idf.tolist(), strict=True))


def standardise(matrix: np.ndarray, background: np.ndarray) -> np.ndarray:
    """Each row's z-scores against its values in the ``background`` columns (all columns if none)."""
    base = matrix[:, background] if background.size >= 2 else matrix
    mean = base.mean(axis=1, keepdims=True)
    std = base.std(axis=1, keepdims=True)
    return np.asarray((matrix - mean) / np.maximum(std, 1e-6))


def centre_blocks(z: np.ndarray, columns: Sequence[tuple[int, int]]) -> np.ndarray:
    """Each draft unit's z-scores against one script, less their median over that script's units.

    A script written in the same idiom as the draft (the same translator, period or genre) is alike in
    every unit pair; only what stands out *within* the script is story. Without this, plays of one
    translator or one period chained from end to end: 12 of 46 innocent corpus plays reached medium,
    e.g. Murray's *Bacchae* -> Murray's *Agamemnon* at rarity 15."""
    out = z.copy()
    for lo, hi in columns:
        if hi > lo:
            out[:, lo:hi] -= np.median(z[:, lo:hi], axis=1, keepdims=True)
    return out


def terms(side: StorySide) -> sparse.csr_matrix:
    return side.tf if side.tf is not None else term_matrix(side.bags)
