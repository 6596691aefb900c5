"""References held in RAM: pairwise mode (``compare --against``), built from already-read scripts.

Same feature extraction and same search structures as the on-disk index (``simcheck.index.store``):
passages from ``make_passages``, shingle hashes and MinHash signatures from ``simcheck.text.fingerprints``,
banded LSH from ``simcheck.search.lsh``, embeddings rounded to float16 and searched exactly with FAISS
``IndexFlatIP``. Passage ids are dense ``0..n-1`` in the order of the scripts given, then script order.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from simcheck.embed import Embedder, load_embedder
from simcheck.model import Passage, Script
from simcheck.search.lsh import BandIndex
from simcheck.search.references import ReferenceScript, StoredPassage
from simcheck.search.vectors import flat_index, search, to_stored
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import count_scripts, lookup_counts, script_features
from simcheck.text.story_table import StoryTable, story_table


def _as_ids(ids: Sequence[int] | np.ndarray, n: int) -> np.ndarray:
    array = np.asarray(ids, dtype=np.int64).reshape(-1)
    if array.size and (array.min() < 0 or array.max() >= n):
        raise KeyError(f"passage id out of range 0..{n - 1}")
    return array


class MemoryReferences:
    """``simcheck.search.references.References`` fully in memory."""

    def __init__(
        self,
        settings: IndexSettings,
        scripts: Sequence[Script],
        refs: Sequence[ReferenceScript],
        stored: Sequence[StoredPassage],
        vectors: np.ndarray,
        signatures: np.ndarray,
        shingle_table: tuple[np.ndarray, np.ndarray],
        scene_ranges: dict[tuple[int, int], tuple[int, int]],
    ) -> None:
        self.settings = settings
        self._scripts = list(scripts)
        self._refs = list(refs)
        self._stored = list(stored)
        self._vectors = vectors  # float16 (n, dim)
        self._signatures = signatures.astype(np.uint32)
        self._bands = BandIndex.build(signatures, settings.lsh_bands, settings.lsh_rows)
        self._faiss = flat_index(vectors, vectors.shape[1])
        self._shingles, self._shingle_counts = shingle_table
        self._scene_ranges = scene_ranges
        self._extra: dict[str, str] = {}

    @classmethod
    def build(
        cls,
        scripts: Sequence[Script],
        settings: IndexSettings | None = None,
        embedder: Embedder | None = None,
        progress: Callable[[int, int], None] | None = None,
    ) -> MemoryReferences:
        """Cut, hash and embed ``scripts``; ``embedder`` defaults to ``load_embedder(settings.model)``.

        ``settings.model`` is replaced by the embedder's name so that ``model_name`` tells the truth.
        ``progress(done, total)`` is called with passages embedded so far.
        """
        settings = settings or IndexSettings()
        if embedder is None:
            embedder = load_embedder(settings.model)
        settings = dataclasses.replace(settings, model=embedder.name)
        refs: list[ReferenceScript] = []
        stored: list[StoredPassage] = []
        signature_blocks: list[np.ndarray] = []
        uniques: list[np.ndarray] = []
        scene_ranges: dict[tuple[int, int], tuple[int, int]] = {}
        for script_id, script in enumerate(scripts):
            features = script_features(script, settings)
            first = len(stored)
            for passage in features.passages:
                pid = len(stored)
                stored.append(StoredPassage(pid, script_id, *_fields(passage)))
                lo, _hi = scene_ranges.get((script_id, passage.scene), (pid, pid))
                scene_ranges[(script_id, passage.scene)] = (lo, pid + 1)
            signature_blocks.append(features.signatures)
            uniques.append(features.unique_shingles)
            refs.append(
                ReferenceScript(
                    id=script_id,
                    path=script.path,
                    title=script.title,
                    sha256=script.sha256,
                    scenes=len(script.scenes),
                    passages=len(stored) - first,
                    cast=tuple(script.cast),
                )
            )
        texts = [p.text for p in stored]
        vectors = to_stored(_embed_with_progress(embedder, texts, progress))
        signatures = (
            np.concatenate(signature_blocks)
            if signature_blocks
            else np.zeros((0, settings.num_perm), dtype=np.uint64)
        )
        return cls(settings, scripts, refs, stored, vectors, signatures, count_scripts(uniques), scene_ranges)

    # --- References protocol -------------------------------------------------------------------

    @property
    def model_name(self) -> str:
        return self.settings.model

    @property
    def n_passages(self) -> int:
        return len(self._stored)

    def scripts(self) -> Sequence[ReferenceScript]:
        return tuple(self._refs)

    def load_script(self, script_id: int) -> Script:
        if not 0 <= script_id < len(self._scripts):
            raise KeyError(f"no reference script {script_id}")
        return self._scripts[script_id]

    def passages(self, ids: Sequence[int] | np.ndarray) -> list[StoredPassage]:
        return [self._stored[int(i)] for i in _as_ids(ids, self.n_passages)]

    def scene_passage_ids(self, script_id: int, scene: int) -> np.ndarray:
        lo, hi = self._scene_ranges.get((script_id, scene), (0, 0))
        return np.arange(lo, hi, dtype=np.int64)

    def story_table(self, script_id: int) -> StoryTable:
        if not 0 <= script_id < len(self._refs):
            raise KeyError(f"no reference script {script_id}")
        first = sum(r.passages for r in self._refs[:script_id])  # stored in script order
        return story_table(self._stored[first : first + self._refs[script_id].passages])

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        return self._vectors[_as_ids(ids, self.n_passages)].astype(np.float32)

    def signatures(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        return self._signatures[_as_ids(ids, self.n_passages)].astype(np.uint64)

    def search_semantic(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return search(self._faiss, vectors, k)

    def search_lexical(self, signatures: np.ndarray) -> list[np.ndarray]:
        return self._bands.query(signatures)

    def script_frequency(self, shingle_hashes: np.ndarray) -> np.ndarray:
        return lookup_counts(self._shingles, self._shingle_counts, shingle_hashes)

    def read_extra(self, name: str) -> dict[str, Any] | None:
        raw = self._extra.get(name)
        return None if raw is None else json.loads(raw)

    def write_extra(self, name: str, data: dict[str, Any]) -> None:
        self._extra[name] = json.dumps(data, sort_keys=True, allow_nan=False)


def _fields(passage: Passage) -> tuple[int, str, int, int, int, str, str | None]:
    """What a stored passage keeps of a passage, in ``StoredPassage``'s order after its ids."""
    return (
        passage.scene,
        passage.kind,
        passage.start,
        passage.end,
        passage.line,
        passage.text,
        passage.speaker,
    )


def _embed_with_progress(
    embedder: Embedder, texts: list[str], progress: Callable[[int, int], None] | None, chunk: int = 512
) -> np.ndarray:
    """Embed in chunks (longest first overall, so batches stay length-sorted), reporting progress."""
    out = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
    if not texts:
        return out
    order = sorted(range(len(texts)), key=lambda i: (-len(texts[i]), i))
    for begin in range(0, len(order), chunk):
        rows = order[begin : begin + chunk]
        out[rows] = embedder.embed([texts[i] for i in rows])
        if progress is not None:
            progress(min(begin + chunk, len(texts)), len(texts))
    return out
