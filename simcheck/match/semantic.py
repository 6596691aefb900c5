"""Semantic evidence: passage pairs of two scenes whose embeddings are unusually close.

The embeddings of the two scenes' passages are compared; pairs whose cosine is unusual among
unrelated scripts (``SemanticNull.strength > 0``) are matched one-to-one, best first. A pair that is
part of a same-order run of ``RUN_PIECES`` nearby pairs (a reworded stretch) is judged among the
references' real number of passages; a pair standing alone among at least ``MIN_SEMANTIC_PASSAGES``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simcheck.match.draft import Probe, ReferenceSide
from simcheck.match.rarity import Calibration, length_bin
from simcheck.search.references import StoredPassage
from simcheck.settings import RUN_PIECES, RUN_STEP
from simcheck.text.tokens import word_count
from simcheck.text.words import SceneWords


@dataclass(frozen=True)
class SemPiece:
    draft_passage: int  # index into probe.passages
    reference_passage: StoredPassage
    a0: int  # word indices local to the draft scene
    a1: int
    b0: int  # word indices local to the reference scene
    b1: int
    cosine: float
    strength: float
    allowed_by: str | None = None


def semantic_matches(
    probe: Probe,
    mine: np.ndarray,
    side: ReferenceSide,
    rows: np.ndarray,
    calibration: Calibration,
    floors: np.ndarray,
    n_total: int,
) -> list[tuple[int, StoredPassage, float, float]]:
    """One-to-one passage pairs with an unusual cosine: (draft passage index, stored, cosine, strength).

    A pair's strength is judged among the references' ``n_total`` passages when it is part of a run of
    at least ``RUN_PIECES`` nearby pairs in the same order on both sides (a reworded stretch), and
    among at least ``MIN_SEMANTIC_PASSAGES`` passages when it stands alone (``strength``): in a small
    reference set, one moderately similar passage is ordinary topical closeness.
    """
    sims = probe.vectors[mine] @ side.vectors[rows].T
    lengths = probe.passage_lengths[mine]
    floor = floors[[length_bin(int(w)) for w in lengths]]
    ii, jj = np.nonzero(sims >= floor[:, None])
    if ii.size == 0:
        return []
    order = np.lexsort((jj, ii, -sims[ii, jj]))
    used_a: set[int] = set()
    used_b: set[int] = set()
    found: list[tuple[int, int, float, float]] = []  # (i, j, cosine, strength in context)
    for k in order:
        i, j = int(ii[k]), int(jj[k])
        if i in used_a or j in used_b:
            continue
        used_a.add(i)
        used_b.add(j)
        cosine = float(sims[i, j])
        relaxed = calibration.semantic.strength(cosine, int(lengths[i]), n_total, alone=False)
        if relaxed > 0.0:
            found.append((i, j, cosine, relaxed))
        if len(used_a) == len(mine) or len(used_b) == len(rows):
            break
    in_run = in_order_run([(i, j) for i, j, _, _ in found])
    out: list[tuple[int, StoredPassage, float, float]] = []
    for (i, j, cosine, relaxed), running in zip(found, in_run, strict=True):
        strength = relaxed if running else calibration.semantic.strength(cosine, int(lengths[i]), n_total)
        if strength > 0.0:
            out.append((int(mine[i]), side.stored[int(rows[j])], cosine, strength))
    return out


def in_order_run(pairs: list[tuple[int, int]]) -> list[bool]:
    """For each pair: is it on the longest run of pairs advancing by 1 to ``RUN_STEP`` passages on both
    sides, if that run has at least ``RUN_PIECES`` pairs?"""
    if len(pairs) < RUN_PIECES:
        return [False] * len(pairs)
    order = sorted(range(len(pairs)), key=lambda k: pairs[k])
    length = [1] * len(order)
    back = [-1] * len(order)
    for x, k in enumerate(order):
        for y in range(x):
            m = order[y]
            step_a, step_b = pairs[k][0] - pairs[m][0], pairs[k][1] - pairs[m][1]
            if 0 < step_a <= RUN_STEP and 0 < step_b <= RUN_STEP and length[y] + 1 > length[x]:
                length[x], back[x] = length[y] + 1, y
    best = max(range(len(order)), key=lambda x: (length[x], -x))
    flags = [False] * len(pairs)
    if length[best] >= RUN_PIECES:
        while best >= 0:
            flags[order[best]] = True
            best = back[best]
    return flags


def semantic_pieces(
    probe: Probe,
    d: int,
    words: SceneWords | None,
    scene_passages: list[StoredPassage],
    matches: list[tuple[int, StoredPassage, float, float]],
) -> list[SemPiece]:
    """Semantic pieces with word ranges: from the scene's words, or from its passages' word counts."""
    d0, _ = probe.words.scene_range(d)
    starts: dict[int, int] = {}
    if words is None:
        position = 0
        for passage in scene_passages:
            starts[passage.id] = position
            position += word_count(passage.text)
    pieces: list[SemPiece] = []
    for index, passage, cosine, strength in matches:
        a0, a1 = (int(x) - d0 for x in probe.passage_words[index])
        if words is not None:
            b0 = int(np.searchsorted(words.starts, passage.start, side="left"))
            b1 = int(np.searchsorted(words.starts, passage.end, side="left"))
        else:
            b0 = starts[passage.id]
            b1 = b0 + word_count(passage.text)
        if a1 > a0 and b1 > b0:
            pieces.append(SemPiece(index, passage, a0, a1, b0, b1, cosine, strength))
    return sorted(pieces, key=lambda p: (p.a0, p.b0))
