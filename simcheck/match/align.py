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
   other needs ``mass >= min_fuzzy`` and ``similarity >= min_similarity``; it is ``fuzzy`` (the same
   words lightly edited) when at least ``FUZZY_MIN_RUN_SHARE`` of its two ranges lie in common runs of
   ``ngram`` tokens or more, in the same order on both sides (``in_order_share``: the longest common
   subsequence of the two token-id sequences, by rapidfuzz), else ``reworded`` (the same vocabulary in
   other sentences: a paraphrase, a shuffle, a re-translation; the report shows it as semantic). A fuzzy
   group that fails is regrouped with half the gap (down to ``min_gap``) before it is given up:
   loose chains of unrelated matches fall apart at smaller gaps, a copied passage does not. A group
   that is nothing but verbatim runs in another order (passages or speeches moved about: runs of
   ``min_verbatim`` covering ``ALIGN_RUNS_COVER`` of both ranges, not in the same order on both sides) is
   reported as those verbatim runs.
6. **Filtering.** Spans are accepted by decreasing mass; one that overlaps an accepted span by more
   than half of its own length on either side is dropped.

The output is sorted by ``(a_start, b_start, a_end, b_end)`` and depends only on the inputs and
parameters (no salted hashing, no randomness).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.match.runs import in_order_share
from simcheck.match.seeds import (
    dense_diagonal,
    dense_square,
    encode,
    matches,
    one_to_one,
    stem_ids,
    unique,
)
from simcheck.settings import (
    ALIGN_BAG_SHARE,
    ALIGN_BAG_WINDOW,
    ALIGN_BAND,
    ALIGN_CONTENT_WEIGHT,
    ALIGN_MAX_GAP,
    ALIGN_MAX_OVERLAP,
    ALIGN_MAX_PAIRS,
    ALIGN_MIN_GAP,
    ALIGN_MIN_SEED,
    ALIGN_MIN_SIMILARITY,
    ALIGN_NGRAM,
    ALIGN_RUNS_COVER,
    ALIGN_WINDOW,
    FUZZY_MIN_RUN_SHARE,
    MIN_FUZZY_TOKENS,
    MIN_VERBATIM_TOKENS,
)
from simcheck.text.tokens import NAME_TOKEN, STOPWORDS, Token

VERBATIM = "verbatim"
FUZZY = "fuzzy"
REWORDED = "reworded"


@dataclass(frozen=True)
class Span:
    """Two corresponding passages: ``a[a_start:a_end]`` and ``b[b_start:b_end]`` (token indices).

    ``similarity`` is the multiset Dice coefficient of the two token ranges (1.0 for verbatim);
    ``matched`` the number of distinct matched token positions (the smaller side; the whole run for
    verbatim); ``mass`` the same count with each token's weight applied; ``in_order`` the share of the
    two ranges lying in common runs of ``ngram`` tokens or more in the same order (1.0 for verbatim).
    """

    kind: str
    a_start: int
    a_end: int
    b_start: int
    b_end: int
    similarity: float
    matched: int = 0
    mass: float = 0.0
    in_order: float = 1.0

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
    min_verbatim: int = MIN_VERBATIM_TOKENS,
    min_fuzzy: int = MIN_FUZZY_TOKENS,
    min_similarity: float = ALIGN_MIN_SIMILARITY,
    ngram: int = ALIGN_NGRAM,
    window: int = ALIGN_WINDOW,
    band: int = ALIGN_BAND,
    min_seed: int = ALIGN_MIN_SEED,
    bag_window: int = ALIGN_BAG_WINDOW,
    bag_share: float = ALIGN_BAG_SHARE,
    max_gap: int = ALIGN_MAX_GAP,
    min_gap: int = ALIGN_MIN_GAP,
    max_pairs: int = ALIGN_MAX_PAIRS,
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
    ids_a, ids_b, vocab = encode(a_tokens, b_tokens)
    content = np.fromiter((w not in stopwords and w != NAME_TOKEN for w in vocab), bool, len(vocab))
    seed_a = content[ids_a] & (w_a >= ALIGN_CONTENT_WEIGHT)
    seed_b = content[ids_b] & (w_b >= ALIGN_CONTENT_WEIGHT)
    pa, pb = matches(ids_a, ids_b, stem_ids(vocab), seed_a, seed_b, ngram, max_pairs)

    def dense(pa: np.ndarray, pb: np.ndarray) -> np.ndarray:
        keep = dense_diagonal(pa, pb, window, band, min_seed)
        if bag_window > 0:
            keep |= dense_square(pa, pb, seed_a, seed_b, bag_window, bag_share, min_seed)
        return keep

    if pa.size < min_seed:
        return []
    keep = dense(pa, pb)
    pa, pb = pa[keep], pb[keep]
    if pa.size < min_seed:
        return []
    keep = one_to_one(pa, pb)
    if not keep.all():
        pa, pb = pa[keep], pb[keep]
        keep = dense(pa, pb)
        pa, pb = pa[keep], pb[keep]
        if pa.size < min_seed:
            return []
    cw_a, cw_b = np.concatenate(([0.0], np.cumsum(w_a))), np.concatenate(([0.0], np.cumsum(w_b)))
    name_id = vocab.index(NAME_TOKEN) if NAME_TOKEN in vocab else -1
    check = _Validator(
        ids_a, ids_b, w_a, w_b, min_verbatim, min_fuzzy, min_similarity, min_seed, min_gap, cw_a, cw_b, ngram,
        name_id,
    )  # fmt: skip
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
    ngram: int
    name_id: int  # id of NAME_TOKEN, -1 when no name is masked

    def __call__(self, pa: np.ndarray, pb: np.ndarray, gap: int) -> list[Span]:
        """Spans from one group of matches; a failing fuzzy group is regrouped at half the gap."""
        ua, ub = unique(pa), unique(pb)
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
            share = in_order_share(ra, rb, self.ngram)
            kind = FUZZY if share >= FUZZY_MIN_RUN_SHARE else REWORDED
            return [Span(kind, a0, a1, b0, b1, similarity, int(min(ua.size, ub.size)), mass, share)]
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
        if (
            bool(np.all(np.diff(b0[by_a]) > 0))
            or cover < ALIGN_RUNS_COVER * len_a
            or cover < ALIGN_RUNS_COVER * len_b
        ):
            return []  # in the same order on both sides (edits, not moves), or more than runs
        runs: dict[int, Span] = {}
        for x0, x1, y0 in zip(a0[by_a].tolist(), a1[by_a].tolist(), b0[by_a].tolist(), strict=True):
            e0, e1, f0, f1 = self._extend(x0, x1, y0, y0 + (x1 - x0))
            full = min(float(self.cw_a[e1] - self.cw_a[e0]), float(self.cw_b[f1] - self.cw_b[f0]))
            runs.setdefault(e0, Span(VERBATIM, e0, e1, f0, f1, 1.0, e1 - e0, full))
        return sorted(runs.values(), key=lambda r: (r.a_start, r.b_start))

    def _extend(self, a0: int, a1: int, b0: int, b1: int) -> tuple[int, int, int, int]:
        """Grow the ranges over identical tokens just before and just after them; then drop masked names
        at both ends (a name alone is no evidence, and growing over one pulls in the next line)."""
        ids_a, ids_b, name = self.ids_a, self.ids_b, self.name_id
        while a0 > 0 and b0 > 0 and ids_a[a0 - 1] == ids_b[b0 - 1]:
            a0 -= 1
            b0 -= 1
        while a1 < ids_a.size and b1 < ids_b.size and ids_a[a1] == ids_b[b1]:
            a1 += 1
            b1 += 1
        while a1 - a0 > 1 and b1 - b0 > 1 and ids_a[a0] == name and ids_b[b0] == name:
            a0 += 1
            b0 += 1
        while a1 - a0 > 1 and b1 - b0 > 1 and ids_a[a1 - 1] == name and ids_b[b1 - 1] == name:
            a1 -= 1
            b1 -= 1
        return a0, a1, b0, b1


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
        if k and (
            over_a.max() > ALIGN_MAX_OVERLAP * span.a_len or over_b.max() > ALIGN_MAX_OVERLAP * span.b_len
        ):
            continue
        box[k] = (span.a_start, span.a_end, span.b_start, span.b_end)
        accepted.append(span)
    return sorted(accepted, key=lambda s: (s.a_start, s.b_start, s.a_end, s.b_end, s.kind))
