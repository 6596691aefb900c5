"""The story layer's order-aware local alignment (``simcheck.match.story``), vectorised over scripts."""

from __future__ import annotations

import numpy as np

from simcheck.settings import (
    STORY_CONDENSE,
    STORY_SKIP_DRAFT,
    STORY_SKIP_REFERENCE,
)

_BIG = 1.0e6  # separates the scripts' columns in the vectorised alignment (far above any score)


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
