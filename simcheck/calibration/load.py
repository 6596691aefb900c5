"""Calibration: how unusual a similarity is among scripts that did not copy from each other.

A raw cosine or a count of matching words means little by itself: two unrelated plays share stock
phrases, and two love scenes embed close together. simcheck therefore measures, on the references
themselves, what *unrelated* scripts look like, and reports how far a draft goes beyond that.

The background ("null") is measured by treating reference material as a pseudo-draft and comparing it
with every *other* reference script, through the same pipeline as a real draft, with the stored
vectors and signatures (nothing is re-embedded). Two measurements, cached with the references
(``References.write_extra("calibration", ...)``, keyed by a fingerprint of the scripts, the model and
the settings) and re-measured when the references change:

1. ``SemanticNull``, per passage: for ``PASSAGE_SAMPLES`` reference passages, the highest cosine with
   a passage of another script (top-1 over ``n_passages`` passages), kept per length bin
   (``LENGTH_BINS`` words), because short lines resemble many things (a bin with fewer than
   ``MIN_BIN_SAMPLES`` samples uses the pooled sample). From it, for a draft passage of
   ``w`` words whose best cosine with a reference passage is ``c``, in references of ``N`` passages:

   - ``chance(c, w, N)``: the chance that an unrelated passage of that length finds a passage at
     least that similar somewhere in ``N`` reference passages. At the measured size it is the top-1
     law itself. For fewer passages (pairwise mode, ``--against`` a few scripts) it is
     ``1 - exp(-N q)``, ``q`` the chance for one unrelated passage pair: the share of
     ``PAIR_SAMPLES ** 2`` random pairs of passages from different scripts at least that similar
     (``pairs``, on ``COSINE_GRID``), or, beyond what random pairs reach, the per-pair chance implied by
     the top-1 law; so small reference sets use lower cosine thresholds, at the same chance.
     Texts compared pairwise were usually chosen because they look alike (same premise, same
     topic), where topical closeness is far more common than between random scripts: so a passage
     pair standing alone is judged as if among at least ``MIN_SEMANTIC_PASSAGES`` (10,000) passages;
     only passage pairs in a same-order run of ``verify.RUN_PIECES`` (a reworded stretch) are judged
     among the actual number.
   - ``rarity = -log10(chance)``. A passage pair is **semantic evidence** when its rarity is at least
     ``SEMANTIC_EVIDENCE`` (2: at most 1 unrelated passage in 100 gets there); its **strength** rises
     linearly from 0 there to 1 at ``SEMANTIC_FULL`` (5: 1 in 100,000).

2. ``EvidenceNull``, per scene: for ``SCENE_SAMPLES`` reference scenes used as pseudo-drafts, the
   evidence of their best-matching scene in another script: ``lexical_words`` (verbatim/fuzzy words,
   weighted by strength and phrase commonness), ``semantic_words`` (words in semantic evidence,
   weighted by strength) and ``evidence_words`` (both, a word counted once). For a scene pair of a
   real draft, ``rarity`` is -log10 of the chance that an unrelated scene's best match has at least as
   much evidence, taking the most unusual of the three measures and paying ``log10(3)`` for having
   looked at three. Chances beyond the measured range are extrapolated with an exponential tail
   (``Tail``), fitted to the top tenth of the sample. The lexical tail is the exception: among
   unrelated scripts lexical evidence is rare (a few scenes in a hundred), and what there is is mostly
   genuinely shared text (quotations, a series' recurring lines), too little and too contaminated to
   fit; so only its share is measured and it decays by a fixed factor e per ``LEXICAL_BETA`` (3)
   words: with the public corpus's share (~1.3%), any lexical evidence (8 distinctive words or more)
   makes a scene pair low, about 18 words medium and 32 high. The fitted decay of the semantic and
   combined tails is kept within ``EVIDENCE_MIN_BETA``..``EVIDENCE_MAX_BETA`` words for the same
   reason (related scripts in a corpus, such as the parts of a trilogy, would otherwise make reworded
   copying look ordinary): with the public corpus, about 23 words of semantic evidence make a scene
   pair low, 50 medium and 78 high.

Levels of a match (``LEVELS`` thresholds on rarity): **low** >= 2 (rarer than 1 unrelated scene in
100), **medium** >= 4 (1 in 10,000), **high** >= 6 (1 in 1,000,000). Below low there is no match. So
an innocent draft of 100 scenes is expected to show about one low match and no medium or high one.

When the references are too few to measure a background (fewer than ``MIN_SCRIPTS`` scripts, e.g.
``compare --against one.fountain``), the shipped defaults in ``simcheck.calibration.defaults`` are used:
the same measurements taken on the public corpus in ``../shared/corpus`` (83 scripts) with the default
model; the report says so (``calibration.source``: ``"default"`` or ``"index"``).
"""

from __future__ import annotations

import bisect
import contextlib
import hashlib
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from simcheck.errors import SimcheckError

if TYPE_CHECKING:  # pragma: no cover
    from simcheck.match.scoring import PairScore
    from simcheck.search.references import References
    from simcheck.settings import CompareSettings

CALIBRATION_VERSION = 2
EXTRA_NAME = "calibration"

LOW, MEDIUM, HIGH = 2.0, 4.0, 6.0  # rarity thresholds of the levels
SEMANTIC_EVIDENCE = 2.0  # passage-pair rarity from which a cosine is evidence
SEMANTIC_FULL = 5.0  # passage-pair rarity at which semantic evidence has strength 1
CANDIDATE_RARITY = 1.0  # looser passage rarity for proposing candidate scene pairs
LENGTH_BINS = (12, 25, 50)  # word-count edges of the passage length bins
COSINE_GRID = tuple(round(-0.2 + 0.01 * i, 2) for i in range(121))  # -0.2 .. 1.0
PAIR_SAMPLES = 2000  # passages on each side of the random pairs (PAIR_SAMPLES ** 2 pairs)
MIN_SEMANTIC_PASSAGES = 10_000  # an isolated semantic match is judged as if among at least this many passages
MIN_SCRIPTS = 12  # fewer reference scripts than this: use the shipped defaults
PASSAGE_SAMPLES = 3000
MIN_BIN_SAMPLES = 30  # a length bin with fewer sampled passages uses the pooled sample of all bins
SCENE_SAMPLES = 400
SAMPLE_SEED = 20240611
SEARCH_K = 40  # neighbours fetched per sampled passage (the best one from another script is kept)
TAIL_SHARE = 0.1  # the exponential tail is fitted to this top share of a sample
MAX_RARITY = 15.0
LEXICAL_BETA = 3.0  # words of lexical evidence per factor e of rarity (fixed: see the module docstring)
EVIDENCE_MIN_BETA = 2.0  # decay (words per factor e) fitted to the semantic and combined tails: at least
EVIDENCE_MAX_BETA = 6.0  # ... and at most this (a few related scripts in a corpus would otherwise set it)


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


def fingerprint(references: References, settings: CompareSettings | None = None) -> str:
    """Identifies what a calibration was measured on and how: scripts, model, settings, sampling."""
    digest = hashlib.sha256()
    compare = settings or _default_compare_settings()
    payload = {
        "version": CALIBRATION_VERSION,
        "sampling": [PASSAGE_SAMPLES, SCENE_SAMPLES, PAIR_SAMPLES, SAMPLE_SEED, SEARCH_K],
        "compare": [
            compare.semantic_neighbours,
            compare.min_verbatim_tokens,
            compare.min_fuzzy_tokens,
            compare.max_pairs_per_scene,
        ],
        "model": references.model_name,
        "settings": sorted(vars(references.settings).items()),
        "scripts": sorted((s.sha256, s.passages) for s in references.scripts()),
        "passages": references.n_passages,
    }
    digest.update(json.dumps(payload, sort_keys=True, default=str).encode("utf-8"))
    return digest.hexdigest()


def _default_compare_settings() -> CompareSettings:
    from simcheck.settings import CompareSettings

    return CompareSettings()


def default_calibration(model: str) -> Calibration:
    from simcheck.calibration.defaults import DEFAULTS

    note = "shipped defaults measured on the public corpus"
    if model != DEFAULTS["model"]:
        note += f" with {DEFAULTS['model']}; levels are approximate for model {model}"
    return Calibration.from_dict(DEFAULTS, source="default", note=note)


def needs_measuring(references: References, settings: CompareSettings) -> bool:
    """Will ``load_calibration`` have to measure (no valid cached calibration for these references)?"""
    if len(references.scripts()) < MIN_SCRIPTS:
        return False
    cached = references.read_extra(EXTRA_NAME)
    return not (
        cached is not None
        and cached.get("fingerprint") == fingerprint(references, settings)
        and cached.get("version") == CALIBRATION_VERSION
    )


def load_calibration(references: References, settings: CompareSettings) -> Calibration:
    """The calibration for these references: cached, measured now (and cached), or the defaults."""
    scripts = references.scripts()
    if len(scripts) < MIN_SCRIPTS:
        return default_calibration(references.model_name)
    key = fingerprint(references, settings)
    cached = references.read_extra(EXTRA_NAME)
    if cached is not None and cached.get("fingerprint") == key:
        try:
            return Calibration.from_dict(cached, note="measured on these references")
        except (KeyError, TypeError, ValueError):
            pass  # stale or foreign: measure again
    from simcheck.calibration.measure import measure

    calibration = measure(references, settings, key)
    with contextlib.suppress(SimcheckError, OSError):  # a read-only index is measured again next time
        references.write_extra(EXTRA_NAME, calibration.to_dict())
    return calibration
