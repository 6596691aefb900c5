"""Token alignment: where two token sequences share wording, verbatim or disguised.

``align(a, b)`` returns the passages of ``a`` and ``b`` that correspond, as ``Span`` objects with
half-open token ranges on both sides. It is a seed-and-extend aligner in the spirit of
Sanchez-Perez, Sidorov and Gelbukh (PAN 2014), working on tokens instead of sentences and
vectorised with numpy:

1. **Matches.** A match is a pair of positions ``(i, j)`` that is evidence of shared wording:
   either both lie inside a common run of ``ngram`` identical tokens (n-gram seeds: function words
   and masked names count here), or ``a[i]`` and ``b[j]`` are the same *content* word up to a light
   stemming (``develops``/``developing``); content words are neither stop words nor
   ``NAME_TOKEN`` and weigh at least 0.5. A word or n-gram giving more than ``max_pairs`` pairs is
   too common to be evidence and is skipped.
2. **Density.** A match is kept when it lies in a dense cell of the (a, b) plane, in one of two
   shapes (cells overlap by half): a *diagonal* cell ``window`` tokens long on ``a`` and ``band``
   diagonals (``j - i``) wide holding ``min_seed`` distinct matched positions on each side (copied
   text runs along a diagonal, drifting slowly with edits), or a *square* cell ``bag_window`` tokens a
   side in which at least ``bag_share`` of the content words of each side are matched (a passage
   whose words were shuffled or translated back and forth keeps its vocabulary, not its order).
   Scattered coincidences of common words are in neither.
3. **One-to-one.** Each position of ``a`` and of ``b`` keeps at most one match, the one with the most
   matches near it on its own diagonal: a copy of repetitive text (a list, a refrain) is aligned
   with its own original, not with every repetition. The density test is then applied again.
4. **Extension.** Kept matches are grouped by connectivity: two matches less than ``max_gap`` tokens
   apart on both sides are always in one group (two ``2 * max_gap`` or more apart on either side
   never directly). A group is one candidate passage pair. The grouping ignores order, so a passage
   whose sentences or speeches were shuffled stays one group, and a passage moved elsewhere is a
   group of its own.
5. **Validation.** A group's ranges run from its first to its last matched position on each side,
   extended over identical neighbouring tokens. Its *similarity* is the multiset Dice coefficient of
   the two token ranges (``2 * common tokens / (len_a + len_b)``, order-insensitive, so a shuffle is
   not a discount). Its *mass* is the number of distinct matched positions, each counted with its
   weight (``weights_a``/``weights_b``, default 1), the smaller side. A group whose two ranges hold
   identical token sequences is ``verbatim`` and needs a weighted length of ``min_verbatim``; any
   other is ``fuzzy`` and needs ``mass >= min_fuzzy`` and ``similarity >= min_similarity``. A fuzzy
   group that fails is regrouped with half the gap (down to ``min_gap``) before it is given up:
   loose chains of unrelated matches fall apart at smaller gaps, a copied passage does not. A group
   that is nothing but verbatim runs in another order (passages or speeches moved about: runs of
   ``min_verbatim`` covering ``RUNS_COVER`` of both ranges, not in the same order on both sides) is
   reported as those verbatim runs.
6. **Filtering.** Spans are accepted by decreasing mass; one that overlaps an accepted span by more
   than half of its own length on either side is dropped.

The output is sorted by ``(a_start, b_start, a_end, b_end)`` and depends only on the inputs and
parameters (no salted hashing, no randomness).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

import numpy as np

from simcheck.text.tokens import NAME_TOKEN

if TYPE_CHECKING:
    from simcheck.text.tokens import Token

VERBATIM = "verbatim"
FUZZY = "fuzzy"

# --- named defaults (tuned on samples of the PAN 2013 training corpus, see benchmarks/pan.py) ---
MIN_VERBATIM = 8  # weighted length a verbatim run needs
MIN_FUZZY = 12  # weighted matched positions a fuzzy span needs
MIN_SIMILARITY = 0.4  # multiset Dice a fuzzy span needs
NGRAM = 3  # length of the exact n-gram seeds (tokens)
WINDOW = 24  # length of a diagonal density cell along a (tokens)
BAND = 12  # width of a diagonal density cell across diagonals (tokens of drift between a and b)
MIN_SEED = 4  # distinct matched positions per side that make a diagonal cell dense
BAG_WINDOW = 48  # side of a square density cell (tokens)
BAG_SHARE = 0.15  # share of a square cell's content words (each side) that must be matched
MAX_GAP = 72  # matches closer than this on both sides are grouped into one passage (tokens)
MIN_GAP = 6  # smallest gap tried when a failing fuzzy group is regrouped
MAX_PAIRS = 400  # a word (or n-gram) giving more pairs than this is too common to be a seed
SUPPORT_REACH = 8  # how far along its diagonal a match looks for company (one-to-one step)
MAX_OVERLAP = 0.5  # share of a span that may overlap an already accepted span
RUNS_COVER = 0.9  # a group of verbatim runs out of order is reported run by run when they cover this share
CONTENT_WEIGHT = 0.5  # tokens weighing less never seed on their own
STEM_PREFIX = 7  # stems are cut to this many characters

# Function words (and a few archaic and filler ones common in scripts): never a seed on their own;
# they still count inside n-gram seeds.
_STOPWORDS_TEXT = """
    a about above after again against all am an and any are aren't as at be because been before being
    below between both but by can can't cannot could couldn't did didn't do does doesn't doing don't
    down during each few for from further had hadn't has hasn't have haven't having he he'd he'll
    he's her here here's hers herself him himself his how how's i i'd i'll i'm i've if in into is
    isn't it it's its itself let's me more most mustn't my myself no nor not of off on once only or
    other ought our ours ourselves out over own same shan't she she'd she'll she's should shouldn't
    so some such than that that's the their theirs them themselves then there there's these they
    they'd they'll they're they've this those through to too under until up very was wasn't we we'd
    we'll we're we've were weren't what what's when when's where where's which while who who's whom
    why why's will with won't would wouldn't you you'd you'll you're you've your yours yourself
    yourselves oh o ay yes yeah well now just thee thou thy thine hath doth shall upon us also may
    might must one said say says s t d ll m re ve
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_SUFFIXES = (
    "ational", "ization", "ations", "ation", "ments", "ment", "ness", "ings", "ing", "ies", "ied",
    "ers", "er", "ed", "es", "ly", "al", "s",
)  # fmt: skip
_HASH_MULT = np.uint64(0x9E3779B97F4A7C15)  # golden-ratio multiplier: a fixed, deterministic mix


@dataclass(frozen=True)
class Span:
    """Two corresponding passages: ``a[a_start:a_end]`` and ``b[b_start:b_end]`` (token indices).

    ``similarity`` is the multiset Dice coefficient of the two token ranges (1.0 for verbatim);
    ``matched`` the number of distinct matched token positions (the smaller side; the whole run for
    verbatim); ``mass`` the same count with each token's weight applied.
    """

    kind: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    matched: int = 0
    mass: float = 0.0

    @property
    def a_len(self) -> int:
        return self.a_end - self.a_start

    @property
    def b_len(self) -> int:
        return self.b_end - self.b_start


def align(
    a_tokens: Sequence[str],
    b_tokens: Sequence[str],
    *,
    weights_a: Sequence[float] | np.ndarray | None = None,
    weights_b: Sequence[float] | np.ndarray | None = None,
    min_verbatim: int = MIN_VERBATIM,
    min_fuzzy: int = MIN_FUZZY,
    min_similarity: float = MIN_SIMILARITY,
    ngram: int = NGRAM,
    window: int = WINDOW,
    band: int = BAND,
    min_seed: int = MIN_SEED,
    bag_window: int = BAG_WINDOW,
    bag_share: float = BAG_SHARE,
    max_gap: int = MAX_GAP,
    min_gap: int = MIN_GAP,
    max_pairs: int = MAX_PAIRS,
    stopwords: frozenset[str] = STOPWORDS,
) -> list[Span]:
    """The corresponding passages of ``a_tokens`` and ``b_tokens`` (see the module docstring).

    ``weights_a``/``weights_b`` give each token's evidential weight in [0, 1] (stock phrases weigh
    less): they discount a span's mass, and tokens under 0.5 never seed on their own. Set
    ``bag_window=0`` to switch off the square (shuffle-tolerant) density cells.
    """
    if min(ngram, window, band, min_seed, max_gap, min_gap, max_pairs) < 1:
        raise ValueError("ngram, window, band, min_seed, max_gap, min_gap and max_pairs must be positive")
    n_a, n_b = len(a_tokens), len(b_tokens)
    w_a = _weights(weights_a, n_a, "weights_a")
    w_b = _weights(weights_b, n_b, "weights_b")
    if n_a == 0 or n_b == 0:
        return []
    ids_a, ids_b, vocab = _encode(a_tokens, b_tokens)
    content = np.fromiter((w not in stopwords and w != NAME_TOKEN for w in vocab), bool, len(vocab))
    seed_a = content[ids_a] & (w_a >= CONTENT_WEIGHT)
    seed_b = content[ids_b] & (w_b >= CONTENT_WEIGHT)
    pa, pb = _matches(ids_a, ids_b, _stem_ids(vocab), seed_a, seed_b, ngram, max_pairs)

    def dense(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
        keep = _dense_diagonal(pa, pb, window, band, min_seed)
        if bag_window > 0:
            keep |= _dense_square(pa, pb, seed_a, seed_b, bag_window, bag_share, min_seed)
        return keep

    if pa.size < min_seed:
        return []
    keep = dense(pa, pb)
    pa, pb = pa[keep], pb[keep]
    if pa.size < min_seed:
        return []
    keep = _one_to_one(pa, pb)
    if not keep.all():
        pa, pb = pa[keep], pb[keep]
        keep = dense(pa, pb)
        pa, pb = pa[keep], pb[keep]
        if pa.size < min_seed:
            return []
    cw_a, cw_b = np.concatenate(([0.0], np.cumsum(w_a))), np.concatenate(([0.0], np.cumsum(w_b)))
    check = _Validator(
        ids_a, ids_b, w_a, w_b, min_verbatim, min_fuzzy, min_similarity, min_seed, min_gap, cw_a, cw_b
    )
    spans: list[Span] = []
    for group in _groups(pa, pb, max_gap):
        spans.extend(check(pa[group], pb[group], max_gap))
    return _filter(spans)


def span_offsets(
    span: Span, a_toks: Sequence[Token], b_toks: Sequence[Token]
) -> tuple[tuple[int, int], tuple[int, int]]:
    """Character offsets ``((a_start, a_end), (b_start, b_end))`` of a span, given the Token lists it was
    aligned from: from the start of its first token to the end of its last."""
    return (
        (a_toks[span.a_start].start, a_toks[span.a_end - 1].end),
        (b_toks[span.b_start].start, b_toks[span.b_end - 1].end),
    )


@lru_cache(maxsize=1 << 16)
def stem(word: str) -> str:
    """A light, deterministic English stemmer for seeding: one common suffix off (keeping at least
    three letters), then at most ``STEM_PREFIX`` characters: ``developing``, ``development`` ->
    ``develop``."""
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            word = word[: -len(suffix)]
            break
    return word[:STEM_PREFIX]


# --- matches --------------------------------------------------------------------------------


def _weights(weights: Sequence[float] | np.ndarray | None, n: int, name: str) -> np.ndarray:
    if weights is None:
        return np.ones(n, dtype=np.float64)
    arr = np.asarray(weights, dtype=np.float64)
    if arr.shape != (n,):
        raise ValueError(f"{name} has {arr.size} values for {n} tokens")
    if n and (not bool(np.all(np.isfinite(arr))) or arr.min() < 0.0 or arr.max() > 1.0):
        raise ValueError(f"{name} must lie in [0, 1]")
    return arr


def _encode(a: Sequence[str], b: Sequence[str]) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Integer ids for the tokens of both sequences (ids in order of first appearance)."""
    table: dict[str, int] = {}
    ids_a = np.fromiter((table.setdefault(t, len(table)) for t in a), np.int64, len(a))
    ids_b = np.fromiter((table.setdefault(t, len(table)) for t in b), np.int64, len(b))
    return ids_a, ids_b, list(table)


def _stem_ids(vocab: list[str]) -> np.ndarray:
    """For each vocabulary id, the id of its stem (equal stems, equal ids)."""
    table: dict[str, int] = {}
    return np.fromiter((table.setdefault(stem(w), len(table)) for w in vocab), np.int64, len(vocab))


def _ngram_keys(ids: np.ndarray, n: int) -> np.ndarray:
    """A 64-bit key per n-gram start (``len(ids) - n + 1`` keys); equal n-grams have equal keys."""
    key = np.zeros(len(ids) - n + 1, dtype=np.uint64)
    for t in range(n):
        key = key * _HASH_MULT + ids[t : len(ids) - n + 1 + t].astype(np.uint64) + np.uint64(1)
    return key


def _pairs(keys_a: np.ndarray, keys_b: np.ndarray, max_pairs: int) -> tuple[np.ndarray, np.ndarray]:
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


def _matches(
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
    pa, pb = _pairs(keys_a, keys_b, max_pairs)
    found_a, found_b = [pa], [pb]
    if len(ids_a) >= ngram and len(ids_b) >= ngram:
        ga, gb = _pairs(_ngram_keys(ids_a, ngram), _ngram_keys(ids_b, ngram), max_pairs)
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
    code = _unique(pa * width + pb)
    return code // width, code % width


# --- density and one-to-one -----------------------------------------------------------------


def _dense_diagonal(pa: np.ndarray, pb: np.ndarray, window: int, band: int, min_seed: int) -> np.ndarray:
    """Mask of the matches in at least one diagonal cell holding ``min_seed`` distinct positions per side."""
    step, dstep = max(1, window // 2), max(1, band // 2)
    diag = pb - pa + np.int64(pa.max()) + 1  # >= 1
    ca, cd = pa // step + 1, diag // dstep + 1  # shifted so that every cell number below is >= 0
    ncd = np.int64(cd.max()) + 1
    keep = np.zeros(pa.size, dtype=bool)
    for da in (0, 1):
        for dd in (0, 1):
            cell = (ca - da) * ncd + (cd - dd)
            keep |= (_distinct(cell, pa, cell) >= min_seed) & (_distinct(cell, pb, cell) >= min_seed)
    return keep


def _dense_square(
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
            got_a = _distinct(cell[ok_a], pa[ok_a], cell)
            got_b = _distinct(cell[ok_b], pb[ok_b], cell)
            keep |= (got_a >= np.maximum(share * words_a, least)) & (
                got_b >= np.maximum(share * words_b, least)
            )
    return keep


def _distinct(cells: np.ndarray, pos: np.ndarray, query: np.ndarray) -> np.ndarray:
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


def _one_to_one(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
    """Mask of matches that use each position of a and of b at most once, preferring the matches with
    the most company within ``SUPPORT_REACH`` tokens on their own and the two next diagonals."""
    reach = SUPPORT_REACH
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


# --- grouping, validation, filtering --------------------------------------------------------


def _groups(pa: np.ndarray, pb: np.ndarray, gap: int) -> list[np.ndarray]:
    """Match indices grouped by connectivity: matches in the same or in neighbouring ``gap`` x ``gap``
    cells are joined, so two matches closer than ``gap`` on both sides always share a group."""
    cx, cy = pa // gap, pb // gap + 1
    ncy = np.int64(cy.max()) + 2
    key = cx * ncy + cy
    order = np.argsort(key, kind="stable")
    new = np.concatenate(([True], np.diff(key[order]) != 0))
    cells = key[order][new]
    point_cell = np.empty(key.size, dtype=np.int64)
    point_cell[order] = np.cumsum(new) - 1
    us: list[np.ndarray] = []
    vs: list[np.ndarray] = []
    for dx, dy in ((0, 1), (1, -1), (1, 0), (1, 1)):
        target = cells + dx * ncy + dy
        pos = np.clip(np.searchsorted(cells, target), 0, cells.size - 1)
        hit = cells[pos] == target
        us.append(np.flatnonzero(hit))
        vs.append(pos[hit])
    labels = _components(cells.size, np.concatenate(us), np.concatenate(vs))[point_cell]
    order = np.argsort(labels, kind="stable")
    groups = np.split(order, np.flatnonzero(np.diff(labels[order])) + 1)
    groups.sort(key=lambda g: (int(pa[g].min()), int(pb[g].min())))
    return groups


def _components(n: int, u: np.ndarray, v: np.ndarray) -> np.ndarray:
    """Connected-component labels (the smallest node of each component) of an undirected graph."""
    labels = np.arange(n)
    while u.size:
        lu, lv = labels[u], labels[v]
        if np.array_equal(lu, lv):
            break
        np.minimum.at(labels, np.maximum(lu, lv), np.minimum(lu, lv))
        while True:  # pointer jumping: every node straight to its root
            jumped = labels[labels]
            if np.array_equal(jumped, labels):
                break
            labels = jumped
    return labels


@dataclass(frozen=True)
class _Validator:
    ids_a: np.ndarray
    ids_b: np.ndarray
    w_a: np.ndarray
    w_b: np.ndarray
    min_verbatim: int
    min_fuzzy: int
    min_similarity: float
    min_seed: int
    min_gap: int
    cw_a: np.ndarray  # cumulative weights, with a leading 0
    cw_b: np.ndarray

    def __call__(self, pa: np.ndarray, pb: np.ndarray, gap: int) -> list[Span]:
        """Spans from one group of matches; a failing fuzzy group is regrouped at half the gap."""
        ua, ub = _unique(pa), _unique(pb)
        if min(ua.size, ub.size) < self.min_seed:
            return []
        mass = min(float(self.w_a[ua].sum()), float(self.w_b[ub].sum()))
        if mass < min(self.min_verbatim, self.min_fuzzy):
            return []
        a0, a1, b0, b1 = self._extend(int(ua[0]), int(ua[-1]) + 1, int(ub[0]), int(ub[-1]) + 1)
        ra, rb = self.ids_a[a0:a1], self.ids_b[b0:b1]
        if ra.size == rb.size and bool(np.array_equal(ra, rb)):
            full = min(float(self.w_a[a0:a1].sum()), float(self.w_b[b0:b1].sum()))
            if full >= self.min_verbatim:
                return [Span(VERBATIM, a0, a1, b0, b1, 1.0, int(ra.size), full)]
            return []
        runs = self._reordered_runs(pa, pb, a1 - a0, b1 - b0)
        if runs:
            return runs
        similarity = _dice(ra, rb)
        if mass >= self.min_fuzzy and similarity >= self.min_similarity:
            return [Span(FUZZY, a0, a1, b0, b1, similarity, int(min(ua.size, ub.size)), mass)]
        if gap // 2 < self.min_gap:
            return []
        out: list[Span] = []
        for group in _groups(pa, pb, gap // 2):
            out.extend(self(pa[group], pb[group], gap // 2))
        return out

    def _reordered_runs(self, pa: np.ndarray, pb: np.ndarray, len_a: int, len_b: int) -> list[Span]:
        """The group as verbatim runs, when it is nothing but verbatim runs in another order (passages
        or speeches moved about): then each run is better evidence than one fuzzy span. Otherwise []."""
        same = self.ids_a[pa] == self.ids_b[pb]
        pa, pb = pa[same], pb[same]
        if pa.size < 2:
            return []
        diag = pb - pa
        order = np.lexsort((pa, diag))
        diag, pa, pb = diag[order], pa[order], pb[order]
        cuts = np.flatnonzero((np.diff(diag) != 0) | (np.diff(pa) != 1)) + 1
        first = np.concatenate(([0], cuts))
        last = np.concatenate((cuts, [pa.size])) - 1
        a0, a1, b0 = pa[first], pa[last] + 1, pb[first]
        weight = np.minimum(self.cw_a[a1] - self.cw_a[a0], self.cw_b[b0 + (a1 - a0)] - self.cw_b[b0])
        long = weight >= self.min_verbatim
        if int(long.sum()) < 2:
            return []
        a0, a1, b0 = a0[long], a1[long], b0[long]
        by_a = np.argsort(a0, kind="stable")
        cover = int((a1 - a0).sum())
        if bool(np.all(np.diff(b0[by_a]) > 0)) or cover < RUNS_COVER * len_a or cover < RUNS_COVER * len_b:
            return []  # in the same order on both sides (edits, not moves), or more than runs
        runs: dict[int, Span] = {}
        for x0, x1, y0 in zip(a0[by_a].tolist(), a1[by_a].tolist(), b0[by_a].tolist(), strict=True):
            e0, e1, f0, f1 = self._extend(x0, x1, y0, y0 + (x1 - x0))
            full = min(float(self.cw_a[e1] - self.cw_a[e0]), float(self.cw_b[f1] - self.cw_b[f0]))
            runs.setdefault(e0, Span(VERBATIM, e0, e1, f0, f1, 1.0, e1 - e0, full))
        return sorted(runs.values(), key=lambda r: (r.a_start, r.b_start))

    def _extend(self, a0: int, a1: int, b0: int, b1: int) -> tuple[int, int, int, int]:
        """Grow the ranges over identical tokens just before and just after them."""
        ids_a, ids_b = self.ids_a, self.ids_b
        while a0 > 0 and b0 > 0 and ids_a[a0 - 1] == ids_b[b0 - 1]:
            a0 -= 1
            b0 -= 1
        while a1 < ids_a.size and b1 < ids_b.size and ids_a[a1] == ids_b[b1]:
            a1 += 1
            b1 += 1
        return a0, a1, b0, b1


def _unique(values: np.ndarray) -> np.ndarray:
    """The sorted distinct values of an integer array (a sort, cheaper here than ``np.unique``)."""
    out = np.sort(values)
    if out.size:
        out = out[np.concatenate(([True], out[1:] != out[:-1]))]
    return out


def _dice(ra: np.ndarray, rb: np.ndarray) -> float:
    """Multiset Dice coefficient of two id arrays: the order-insensitive share of common tokens."""
    ua, ca = np.unique(ra, return_counts=True)
    ub, cb = np.unique(rb, return_counts=True)
    _, ia, ib = np.intersect1d(ua, ub, assume_unique=True, return_indices=True)
    common = int(np.minimum(ca[ia], cb[ib]).sum())
    return 2.0 * common / (ra.size + rb.size)


def _filter(spans: list[Span]) -> list[Span]:
    """Drop spans mostly inside a heavier accepted span (on either side); sort the rest."""
    ranked = sorted(spans, key=lambda s: (-s.mass, -s.similarity, s.a_start, s.b_start, s.a_end, s.b_end))
    box = np.zeros((len(ranked), 4), dtype=np.int64)  # a_start, a_end, b_start, b_end of accepted spans
    accepted: list[Span] = []
    for span in ranked:
        k = len(accepted)
        over_a = np.minimum(box[:k, 1], span.a_end) - np.maximum(box[:k, 0], span.a_start)
        over_b = np.minimum(box[:k, 3], span.b_end) - np.maximum(box[:k, 2], span.b_start)
        if k and (over_a.max() > MAX_OVERLAP * span.a_len or over_b.max() > MAX_OVERLAP * span.b_len):
            continue
        box[k] = (span.a_start, span.a_end, span.b_start, span.b_end)
        accepted.append(span)
    return sorted(accepted, key=lambda s: (s.a_start, s.b_start, s.a_end, s.b_end, s.kind))
