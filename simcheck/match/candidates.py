"""Candidate scene pairs: where to look closely, from both search structures.

Every draft passage asks the references twice: the MinHash LSH (``search_lexical``: passages sharing
enough word shingles) and the FAISS index (``search_semantic``: the ``k`` nearest embeddings). A
semantic neighbour counts only when its cosine is already somewhat unusual for a passage of that
length (rarity >= ``settings.CANDIDATE_RARITY``, looser than evidence). Hits are summed per
(draft scene, reference script, reference scene); a scene pair with a lexical hit is always a
candidate, and the ``max_pairs`` strongest semantic pairs per draft scene are added. Nothing here is
evidence yet: ``simcheck.match.evidence`` aligns every candidate.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np

from simcheck.match.draft import Probe
from simcheck.match.rarity import Calibration, length_bin
from simcheck.search.references import References
from simcheck.settings import CANDIDATE_RARITY, LENGTH_BINS, LEXICAL_HIT


@dataclass
class _Hits:
    lexical: int = 0
    semantic: float = 0.0


def semantic_floors(
    calibration: Calibration, n_passages: int, rarity: float = CANDIDATE_RARITY
) -> np.ndarray:
    """Cosine a passage needs, per length bin, to reach ``rarity`` among ``n_passages`` passages."""
    reps = [max(1, LENGTH_BINS[0] - 1), *LENGTH_BINS]  # one word count inside each bin
    return np.asarray([calibration.semantic.threshold(w, n_passages, rarity) for w in reps], dtype=np.float64)


def find_candidates(
    probe: Probe,
    references: References,
    calibration: Calibration,
    neighbours: int,
    max_pairs: int,
) -> dict[int, list[tuple[int, int]]]:
    """Candidate ``(draft scene, reference scene)`` pairs per reference script id, sorted."""
    n = len(probe.passages)
    if n == 0 or references.n_passages == 0:
        return {}
    k = min(references.n_passages, neighbours + (20 if probe.exclude_scripts else 0))
    sims, ids = references.search_semantic(probe.vectors, k)
    lexical = references.search_lexical(probe.signatures)
    floors = semantic_floors(calibration, references.n_passages)
    passage_floor = floors[[length_bin(int(w)) for w in probe.passage_lengths]]

    wanted: set[int] = set()
    for row in lexical:
        wanted.update(int(i) for i in row)
    keep = (ids >= 0) & (sims >= passage_floor[:, None])
    wanted.update(int(i) for i in ids[keep])
    if not wanted:
        return {}
    meta = {p.id: (p.script_id, p.scene) for p in references.passages(sorted(wanted))}

    hits: dict[tuple[int, int, int], _Hits] = defaultdict(_Hits)
    for i, passage in enumerate(probe.passages):
        scene = passage.scene
        for pid in lexical[i]:
            script_id, ref_scene = meta[int(pid)]
            if script_id not in probe.exclude_scripts:
                hits[(scene, script_id, ref_scene)].lexical += 1
        for sim, pid in zip(sims[i][keep[i]], ids[i][keep[i]], strict=True):
            script_id, ref_scene = meta[int(pid)]
            if script_id not in probe.exclude_scripts:
                hits[(scene, script_id, ref_scene)].semantic += float(sim) - float(passage_floor[i]) + 1e-6

    per_scene: dict[int, list[tuple[float, int, int, bool]]] = defaultdict(list)
    for (scene, script_id, ref_scene), hit in hits.items():
        weight = LEXICAL_HIT * hit.lexical + hit.semantic
        per_scene[scene].append((weight, script_id, ref_scene, hit.lexical > 0))
    out: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for scene, entries in per_scene.items():
        entries.sort(key=lambda e: (-e[0], e[1], e[2]))
        for rank, (_weight, script_id, ref_scene, has_lexical) in enumerate(entries):
            if has_lexical or rank < max_pairs:
                out[script_id].add((scene, ref_scene))
    return {script_id: sorted(pairs) for script_id, pairs in sorted(out.items())}
