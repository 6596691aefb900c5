"""Candidate scene pairs: where to look closely, from both search structures.

Every draft passage asks the references twice: the MinHash LSH (``search_lexical``: passages sharing
enough word shingles) and the FAISS index (``search_semantic``: the ``k`` nearest embeddings). A
semantic neighbour counts only when its cosine is already somewhat unusual for a passage of that
length (rarity >= ``settings.CANDIDATE_RARITY``, looser than evidence). Hits are summed per
(draft scene, reference script, reference scene); a scene pair with a lexical hit is always a
candidate, and the ``max_pairs`` strongest semantic pairs per draft scene are added. Nothing here is
evidence yet: ``simcheck.match.evidence`` aligns every candidate.

The steps are separate functions (``search_neighbours``, ``scene_hits``, ``select_pairs``) so that the
calibration can search the passages of many pseudo-drafts in one call and rank each one's hits alone.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.match.draft import Probe
from simcheck.match.rarity import Calibration, length_bin
from simcheck.search.references import References
from simcheck.settings import CANDIDATE_RARITY, LENGTH_BINS, LEXICAL_HIT

# passage ids -> (reference script id, reference scene) of each
Locate = Callable[[np.ndarray], tuple[np.ndarray, np.ndarray]]


@dataclass
class Hits:
    lexical: int = 0
    semantic: float = 0.0

    @property
    def weight(self) -> float:
        return LEXICAL_HIT * self.lexical + self.semantic


@dataclass(frozen=True)
class Neighbours:
    """What the search structures found for query passages: the ``k`` nearest embeddings (``sims``,
    ``ids``: (n, k), id -1 pads) and the LSH candidates (``lexical``: sorted ids per query)."""

    sims: np.ndarray
    ids: np.ndarray
    lexical: list[np.ndarray]


def semantic_floors(
    calibration: Calibration, n_passages: int, rarity: float = CANDIDATE_RARITY
) -> np.ndarray:
    """Cosine a passage needs, per length bin, to reach ``rarity`` among ``n_passages`` passages."""
    reps = [max(1, LENGTH_BINS[0] - 1), *LENGTH_BINS]  # one word count inside each bin
    return np.asarray([calibration.semantic.threshold(w, n_passages, rarity) for w in reps], dtype=np.float64)


def passage_floors(floors: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """The floor of each passage of ``lengths`` words (``floors``: per length bin)."""
    return np.asarray(floors[[length_bin(int(w)) for w in lengths]], dtype=np.float64)


def search_neighbours(
    references: References, vectors: np.ndarray, signatures: np.ndarray, k: int
) -> Neighbours:
    """One semantic and one lexical search for all query rows."""
    sims, ids = references.search_semantic(vectors, k)
    return Neighbours(sims, ids, references.search_lexical(signatures))


def index_locator(references: References) -> Locate:
    """Where passages are, read from the references' passage table."""

    def locate(ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        found = references.passages(ids)
        return (
            np.asarray([p.script_id for p in found], dtype=np.int64),
            np.asarray([p.scene for p in found], dtype=np.int64),
        )

    return locate


def scene_hits(
    scenes: Sequence[int],
    floors: np.ndarray,
    found: Neighbours,
    locate: Locate,
    exclude: frozenset[int] = frozenset(),
) -> dict[tuple[int, int, int], Hits]:
    """Hits per (draft scene, reference script, reference scene): LSH candidates, and neighbours at
    least as similar as the passage's floor (``floors``: per query row)."""
    keep = (found.ids >= 0) & (found.sims >= floors[:, None])
    wanted_parts = [row for row in found.lexical] + [found.ids[keep]]
    wanted = np.unique(np.concatenate(wanted_parts)) if wanted_parts else np.zeros(0, np.int64)
    if wanted.size == 0:
        return {}
    script_ids, ref_scenes = locate(wanted)
    meta = dict(zip(wanted.tolist(), zip(script_ids.tolist(), ref_scenes.tolist(), strict=True), strict=True))
    hits: dict[tuple[int, int, int], Hits] = defaultdict(Hits)
    for i, scene in enumerate(scenes):
        for pid in found.lexical[i].tolist():
            script_id, ref_scene = meta[pid]
            if script_id not in exclude:
                hits[(scene, script_id, ref_scene)].lexical += 1
        row = keep[i]
        for sim, pid in zip(found.sims[i][row].tolist(), found.ids[i][row].tolist(), strict=True):
            script_id, ref_scene = meta[pid]
            if script_id not in exclude:
                hits[(scene, script_id, ref_scene)].semantic += sim - float(floors[i]) + 1e-6
    return hits


def select_pairs(
    hits: dict[tuple[int, int, int], Hits], max_pairs: int, limit: int | None = None
) -> dict[int, list[tuple[int, int]]]:
    """Candidate ``(draft scene, reference scene)`` pairs per reference script id, sorted: per draft
    scene every pair with a lexical hit and the ``max_pairs`` heaviest others; with ``limit``, at most
    that many pairs per draft scene, the heaviest."""
    per_scene: dict[int, list[tuple[float, int, int, bool]]] = defaultdict(list)
    for (scene, script_id, ref_scene), hit in hits.items():
        per_scene[scene].append((hit.weight, script_id, ref_scene, hit.lexical > 0))
    out: dict[int, set[tuple[int, int]]] = defaultdict(set)
    for scene, entries in per_scene.items():
        entries.sort(key=lambda e: (-e[0], e[1], e[2]))
        chosen = [e for rank, e in enumerate(entries) if e[3] or rank < max_pairs]
        for _weight, script_id, ref_scene, _lexical in chosen[:limit]:
            out[script_id].add((scene, ref_scene))
    return {script_id: sorted(pairs) for script_id, pairs in sorted(out.items())}


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
    found = search_neighbours(references, probe.vectors, probe.signatures, k)
    floors = passage_floors(semantic_floors(calibration, references.n_passages), probe.passage_lengths)
    scenes = [p.scene for p in probe.passages]
    hits = scene_hits(scenes, floors, found, index_locator(references), probe.exclude_scripts)
    return select_pairs(hits, max_pairs)
