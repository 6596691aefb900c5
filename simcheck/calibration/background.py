"""Measure the background of a set of references (see ``simcheck.calibration`` for what and why).

Reference material is used as pseudo-drafts against the *other* reference scripts, through the same
candidate search and verification as a real draft, using the stored vectors and signatures. Samples
are drawn with a fixed seed, so the same references give the same calibration.
"""

from __future__ import annotations

import numpy as np

from simcheck.match.candidates import find_candidates
from simcheck.match.draft import ReferenceCache
from simcheck.match.evidence import VerifyOptions, small_matrix_mode, verify_script
from simcheck.match.rarity import Calibration, EvidenceNull, SemanticNull, Tail, length_bin
from simcheck.search.references import References
from simcheck.settings import (
    COSINE_GRID,
    LENGTH_BINS,
    MIN_BIN_SAMPLES,
    PAIR_SAMPLES,
    PASSAGE_SAMPLES,
    SAMPLE_SEED,
    SCENE_SAMPLES,
    SEARCH_K,
    CompareSettings,
)
from simcheck.text.tokens import word_count


def measure(
    references: References,
    settings: CompareSettings,
    key: str,
    passage_samples: int = PASSAGE_SAMPLES,
    scene_samples: int = SCENE_SAMPLES,
) -> Calibration:
    """Measure both backgrounds on ``references`` (``key``: their calibration fingerprint)."""
    rng = np.random.default_rng(SAMPLE_SEED)
    semantic = passage_background(references, rng, passage_samples)
    empty = Tail.of([], 2.0)
    provisional = Calibration(
        source="index",
        model=references.model_name,
        fingerprint=key,
        passage_samples=passage_samples,
        scene_samples=0,
        semantic=semantic,
        evidence=EvidenceNull(empty, empty, empty),
    )
    lexical, semantic_words, combined = scene_background(
        references, settings, provisional, rng, scene_samples
    )
    return Calibration(
        source="index",
        model=references.model_name,
        fingerprint=key,
        passage_samples=sum(len(t.values) for t in semantic.bins),
        scene_samples=len(combined),
        semantic=semantic,
        evidence=EvidenceNull.of(lexical, semantic_words, combined),
        note="measured on these references",
    )


def passage_background(references: References, rng: np.random.Generator, samples: int) -> SemanticNull:
    """Top-1 cosine of sampled reference passages with the passages of other scripts, per length bin."""
    n = references.n_passages
    ids = np.sort(rng.choice(n, size=min(samples, n), replace=False)) if n else np.zeros(0, np.int64)
    values: list[list[float]] = [[] for _ in range(len(LENGTH_BINS) + 1)]
    if ids.size:
        queries = references.passages(ids)
        sims, neighbours = references.search_semantic(references.vectors(ids), min(SEARCH_K, n))
        wanted = np.unique(neighbours[neighbours >= 0])
        script_of = {p.id: p.script_id for p in references.passages(wanted)}
        for row, query in enumerate(queries):
            best = None
            for sim, pid in zip(sims[row], neighbours[row], strict=True):
                if pid >= 0 and script_of[int(pid)] != query.script_id:
                    best = float(sim)
                    break
            if best is None:  # every neighbour is from its own script: the k-th is an upper bound
                valid = sims[row][neighbours[row] >= 0]
                if valid.size == 0:
                    continue
                best = float(valid[-1])
            values[length_bin(word_count(query.text))].append(best)
    pooled = [x for v in values for x in v]
    # a length bin with too few samples borrows the pooled sample (a bin of its own would be noise)
    bins = tuple(Tail.of(v if len(v) >= MIN_BIN_SAMPLES else pooled, 0.005) for v in values)
    return SemanticNull(n, bins, pair_background(references, rng))


def pair_background(references: References, rng: np.random.Generator) -> tuple[tuple[float, ...], ...]:
    """Per length bin, the share of random passage pairs from different scripts at least as similar as
    each cosine of ``COSINE_GRID``."""
    n = references.n_passages
    if n < 2:
        return ()
    size = min(PAIR_SAMPLES, n // 2)
    picks = rng.choice(n, size=2 * size, replace=False)
    left, right = np.sort(picks[:size]), np.sort(picks[size:])
    meta_left, meta_right = references.passages(left), references.passages(right)
    sims = (
        np.asarray(references.vectors(left), dtype=np.float32)
        @ np.asarray(references.vectors(right), dtype=np.float32).T
    )
    other = np.asarray([p.script_id for p in meta_left])[:, None] != np.asarray(
        [p.script_id for p in meta_right]
    )
    bins = np.asarray([length_bin(word_count(p.text)) for p in meta_left])
    grid = np.asarray(COSINE_GRID)
    pooled_values = np.sort(sims[other])
    rows: list[tuple[float, ...]] = []
    for b in range(len(LENGTH_BINS) + 1):
        mine = sims[(bins == b)[:, None] & other]
        values = np.sort(mine) if mine.size >= MIN_BIN_SAMPLES * 100 else pooled_values
        above = values.size - np.searchsorted(values, grid, side="left")
        rows.append(tuple(float(f"{x:.6g}") for x in above / max(values.size, 1)))
    return tuple(rows)


def scene_background(
    references: References,
    settings: CompareSettings,
    calibration: Calibration,
    rng: np.random.Generator,
    samples: int,
) -> tuple[list[float], list[float], list[float]]:
    """Evidence of the best other-script match of sampled reference scenes (lexical, semantic, both)."""
    scenes = [
        (script.id, number)
        for script in references.scripts()
        for number in range(1, script.scenes + 1)
        if len(references.scene_passage_ids(script.id, number))
    ]
    if not scenes:
        return [], [], []
    picks = np.sort(rng.choice(len(scenes), size=min(samples, len(scenes)), replace=False))
    cache = ReferenceCache(references)
    options = VerifyOptions(settings.min_verbatim_tokens, settings.min_fuzzy_tokens)
    rows: list[tuple[float, float, float]] = []
    with small_matrix_mode():
        for pick in picks:
            best = _best_evidence(references, settings, calibration, cache, options, scenes[int(pick)])
            if best is not None:
                rows.append(best)
    return [r[0] for r in rows], [r[1] for r in rows], [r[2] for r in rows]


def _best_evidence(
    references: References,
    settings: CompareSettings,
    calibration: Calibration,
    cache: ReferenceCache,
    options: VerifyOptions,
    scene: tuple[int, int],
) -> tuple[float, float, float] | None:
    """The best other-script (lexical, semantic, combined) evidence words of one reference scene."""
    script_id, number = scene
    probe = cache.reference_probe(script_id, number)
    if probe is None:
        return None
    best = [0.0, 0.0, 0.0]
    candidates = find_candidates(
        probe, references, calibration, settings.semantic_neighbours, settings.max_pairs_per_scene
    )
    for other, pairs in candidates.items():
        for result in verify_script(probe, cache, other, pairs, calibration, options):
            score = result.score
            best[0] = max(best[0], score.lexical_words)
            best[1] = max(best[1], score.semantic_words)
            best[2] = max(best[2], score.evidence_words)
    return best[0], best[1], best[2]
