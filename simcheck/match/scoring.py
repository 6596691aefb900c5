"""Scores: what every number of a report means, and how it is computed from the evidence.

Units. A scene's *words* are the normalised tokens of its compared text (action, dialogue,
parentheticals, lyrics, centred text; never headings, cues or transitions). Every piece of evidence
covers a range of words on each side and carries a *strength* in [0, 1]:

- ``verbatim``: 1.0 for every word;
- ``fuzzy``: the span's similarity (multiset Dice of the two word ranges);
- ``semantic``: how unusual the two passages' cosine is among unrelated scripts, mapped to [0, 1]
  (``simcheck.calibration.load.SemanticNull.strength``).

A word covered by several pieces counts with the strongest. From these per-word strengths:

- ``lexical`` (per match): share of the words covered by verbatim/fuzzy evidence, each word counted
  with its strength, on the draft side or the reference side, whichever is larger; 0 = no common
  wording, 1 = all of one scene is found word for word in the other.
- ``semantic`` (per match): the same with semantic evidence (reworded content).
- ``score`` (per match): the same with all evidence together (a word counts once, at its strongest).
- ``evidence_words`` (per match): the draft words behind the match, as used for its level: lexical
  words count with their strength times their commonness weight (a word inside stock phrases found
  in many reference scripts counts less, see ``phrase_weights``), semantic words with their strength.
- ``coverage`` (per reference): share of all the draft's words covered by evidence from that
  reference (its matches only), each word at its strongest; ``reference_coverage`` the same share of
  the reference's words; ``score`` (per reference) the larger of the two.
- ``sequence`` (per reference): the share of its matched draft scenes that lie on the best chain of
  scene pairs in the same order in both scripts (a local alignment of the scene-similarity matrix,
  ``best_chain``); 0 when fewer than two scenes follow the same order.

Levels are not read from these shares but from how unusual the evidence is (``rarity``, see
``simcheck.calibration.load``): a copied exchange in an otherwise original scene has a small ``score``
and a high level. A scene pair whose rarity is below *low* (but at least ``CHAIN_MIN_RARITY``) is
still reported (as low) when it lies on a same-order chain whose combined rarity (``chain_rarity``)
reaches low: the same plot in the same
order, reworded scene by scene. A reference's ``level`` is the highest level of its flagged matches,
raised to the chain's level when that is higher.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.settings import CHAIN_GAP, STOCK_SCRIPTS, STOCK_SHARE


@dataclass(frozen=True)
class Piece:
    """Evidence as word ranges: draft words ``[a_start, a_end)``, reference words ``[b_start, b_end)``."""

    a_start: int
    a_end: int
    b_start: int
    b_end: int
    strength: float


def phrase_weights(
    n_tokens: int, shingle_counts: np.ndarray, shingle_words: int, n_scripts: int
) -> np.ndarray:
    """Per-word commonness weight in [0, 1] from the script frequency of the shingles that cover it.

    ``shingle_counts[i]`` is the number of reference scripts containing the shingle that starts at word
    ``i`` (the scene's shingles in order). ``others = max(count - 1, 0)`` scripts share it besides the
    one it is matched with; its weight is ``1 / (1 + (others / s) ** 2)`` with
    ``s = max(STOCK_SCRIPTS, STOCK_SHARE * (n_scripts - 1))``. A word takes the largest weight among
    the shingles covering it: one distinctive shingle is enough to make a word distinctive.
    """
    weights = np.ones(n_tokens, dtype=np.float64)
    if n_tokens == 0 or shingle_counts.size == 0:
        return weights
    scale = max(STOCK_SCRIPTS, STOCK_SHARE * max(n_scripts - 1, 0))
    others = np.maximum(shingle_counts.astype(np.float64) - 1.0, 0.0)
    shingle_weight = 1.0 / (1.0 + (others / scale) ** 2)
    if n_tokens <= shingle_words:
        weights[:] = shingle_weight[0]
        return weights
    weights[:] = 0.0
    size = shingle_weight.size
    for offset in range(shingle_words):
        window = weights[offset : offset + size]
        np.maximum(window, shingle_weight[: window.size], out=window)
    return weights


def strengths(n_words: int, ranges: Iterable[tuple[int, int, float]]) -> np.ndarray:
    """Per-word strength: the largest ``strength`` among the ``(start, end, strength)`` ranges covering it."""
    out = np.zeros(n_words, dtype=np.float64)
    for start, end, strength in ranges:
        if end > start:
            np.maximum(out[start:end], strength, out=out[start:end])
    return out


def share(values: np.ndarray) -> float:
    """Mean per-word strength (0 for no words)."""
    return float(values.mean()) if values.size else 0.0


@dataclass(frozen=True)
class PairScore:
    lexical: float
    semantic: float
    score: float
    lexical_words: float  # commonness-weighted lexical evidence, draft words
    semantic_words: float
    evidence_words: float  # both, a word counted once at its strongest


def score_pair(
    n_draft: int,
    n_reference: int,
    lexical: Sequence[Piece],
    semantic: Sequence[Piece],
    draft_weights: np.ndarray,
) -> PairScore:
    """Scores of one scene pair (see the module docstring)."""
    lex_a = strengths(n_draft, ((p.a_start, p.a_end, p.strength) for p in lexical))
    lex_b = strengths(n_reference, ((p.b_start, p.b_end, p.strength) for p in lexical))
    sem_a = strengths(n_draft, ((p.a_start, p.a_end, p.strength) for p in semantic))
    sem_b = strengths(n_reference, ((p.b_start, p.b_end, p.strength) for p in semantic))
    lexical_words = lex_a * draft_weights
    return PairScore(
        lexical=max(share(lex_a), share(lex_b)),
        semantic=max(share(sem_a), share(sem_b)),
        score=max(share(np.maximum(lex_a, sem_a)), share(np.maximum(lex_b, sem_b))),
        lexical_words=float(lexical_words.sum()),
        semantic_words=float(sem_a.sum()),
        evidence_words=float(np.maximum(lexical_words, sem_a).sum()),
    )


@dataclass(frozen=True)
class ChainLink:
    """A scene pair offered to ``best_chain``: draft scene, reference scene, weight (> 0)."""

    draft_scene: int
    reference_scene: int
    weight: float


def best_chain(links: Sequence[ChainLink], gap: float = CHAIN_GAP) -> tuple[ChainLink, ...]:
    """The heaviest chain of links increasing in both scene numbers (a local alignment).

    This is Smith-Waterman on the scene-similarity matrix restricted to its non-zero cells: a chain
    gains each link's weight and loses ``gap`` per scene skipped between consecutive links on each
    side, and it starts and ends anywhere (local). Ties go to the chain found first in
    (draft scene, reference scene) order, so the result is deterministic.
    """
    ordered = sorted(links, key=lambda link: (link.draft_scene, link.reference_scene, -link.weight))
    if not ordered:
        return ()
    best_score = [0.0] * len(ordered)
    previous = [-1] * len(ordered)
    for k, link in enumerate(ordered):
        best_score[k] = link.weight
        for m in range(k):
            other = ordered[m]
            if other.draft_scene < link.draft_scene and other.reference_scene < link.reference_scene:
                skipped = (
                    link.draft_scene - other.draft_scene + link.reference_scene - other.reference_scene - 2
                )
                candidate = best_score[m] - gap * skipped + link.weight
                if candidate > best_score[k]:
                    best_score[k] = candidate
                    previous[k] = m
    end = max(range(len(ordered)), key=lambda k: (best_score[k], -k))
    chain: list[ChainLink] = []
    while end >= 0:
        chain.append(ordered[end])
        end = previous[end]
    return tuple(reversed(chain))


def sequence_share(chain: Sequence[ChainLink], matched_scenes: int) -> float:
    """``sequence``: share of the matched draft scenes on the chain; 0 for a chain under two scenes."""
    if len(chain) < 2 or matched_scenes <= 0:
        return 0.0
    return min(1.0, len({link.draft_scene for link in chain}) / matched_scenes)


def chain_rarity(rarities: Sequence[float], tests: float) -> float:
    """How unusual a same-order chain of scene pairs is, as -log10 of a chance.

    Each pair's rarity is -log10 of its chance ``p_i`` among unrelated scenes. For independent pairs,
    ``-sum(ln p_i)`` follows a Gamma(k, 1) law (Fisher's method); its upper tail at the observed
    value is the chance of a chain this strong from k unrelated pairs. ``tests`` (how many chains
    could have been formed, roughly draft scenes x reference scripts tried) is paid for, Bonferroni
    style, so a long chain of individually weak pairs still counts but chance chains do not.
    """
    k = len(rarities)
    if k == 0:
        return 0.0
    total = sum(max(r, 0.0) for r in rarities) * math.log(10.0)
    log_tail = _log_gamma_upper_tail(k, total)
    return max(0.0, -(log_tail / math.log(10.0)) - math.log10(max(tests, 1.0)))


def _log_gamma_upper_tail(k: int, x: float) -> float:
    """ln P(Gamma(k, 1) >= x) = ln(exp(-x) * sum_{i<k} x^i / i!), computed in log space."""
    if x <= 0:
        return 0.0
    terms = [i * math.log(x) - math.lgamma(i + 1) for i in range(k)]
    top = max(terms)
    return -x + top + math.log(sum(math.exp(t - top) for t in terms))
