"""Peer detectors run on the same cases as simcheck, in the same run, scored the same way.

- ``SemanticBaseline``: brute force semantic search, the obvious thing to build with
  sentence-transformers. Every draft passage is embedded with plain ``SentenceTransformer.encode``
  and searched with ``sentence_transformers.util.semantic_search`` (exact cosine, top 5) over *all*
  reference passages; a hit is a pair above a fixed cosine threshold. No lexical side, no alignment,
  no calibration, no stock-phrase weighting. To avoid embedding the corpus twice it uses the passages
  and the embeddings stored in simcheck's index (same model, same passage cutting), so the difference
  it shows is what simcheck does *after* retrieval.
- ``CopydetectPeer``: the ``copydetect`` package (PyPI, MOSS-style winnowed k-gram fingerprints,
  Schleimer et al. 2003) run on the raw text of the files (``filter=False``: its tokeniser is for
  code); a hit is a copied slice of at least ``k`` characters. It sees through nothing: not renamed
  characters, not reworded lines. copydetect hashes with Python's ``hash()``, which is salted per
  process: ``python -m benchmarks`` runs with ``PYTHONHASHSEED=0`` so its numbers repeat.

Both produce ``Hit``s (draft span, reference path, reference span(s), score) like simcheck's
evidence, so ``benchmarks.quality`` scores all three with one function.
"""

from __future__ import annotations

import io
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

SEMANTIC_TOP_K = 5
SEMANTIC_THRESHOLDS = (0.6, 0.7, 0.8)
COPYDETECT_K = (25, 50)  # characters: copydetect's default noise threshold, and a stricter one


@dataclass(frozen=True)
class Hit:
    """A detection: draft text [draft_start, draft_end) said to come from ``ref_spans`` of ``reference``."""

    draft_start: int
    draft_end: int
    reference: str  # resolved path
    ref_spans: tuple[tuple[int, int], ...]
    score: float  # cosine (semantic), slice length in chars (copydetect), level rank (simcheck)


def read_text(path: str | Path) -> str:
    with open(path, encoding="utf-8", newline="") as handle:
        return handle.read()


class SemanticBaseline:
    """Exact semantic search over every reference passage of an index (see module docstring)."""

    name = "semantic baseline (util.semantic_search)"

    def __init__(self, index: Any, model: Any) -> None:
        import torch

        self.model = model
        n = int(index.n_passages)
        ids = np.arange(n, dtype=np.int64)
        stored = index.passages(ids)
        paths = {s.id: str(Path(s.path).resolve()) for s in index.scripts()}
        self.ref_path = [paths[p.script_id] for p in stored]
        self.ref_span = [(p.start, p.end) for p in stored]
        self.ref_scene = [p.scene for p in stored]
        vectors = np.asarray(index.vectors(ids), dtype=np.float32)
        self.corpus = torch.from_numpy(np.ascontiguousarray(vectors))

    def search(self, draft_path: str | Path, min_score: float) -> list[Hit]:
        """Hits at cosine >= ``min_score`` (use the lowest threshold, filter the rest later)."""
        from sentence_transformers import util

        from simcheck.read import read_script
        from simcheck.settings import IndexSettings
        from simcheck.text.passages import make_passages

        script = read_script(draft_path)
        passages = make_passages(script, IndexSettings())
        if not passages:
            return []
        query = self.model.encode(
            [p.text for p in passages],
            batch_size=32,
            convert_to_tensor=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        ).to(self.corpus.dtype)
        results = util.semantic_search(query, self.corpus, top_k=SEMANTIC_TOP_K)
        hits: list[Hit] = []
        for passage, found in zip(passages, results, strict=True):
            for item in found:
                score = float(item["score"])
                if score < min_score:
                    continue
                cid = int(item["corpus_id"])
                hits.append(Hit(passage.start, passage.end, self.ref_path[cid], (self.ref_span[cid],), score))
        return hits

    def vote_scenes(self, draft_path: str | Path) -> dict[int, list[tuple[str, int, int]]]:
        """For each draft scene: reference (path, scene) ranked by how many of its passages' top-1
        neighbour fall there: [(path, scene, votes), ...] best first (the translation benchmark)."""
        from sentence_transformers import util

        from simcheck.read import read_script
        from simcheck.settings import IndexSettings
        from simcheck.text.passages import make_passages

        script = read_script(draft_path)
        passages = make_passages(script, IndexSettings())
        if not passages:
            return {}
        query = self.model.encode(
            [p.text for p in passages],
            batch_size=32,
            convert_to_tensor=True,
            normalize_embeddings=True,
            show_progress_bar=False,
        ).to(self.corpus.dtype)
        results = util.semantic_search(query, self.corpus, top_k=1)
        votes: dict[int, dict[tuple[str, int], int]] = {}
        for passage, found in zip(passages, results, strict=True):
            if not found:
                continue
            cid = int(found[0]["corpus_id"])
            key = (self.ref_path[cid], self.ref_scene[cid])
            scene_votes = votes.setdefault(passage.scene, {})
            scene_votes[key] = scene_votes.get(key, 0) + 1
        return {
            scene: [(p, s, v) for (p, s), v in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))]
            for scene, counts in votes.items()
        }


class CopydetectPeer:
    """copydetect's fingerprints of every reference file, compared with each draft."""

    def __init__(self, references: Sequence[str | Path], k: int) -> None:
        from copydetect import CodeFingerprint

        self.k = k
        self.name = f"copydetect (k={k} chars)"
        self._fp = CodeFingerprint
        t0 = time.perf_counter()
        self.refs = [
            (str(Path(p).resolve()), CodeFingerprint(str(p), k, 1, filter=False))
            for p in sorted(map(str, references))
        ]
        self.build_seconds = time.perf_counter() - t0

    def search(self, draft_path: str | Path) -> list[Hit]:
        from copydetect import compare_files

        text = read_text(draft_path)
        draft = self._fp(str(draft_path), self.k, 1, filter=False, fp=io.StringIO(text))
        hits: list[Hit] = []
        for path, ref in self.refs:
            overlap, _, (draft_slices, ref_slices) = compare_files(draft, ref)
            if not overlap:
                continue
            ref_spans = tuple((int(s), int(e)) for s, e in zip(ref_slices[0], ref_slices[1], strict=True))
            for s, e in zip(draft_slices[0], draft_slices[1], strict=True):
                hits.append(Hit(int(s), int(e), path, ref_spans, float(e - s)))
        return hits
