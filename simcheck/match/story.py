"""Story proximity: the same plot, characters and order of events, told in other words.

``judge_story`` aligns the draft's story units (``simcheck.text.units``) with the scenes of candidate
references found through the index, scores each chain against unrelated references, and infers which
draft character plays which reference character from the structure of the aligned story.

The method, stage by stage (constants in ``simcheck.settings``, ``STORY_*``):

1. **Unit features, names masked.** (a) A vector per unit: the mean of the stored embeddings of the
   passages inside it (the draft's own passage vectors, the index's for references): nothing is
   embedded at compare time and the index format is unchanged. (b) A bag of content words: folded,
   lightly stemmed (``seeds.stem``), stop words, numbers and character names dropped (a screenplay's
   cast; in prose the name-like words of ``units.prose_names``), weighted ``(1 + log tf) * idf`` with
   the IDF over the reference units loaded for this comparison.
2. **Candidates through the index**, never all pairs: each draft unit vector is searched among the
   passages (``search_semantic``); every script gets, per unit, its best cosine above the unit's
   ``STORY_NEIGHBOURS``-th, summed over units; the top ``STORY_CANDIDATES`` scripts are aligned, plus
   the scripts the other layers matched (``also``).
3. **Background**: ``STORY_BACKGROUND`` scripts, a content-keyed sample (the smallest keyed hashes of
   their sha256) of all the references but the draft itself, so the cost does not grow with the
   references. Each draft unit's similarities are turned into z-scores against the background's units
   (a unit about a generic trope, a wedding, a duel, is similar to everything and gets no credit for
   it); the two features' z-scores are averaged (weight ``STORY_VECTOR_WEIGHT``: the content words carry
   most of it, see settings) and standardised again; then, per script, each draft unit's median z over
   that script is subtracted (``centre_blocks``: same idiom is not same story).
4. **Order-aware local alignment** (Smith-Waterman with condensation) over ``min(z, STORY_Z_CAP) -
   STORY_OFFSET``: a chain links draft units to reference units in the same order; a draft unit may
   tell several consecutive reference units and the reverse (``STORY_CONDENSE`` each extra link),
   units skipped cost ``STORY_SKIP_DRAFT`` / ``STORY_SKIP_REFERENCE`` each. Only cells above the offset
   add, and one cell adds at most ``STORY_Z_CAP - STORY_OFFSET``: many weak links in order add up, one
   shared trope stays small.
5. **Rarity**: the draft is aligned with every background script in the same pass; an exponential tail
   (``rarity.Tail``, decay at least ``STORY_MIN_BETA``) is fitted to their chain scores (a script is never
   in its own null, so a small index can use all its other scripts), and a chain's
   rarity is ``-log10(chance * live references)`` (the chance that an unrelated script aligns this well,
   for all the references searched): the scale, and so the levels, of every other match. Too few
   background scripts (``STORY_MIN_BACKGROUND``; pairwise comparison, a tiny index) use the shipped
   tail measured on the corpus (``STORY_DEFAULT_TAIL``).
6. **Characters from structure**: along the chain, the presence profiles of draft and reference
   characters (their shares of each linked unit) are compared (``cast_pairs``); pairs are assigned
   one-to-one, most alike first. Names are never compared.
"""

from __future__ import annotations

import functools
import hashlib
import math
import weakref
import zlib
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from simcheck.match.draft import Probe, ReferenceCache
from simcheck.match.rarity import Calibration, Tail
from simcheck.match.seeds import stem
from simcheck.model import Script
from simcheck.search.references import References
from simcheck.settings import (
    MAX_RARITY,
    STORY_BACKGROUND,
    STORY_CANDIDATES,
    STORY_CAST_MIN_SUPPORT,
    STORY_CONDENSE,
    STORY_DEFAULT_TAIL,
    STORY_HASH_BITS,
    STORY_MAX_SHARED,
    STORY_MIN_BACKGROUND,
    STORY_MIN_BETA,
    STORY_NEIGHBOURS,
    STORY_OFFSET,
    STORY_SKIP_DRAFT,
    STORY_SKIP_REFERENCE,
    STORY_VECTOR_WEIGHT,
    STORY_Z_CAP,
    CompareSettings,
)
from simcheck.text.tokens import STOPWORDS, WORD, fold, name_words
from simcheck.text.units import StoryUnit, is_prose, passage_units, prose_names, story_units

_SAMPLE_KEY = b"simcheck-story-background"
_BIG = 1.0e6  # separates the scripts' columns in the vectorised alignment (far above any score)


@dataclass(frozen=True)
class StoryPair:
    """One link of an aligned chain: a draft unit and the reference unit (scene or beat) it tells."""

    unit: StoryUnit  # of the draft
    reference_unit: StoryUnit  # of the reference
    similarity: float  # in [0, 1]: how alike their content is with names masked
    shared: tuple[str, ...]  # the content words both share, most telling first


@dataclass(frozen=True)
class CastPair:
    """A draft character inferred to play a reference character, from the aligned story."""

    draft: str
    reference: str
    support: int  # chain links where both are present
    share: float  # in [0, 1]: support / links where either is present


@dataclass(frozen=True)
class StoryResult:
    """The story finding of one reference script (no level yet: the report gives it)."""

    script_id: int
    rarity: float  # -log10 chance that an unrelated reference aligns this well, for all references tested
    chain: tuple[StoryPair, ...]  # in draft order
    characters: tuple[CastPair, ...]
    units: int  # story units of the draft
    prose: bool  # the draft was cut as prose
    coverage: float  # share of the draft's words in units on the chain
    reference_coverage: float  # share of the reference's words in scenes on the chain
    score: float = 0.0  # the chain's alignment score (z units above the offset, less gaps)


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
    surface: dict[str, str] = {}
    bags: list[Counter[str]] = []
    for text in texts:
        keys = []
        for word in WORD.findall(text):
            key, base = _word_key(word)
            if key is None or (names and base in names and word[:1].isupper()):
                continue
            keys.append(key)
            if key not in surface:
                surface[key] = base
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
        units, members = passage_units(stored)
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
        bags, surface = content_bags([u.text for u in units], names)
        prose = not any(u.speakers for u in units)
        side = StorySide(units, means, tuple(bags), surface, prose, term_matrix(bags))
        kept[script_id] = side
    return side


# --- candidates and background ---------------------------------------------------------------------


def story_candidates(draft: StorySide, references: References, exclude: frozenset[int]) -> list[int]:
    """The scripts whose passages lie nearest the draft's unit vectors, best first (see the module)."""
    live = (
        np.flatnonzero(np.linalg.norm(draft.vectors, axis=1) > 0) if draft.vectors.size else np.zeros(0, int)
    )
    if live.size == 0 or references.n_passages == 0:
        return []
    k = min(references.n_passages, STORY_NEIGHBOURS)
    sims, ids = references.search_semantic(draft.vectors[live], k)
    wanted = np.unique(ids[ids >= 0])
    script_of = dict(zip(wanted.tolist(), (p.script_id for p in references.passages(wanted)), strict=True))
    votes: dict[int, float] = {}
    for row in range(ids.shape[0]):
        valid = ids[row] >= 0
        if not valid.any():
            continue
        floor = float(sims[row][valid].min())
        best: dict[int, float] = {}
        for sim, pid in zip(sims[row][valid].tolist(), ids[row][valid].tolist(), strict=True):
            script_id = script_of[pid]
            if script_id not in exclude and sim > best.get(script_id, floor):
                best[script_id] = sim
        for script_id, sim in best.items():
            votes[script_id] = votes.get(script_id, 0.0) + sim - floor
    return [s for s, _v in sorted(votes.items(), key=lambda item: (-item[1], item[0]))]


def background_sample(references: References, skip: set[int], count: int) -> list[int]:
    """``count`` scripts outside ``skip``: those with the smallest keyed hash of their content."""

    def key(sha: str, script_id: int) -> bytes:
        return hashlib.blake2b(f"{sha}:{script_id if not sha else ''}".encode(), key=_SAMPLE_KEY).digest()

    ranked = sorted((key(s.sha256, s.id), s.id) for s in references.scripts() if s.id not in skip)
    return [script_id for _key, script_id in ranked[:count]]


# --- similarities -----------------------------------------------------------------------------------


@functools.lru_cache(maxsize=1 << 18)
def column_of(word: str) -> int:
    return zlib.crc32(word.encode("utf-8")) & ((1 << STORY_HASH_BITS) - 1)


def term_matrix(bags: Sequence[Counter[str]]) -> sparse.csr_matrix:
    """``1 + log tf`` of each unit's words in hashed columns (stable across runs: crc32)."""
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    for r, bag in enumerate(bags):
        for word, count in bag.items():
            rows.append(r)
            cols.append(column_of(word))
            vals.append(1.0 + math.log(count))
    shape = (len(bags), 1 << STORY_HASH_BITS)
    return sparse.csr_matrix((vals, (rows, cols)), shape=shape, dtype=np.float64)


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


# --- alignment ------------------------------------------------------------------------------------


def align_all(scores: np.ndarray, segment: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Local alignment of the draft units (rows) with every script's units (columns, ``segment`` id per
    column, a script's columns contiguous), all scripts at once. Returns ``H`` (best chain ending at
    each cell) and ``B`` (best chain ending at or before it, less the skips to it).

    ``H[i, j] = max(0, M[i, j] + max(0, B[i-1, j-1], H[i-1, j] - c, H[i, j-1] - c))`` and
    ``B[i, j] = max(H[i, j], B[i-1, j] - skip_draft, B[i, j-1] - skip_reference)``: both row
    recursions are running maxima (``np.maximum.accumulate``), kept within a script by adding
    ``_BIG`` times its segment id (columns of a later script always win over an earlier one's)."""
    n, m = scores.shape
    h = np.zeros((n, m))
    b = np.zeros((n, m))
    if n == 0 or m == 0:
        return h, b
    idx = np.arange(m, dtype=np.float64)
    lift = segment.astype(np.float64) * _BIG
    first = np.ones(m, dtype=bool)
    first[1:] = segment[1:] != segment[:-1]
    h_prev = np.zeros(m)
    b_prev = np.zeros(m)
    for i in range(n):
        row = scores[i]
        diagonal = np.zeros(m)
        diagonal[1:] = b_prev[:-1]
        diagonal[first] = 0.0
        start = row + np.maximum(np.maximum(0.0, diagonal), h_prev - STORY_CONDENSE)
        d = np.maximum(start, 0.0)
        # x_j = max(d_j, x_{j-1} + a_j), a_j = row_j - c: x = P + cummax(d - P) with P the cumsum of a,
        # restarted at each script's first column
        a = row - STORY_CONDENSE
        a_first = np.where(first, 0.0, a)
        p = np.cumsum(a_first)
        p_start = np.maximum.accumulate(np.where(first, idx, 0.0)).astype(np.int64)
        p = p - p[p_start]
        h_row = p + np.maximum.accumulate(d - p + lift) - lift
        e = np.maximum(h_row, b_prev - STORY_SKIP_DRAFT)
        b_row = (
            np.maximum.accumulate(e + STORY_SKIP_REFERENCE * idx + lift) - lift - STORY_SKIP_REFERENCE * idx
        )
        h[i], b[i] = h_row, b_row
        h_prev, b_prev = h_row, b_row
    return h, b


def traceback(h: np.ndarray, b: np.ndarray, scores: np.ndarray, lo: int, hi: int) -> list[tuple[int, int]]:
    """The cells (draft unit, column) of the best chain within columns ``[lo, hi)``, in order."""
    block = h[:, lo:hi]
    if block.size == 0 or block.max() <= 0:
        return []
    flat = int(np.argmax(block))
    i, j = divmod(flat, block.shape[1])
    j += lo
    cells = [(i, j)]
    tol = 1e-6
    while True:
        value = h[i, j] - scores[i, j]
        if value <= tol:
            break
        if i > 0 and j > lo and abs(b[i - 1, j - 1] - value) <= tol:
            # the cell behind B[i-1, j-1]: H[i', j'] - skips == B
            ii = np.arange(i)[:, None]
            jj = np.arange(lo, j)[None, :]
            reach = h[:i, lo:j] - STORY_SKIP_DRAFT * (i - 1 - ii) - STORY_SKIP_REFERENCE * (j - 1 - jj)
            found = np.argwhere(np.abs(reach - value) <= tol)
            if found.size == 0 or h[found[-1][0], found[-1][1] + lo] <= tol:
                break
            i, j = int(found[-1][0]), int(found[-1][1]) + lo
        elif i > 0 and abs(h[i - 1, j] - STORY_CONDENSE - value) <= tol:
            i -= 1
        elif j > lo and abs(h[i, j - 1] - STORY_CONDENSE - value) <= tol:
            j -= 1
        else:
            break
        cells.append((i, j))
    return cells[::-1]


# --- characters -----------------------------------------------------------------------------------


def cast_pairs(links: Sequence[tuple[StoryUnit, StoryUnit]]) -> tuple[CastPair, ...]:
    """Draft character -> reference character from co-presence along the chain.

    Each character has a presence profile over the chain's links (its share of each unit: speech, or
    name mentions in prose); a pair's score is the cosine of the two profiles, so the protagonists
    present in every link pair up, and a minor character pairs with the one present in the same few
    links. (Subtracting the co-presence expected by chance, tried first, cancelled the protagonists:
    on the renamed Hamlet retelling it paired the prince with Claudius.) Pairs present together in at
    least ``STORY_CAST_MIN_SUPPORT`` links are assigned one-to-one, best first. Names are never read."""
    together: dict[tuple[str, str], float] = {}
    draft_norm: dict[str, float] = {}
    reference_norm: dict[str, float] = {}
    support: Counter[tuple[str, str]] = Counter()
    either_d: Counter[str] = Counter()
    either_r: Counter[str] = Counter()
    for unit, ref in links:
        for d, wd in zip(unit.speakers, unit.presence, strict=False):
            draft_norm[d] = draft_norm.get(d, 0.0) + wd * wd
            either_d[d] += 1
            for r, wr in zip(ref.speakers, ref.presence, strict=False):
                together[(d, r)] = together.get((d, r), 0.0) + wd * wr
                support[(d, r)] += 1
        for r, wr in zip(ref.speakers, ref.presence, strict=False):
            reference_norm[r] = reference_norm.get(r, 0.0) + wr * wr
            either_r[r] += 1
    scored = []
    for (d, r), value in together.items():
        if support[(d, r)] >= STORY_CAST_MIN_SUPPORT:
            cosine = value / math.sqrt(draft_norm[d] * reference_norm[r])
            scored.append((cosine, d, r))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    out: list[CastPair] = []
    used_d: set[str] = set()
    used_r: set[str] = set()
    for _cosine, d, r in scored:
        if d in used_d or r in used_r:
            continue
        used_d.add(d)
        used_r.add(r)
        both = support[(d, r)]
        either = either_d[d] + either_r[r] - both
        out.append(CastPair(d, r, both, both / either if either else 0.0))
    out.sort(key=lambda pair: (-pair.support, -pair.share, pair.draft))
    return tuple(out)


# --- the judge -----------------------------------------------------------------------------------


def judge_story(
    probe: Probe,
    references: References,
    cache: ReferenceCache,
    calibration: Calibration,
    settings: CompareSettings,
    also: Iterable[int] = (),
) -> dict[int, StoryResult]:
    """Story findings of ``probe`` by reference script id; ``also``: script ids to consider besides
    the candidates the index proposes (those with lexical or semantic matches)."""
    draft = draft_side(probe)
    if not draft.units:
        return {}
    exclude = probe.exclude_scripts
    known = {s.id for s in references.scripts()}
    ranked = story_candidates(draft, references, exclude)
    candidates = ranked[:STORY_CANDIDATES]
    for script_id in sorted(set(also)):
        if script_id in known and script_id not in exclude and script_id not in candidates:
            candidates.append(script_id)
    if not candidates:
        return {}
    background = background_sample(references, set(exclude), STORY_BACKGROUND)
    scripts = candidates + [s for s in background if s not in set(candidates)]
    sides = [reference_side(cache, s) for s in scripts]
    keep = [k for k, side in enumerate(sides) if side.units]
    scripts = [scripts[k] for k in keep]
    sides = [sides[k] for k in keep]
    if not scripts:
        return {}
    is_background = np.asarray([s in set(background) for s in scripts], dtype=bool)
    scores, segment, columns, idf = similarity_matrix(draft, sides, is_background)
    h, b = align_all(scores, segment)
    best = np.zeros(len(scripts))
    if h.size:
        np.maximum.at(best, segment, h.max(axis=0))
    live = max(1, len(known - set(exclude)))
    out: dict[int, StoryResult] = {}
    for k, script_id in enumerate(scripts):
        if script_id not in candidates or best[k] <= 0:
            continue
        others = is_background.copy()
        others[k] = False  # a script is never part of its own null
        rarity = chain_rarity(float(best[k]), best[others], live)
        lo, hi = columns[k]
        cells = traceback(h, b, scores, lo, hi)
        out[script_id] = result_of(script_id, rarity, float(best[k]), cells, lo, draft, sides[k], scores, idf)
    return out


def chain_rarity(score: float, null: np.ndarray, live: int) -> float:
    """-log10 of the chance that one of ``live`` unrelated scripts aligns with the draft at least as
    well: the tail of the background's chain scores ``null`` (or the shipped one when too few)."""
    tail = Tail.of(null, STORY_MIN_BETA) if null.size >= STORY_MIN_BACKGROUND else default_tail()
    chance = tail.chance(score) * live
    if chance >= 1.0:
        return 0.0
    return MAX_RARITY if chance <= 0 else min(MAX_RARITY, -math.log10(chance))


def default_tail() -> Tail:
    u, share, beta = STORY_DEFAULT_TAIL
    return Tail((u,), STORY_MIN_BETA, u, share, max(beta, STORY_MIN_BETA))


def terms(side: StorySide) -> sparse.csr_matrix:
    return side.tf if side.tf is not None else term_matrix(side.bags)


def similarity_matrix(
    draft: StorySide, sides: Sequence[StorySide], is_background: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], dict[int, float]]:
    """The alignment scores ``min(z, cap) - offset`` (draft units x all reference units), the script
    index of each column and each script's column range."""
    columns: list[tuple[int, int]] = []
    start = 0
    for side in sides:
        columns.append((start, start + len(side.units)))
        start += len(side.units)
    segment = np.concatenate([np.full(len(side.units), k, np.int64) for k, side in enumerate(sides)])
    background_cols = np.flatnonzero(is_background[segment])
    dim = draft.vectors.shape[1]
    ref_vectors = np.concatenate(
        [
            side.vectors if side.vectors.shape[1] == dim else np.zeros((len(side.units), dim), np.float32)
            for side in sides
        ]
    )
    vector_sim = draft.vectors.astype(np.float64) @ ref_vectors.astype(np.float64).T
    lexical_sim, idf = lexical_similarity(terms(draft), [terms(side) for side in sides])
    combined = STORY_VECTOR_WEIGHT * standardise(vector_sim, background_cols) + (
        1.0 - STORY_VECTOR_WEIGHT
    ) * standardise(lexical_sim, background_cols)
    z = centre_blocks(standardise(combined, background_cols), columns)
    return np.minimum(z, STORY_Z_CAP) - STORY_OFFSET, segment, columns, idf


def result_of(
    script_id: int,
    rarity: float,
    score: float,
    cells: list[tuple[int, int]],
    lo: int,
    draft: StorySide,
    side: StorySide,
    scores: np.ndarray,
    idf: dict[int, float],
) -> StoryResult:
    chain: list[StoryPair] = []
    for i, j in cells:
        unit, ref = draft.units[i], side.units[j - lo]
        z = scores[i, j] + STORY_OFFSET
        chain.append(
            StoryPair(
                unit,
                ref,
                float(min(1.0, max(0.0, z / STORY_Z_CAP))),
                shared_words(draft.bags[i], side.bags[j - lo], draft.surface, idf),
            )
        )
    draft_words = sum(u.words for u in draft.units) or 1
    ref_words = sum(u.words for u in side.units) or 1
    covered = {i for i, _ in cells}
    ref_covered = {j - lo for _, j in cells}
    return StoryResult(
        script_id=script_id,
        rarity=rarity,
        chain=tuple(chain),
        characters=cast_pairs([(p.unit, p.reference_unit) for p in chain]),
        units=len(draft.units),
        prose=draft.prose,
        coverage=sum(draft.units[i].words for i in covered) / draft_words,
        reference_coverage=sum(side.units[j].words for j in ref_covered) / ref_words,
        score=score,
    )


def shared_words(
    a: Counter[str], b: Counter[str], surface: dict[str, str], idf: dict[int, float]
) -> tuple[str, ...]:
    """The content words of both bags, rarest among the reference units first (ties: more often)."""
    common = sorted(
        (w for w in a if w in b), key=lambda w: (-idf.get(column_of(w), 0.0), -min(a[w], b[w]), w)
    )
    return tuple(surface.get(w, w) for w in common[:STORY_MAX_SHARED])


__all__ = ["CastPair", "StoryPair", "StoryResult", "judge_story"]
