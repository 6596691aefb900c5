"""How unusual a similarity is among scripts that did not copy from each other: the null models.

``SemanticNull`` (per passage: the best cosine of an unrelated passage, per length bin) and
``EvidenceNull`` (per scene: the evidence of an unrelated scene's best match) turn a cosine or an
amount of evidence into a **rarity**, -log10 of the chance that unrelated material gets there, and
``Calibration`` turns a rarity into a level (``settings.LOW``/``MEDIUM``/``HIGH``). Every stage that
scores (candidates, evidence, the report) reads them from here; ``simcheck.calibration`` measures them
on the references (or ships defaults measured on the public corpus), where the whole method and the
reasons for each constant are explained.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcheck.match.scoring import PairScore
from simcheck.settings import (
    COSINE_GRID,
    EVIDENCE_MAX_BETA,
    EVIDENCE_MIN_BETA,
    HIGH,
    LENGTH_BINS,
    LEXICAL_BETA,
    LOW,
    MAX_RARITY,
    MEDIUM,
    MIN_SEMANTIC_PASSAGES,
    SEMANTIC_EVIDENCE,
    SEMANTIC_FULL,
    TAIL_SHARE,
)

CALIBRATION_VERSION = 2  # of the serialised form (``Calibration.to_dict``)


def length_bin(words: int) -> int:
    return bisect.bisect_right(LENGTH_BINS, words)


@dataclass(frozen=True)
class Tail:
    """An empirical upper-tail law of a sample, with an exponential extrapolation.

    ``chance(x)`` = share of the sample >= x inside the bulk of the sample; above ``u`` (the value
    at the top ``TAIL_SHARE`` of the sample, or 0 when most of the sample is 0), the chance is
    ``share * exp(-(x - u) / beta)``, ``share`` being the part of the sample above ``u`` and ``beta``
    the median excess over ``u`` divided by ln 2 (a robust exponential fit; at least ``min_beta``).
    """

    values: tuple[float, ...]  # sorted ascending
    min_beta: float
    u: float
    share: float
    beta: float

    @classmethod
    def of(cls, values: Sequence[float] | np.ndarray, min_beta: float, max_beta: float = math.inf) -> Tail:
        ordered = tuple(round(float(v), 4) for v in sorted(float(x) for x in values))
        v = np.asarray(ordered, dtype=np.float64)
        n = v.size
        if n == 0:
            return cls(ordered, min_beta, 0.0, 1.0, min_beta)
        m = max(5, int(math.ceil(TAIL_SHARE * n)))
        if m >= n:
            u, top = float(v[0]), v
        else:
            u, top = float(v[n - m - 1]), v[n - m :]
        if u <= 0.0:  # mostly zeros: the tail is the non-zero part
            u, top = 0.0, v[v > 0.0]
        share = max(top.size, 1) / n
        excess = top - u
        beta = float(np.median(excess)) / math.log(2.0) if excess.size else 0.0
        return cls(ordered, min_beta, u, share, min(max(beta, min_beta), max_beta))

    def chance(self, x: float) -> float:
        n = len(self.values)
        if n == 0:
            return 1.0
        if x <= self.u:
            count = n - bisect.bisect_left(self.values, x)
            return max(count / n, self.share)
        return self.share * math.exp(-(x - self.u) / self.beta)

    def rarity(self, x: float) -> float:
        chance = self.chance(x)
        return MAX_RARITY if chance <= 0 else min(MAX_RARITY, -math.log10(chance))


@dataclass(frozen=True)
class SemanticNull:
    """The cosines of unrelated passages, per length bin.

    ``bins``: top-1 cosine of a passage among the ``n_passages`` reference passages of other scripts.
    ``pairs``: for each cosine of ``COSINE_GRID``, the share of random passage pairs from different
    scripts at least that similar (0 where none of the sampled pairs was).
    """

    n_passages: int
    bins: tuple[Tail, ...]
    pairs: tuple[tuple[float, ...], ...] = ()

    def chance(self, cosine: float, words: int, n_passages: int) -> float:
        """Chance that an unrelated passage of ``words`` words finds one at least this similar among
        ``n_passages``: ``1 - exp(-N q)``, ``q`` the per-pair chance, the larger of the measured pair
        share and the per-pair chance implied by the top-1 law (``1 - (1 - q) ** n = P(top1)``)."""
        b = length_bin(words)
        top1 = self.bins[b].chance(cosine)
        if n_passages >= self.n_passages or top1 >= 1.0:
            return top1
        q_top1 = -math.log1p(-min(top1, 1.0 - 1e-15)) / max(self.n_passages, 1)
        q_pair = float(np.interp(cosine, COSINE_GRID, self.pairs[b])) if self.pairs else 0.0
        return min(top1, -math.expm1(-max(n_passages, 1) * max(q_top1, q_pair)))

    def rarity(self, cosine: float, words: int, n_passages: int) -> float:
        chance = self.chance(cosine, words, n_passages)
        return MAX_RARITY if chance <= 0 else min(MAX_RARITY, -math.log10(chance))

    def strength(self, cosine: float, words: int, n_passages: int, alone: bool = True) -> float:
        """0 below ``SEMANTIC_EVIDENCE`` rarity, rising linearly to 1 at ``SEMANTIC_FULL``. A passage
        pair standing ``alone`` is judged among at least ``MIN_SEMANTIC_PASSAGES`` passages."""
        rarity = self.rarity(cosine, words, max(n_passages, MIN_SEMANTIC_PASSAGES) if alone else n_passages)
        return float(min(1.0, max(0.0, (rarity - SEMANTIC_EVIDENCE) / (SEMANTIC_FULL - SEMANTIC_EVIDENCE))))

    def threshold(self, words: int, n_passages: int, rarity: float) -> float:
        """The smallest cosine whose rarity reaches ``rarity`` (bisection; 1.0 if none)."""
        lo, hi = -1.0, 1.0
        if self.rarity(hi, words, n_passages) < rarity:
            return 1.0
        for _ in range(40):
            mid = (lo + hi) / 2
            if self.rarity(mid, words, n_passages) >= rarity:
                hi = mid
            else:
                lo = mid
        return hi


@dataclass(frozen=True)
class EvidenceNull:
    """Evidence of the best-matching other-script scene, for unrelated pseudo-draft scenes."""

    lexical: Tail
    semantic: Tail
    combined: Tail

    @classmethod
    def of(
        cls,
        lexical: Sequence[float] | np.ndarray,
        semantic: Sequence[float] | np.ndarray,
        combined: Sequence[float] | np.ndarray,
    ) -> EvidenceNull:
        """The three tails; the lexical one decays by a fixed ``LEXICAL_BETA`` (see the module docstring)."""
        return cls(
            Tail.of(lexical, LEXICAL_BETA, LEXICAL_BETA),
            Tail.of(semantic, EVIDENCE_MIN_BETA, EVIDENCE_MAX_BETA),
            Tail.of(combined, EVIDENCE_MIN_BETA, EVIDENCE_MAX_BETA),
        )

    def rarity(self, score: PairScore) -> float:
        if score.evidence_words <= 0:
            return 0.0
        best = max(
            self.lexical.rarity(score.lexical_words) if score.lexical_words > 0 else 0.0,
            self.semantic.rarity(score.semantic_words) if score.semantic_words > 0 else 0.0,
            self.combined.rarity(score.evidence_words),
        )
        return max(0.0, best - math.log10(3.0))


@dataclass(frozen=True)
class Calibration:
    source: str  # "index" | "default"
    model: str
    fingerprint: str
    passage_samples: int
    scene_samples: int
    semantic: SemanticNull
    evidence: EvidenceNull
    low: float = LOW
    medium: float = MEDIUM
    high: float = HIGH
    note: str = ""

    @property
    def thresholds(self) -> tuple[float, float, float]:
        """The rarities of low, medium and high."""
        return self.low, self.medium, self.high

    def level(self, rarity: float) -> str | None:
        if rarity >= self.high:
            return "high"
        if rarity >= self.medium:
            return "medium"
        if rarity >= self.low:
            return "low"
        return None

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": CALIBRATION_VERSION,
            "source": self.source,
            "model": self.model,
            "fingerprint": self.fingerprint,
            "passage_samples": self.passage_samples,
            "scene_samples": self.scene_samples,
            "semantic": {
                "n_passages": self.semantic.n_passages,
                "bins": [list(t.values) for t in self.semantic.bins],
                "pairs": [list(p) for p in self.semantic.pairs],
            },
            "evidence": {
                "lexical": list(self.evidence.lexical.values),
                "semantic": list(self.evidence.semantic.values),
                "combined": list(self.evidence.combined.values),
            },
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any], *, source: str | None = None, note: str = "") -> Calibration:
        if data.get("version") != CALIBRATION_VERSION:
            raise ValueError("calibration version mismatch")
        semantic = data["semantic"]
        evidence = data["evidence"]
        bins = tuple(Tail.of(values, 0.005) for values in semantic["bins"])
        pairs = tuple(tuple(float(x) for x in row) for row in semantic.get("pairs", []))
        if len(bins) != len(LENGTH_BINS) + 1 or any(len(row) != len(COSINE_GRID) for row in pairs):
            raise ValueError("calibration length bins mismatch")
        return cls(
            source=source or str(data["source"]),
            model=str(data["model"]),
            fingerprint=str(data["fingerprint"]),
            passage_samples=int(data["passage_samples"]),
            scene_samples=int(data["scene_samples"]),
            semantic=SemanticNull(int(semantic["n_passages"]), bins, pairs),
            evidence=EvidenceNull.of(evidence["lexical"], evidence["semantic"], evidence["combined"]),
            note=note,
        )
