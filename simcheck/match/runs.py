"""In-order correspondence of two token sequences, on rapidfuzz's longest common subsequence.

Where the aligner (``simcheck.match.align``) has found two corresponding passages, these say how they
correspond word by word: the common runs in the same order on both sides (``common_runs``, the equal
blocks of ``rapidfuzz.distance.LCSseq.opcodes`` over token ids or words), how much of the passages
such runs cover (``in_order_share``: what tells a lightly edited copy from a paraphrase), and where two
long passages can be cut into line-by-line correspondences (``line_pieces``).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Sequence

import numpy as np
from rapidfuzz.distance import LCSseq

Tokens = Sequence[Hashable] | np.ndarray


def common_runs(ra: Tokens, rb: Tokens) -> list[tuple[int, int, int]]:
    """``(i, j, size)`` of the runs of a longest common subsequence of two token sequences (ids or
    words), in order (``ra[i:i + size] == rb[j:j + size]``): rapidfuzz's bit-parallel LCS, the equal
    blocks of its opcodes."""
    a = ra.tolist() if isinstance(ra, np.ndarray) else list(ra)
    b = rb.tolist() if isinstance(rb, np.ndarray) else list(rb)
    if not a or not b:
        return []
    return [
        (op.src_start, op.dest_start, op.src_end - op.src_start)
        for op in LCSseq.opcodes(a, b)
        if op.tag == "equal"
    ]


def in_order_share(ra: Tokens, rb: Tokens, least: int) -> float:
    """Share of two token-id sequences lying in common runs of at least ``least`` tokens, in the same order
    on both sides: near 1 for lightly edited text, near 0 for a paraphrase or a shuffle of the same words."""
    total = len(ra) + len(rb)
    if total == 0:
        return 0.0
    return 2.0 * sum(size for _, _, size in common_runs(ra, rb) if size >= least) / total


def line_pieces(
    ra: Tokens, rb: Tokens, cuts_a: Sequence[int], cuts_b: Sequence[int], most: int
) -> list[tuple[int, int, int, int]]:
    """Two corresponding token ranges cut into consecutive pieces of whole lines, ``(a0, a1, b0, b1)``.

    ``cuts_a``/``cuts_b`` are the positions where a new line starts on each side. ``ra`` is cut at line
    starts into pieces of at most ``most`` tokens (a longer single line stays whole); each cut is carried
    over to ``rb`` through the longest common subsequence (``common_runs``) and moved to the nearest
    line start of ``rb`` after the previous cut. Pieces empty on either side are left out.
    """
    n, m = len(ra), len(rb)
    runs = common_runs(ra, rb)
    bounds = [0]
    ordered = sorted(c for c in set(cuts_a) if 0 < c < n)
    while n - bounds[-1] > most:
        start = bounds[-1]
        fits = [c for c in ordered if start < c <= start + most]
        later = [c for c in ordered if c > start]
        if not fits and not later:
            break
        bounds.append(fits[-1] if fits else later[0])
    lines_b = sorted(c for c in set(cuts_b) if 0 < c < m)
    pieces: list[tuple[int, int, int, int]] = []
    a_prev = b_prev = 0
    for cut in [*bounds[1:], n]:
        b_cut = m if cut == n else _carried(runs, cut, m)
        if cut < n:
            after = [c for c in lines_b if c > b_prev]
            if after:
                b_cut = min(after, key=lambda c: (abs(c - b_cut), c))
        b_cut = max(b_cut, b_prev)
        if cut > a_prev and b_cut > b_prev:
            pieces.append((a_prev, cut, b_prev, b_cut))
        a_prev, b_prev = cut, b_cut
    return pieces


def _carried(runs: Sequence[tuple[int, int, int]], position: int, end: int) -> int:
    """The position of ``b`` matched with the first matched position of ``a`` at or after ``position``."""
    for i, j, size in runs:
        if i + size > position:
            return j + max(0, position - i)
    return end


def dice(ra: Tokens, rb: Tokens) -> float:
    """Multiset Dice coefficient of two token sequences: the order-insensitive share of common tokens."""
    a = ra.tolist() if isinstance(ra, np.ndarray) else list(ra)
    b = rb.tolist() if isinstance(rb, np.ndarray) else list(rb)
    if not a and not b:
        return 0.0
    common = sum((Counter(a) & Counter(b)).values())
    return 2.0 * common / (len(a) + len(b))
