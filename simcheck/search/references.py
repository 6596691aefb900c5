"""What a comparison needs from a set of reference scripts.

Two implementations: the on-disk ``simcheck.index.store.Index`` and the in-memory ``MemoryReferences``
(pairwise mode, ``compare --against``), both built by the same feature extraction, so the compare
code never knows which one it has. Passage ids are dense ints ``0..n_passages-1`` in both.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from simcheck.model import Script
from simcheck.settings import IndexSettings
from simcheck.text.story_table import StoryTable


@dataclass(frozen=True)
class ReferenceScript:
    """One indexed reference script (no text: load it with ``References.load_script``)."""

    id: int
    path: str  # as indexed (absolute, resolved)
    title: str | None
    sha256: str
    scenes: int
    passages: int
    cast: tuple[str, ...]


@dataclass(frozen=True)
class StoredPassage:
    """A reference passage as the index holds it; offsets point into its script's ``text``."""

    id: int
    script_id: int
    scene: int
    kind: str
    start: int
    end: int
    line: int
    text: str
    speaker: str | None


class References(Protocol):
    settings: IndexSettings

    @property
    def model_name(self) -> str: ...

    @property
    def n_passages(self) -> int: ...

    def scripts(self) -> Sequence[ReferenceScript]: ...

    def load_script(self, script_id: int) -> Script:
        """The full script model (scenes, elements, text) as it was read when indexed."""
        ...

    def passages(self, ids: Sequence[int] | np.ndarray) -> list[StoredPassage]: ...

    def scene_passage_ids(self, script_id: int, scene: int) -> np.ndarray: ...

    def story_table(self, script_id: int) -> StoryTable:
        """The script's story units and the words of each (``simcheck.text.story_table``); ``members``
        index its passages in id order."""
        ...

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Stored L2-normalised float32 embeddings of these passages, shape (len(ids), dim)."""
        ...

    def signatures(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        """Stored MinHash signatures, uint64 array of shape (len(ids), num_perm)."""
        ...

    def search_semantic(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        """Inner-product neighbours of each query row: (similarities, ids), both (n, k); ids -1 pad."""
        ...

    def search_lexical(self, signatures: np.ndarray) -> list[np.ndarray]:
        """LSH candidates (passage ids, sorted) for each query signature row."""
        ...

    def script_frequency(self, shingle_hashes: np.ndarray) -> np.ndarray:
        """For each shingle hash (uint32), in how many reference scripts it occurs (0 if none)."""
        ...

    def read_extra(self, name: str) -> dict[str, Any] | None:
        """A JSON document cached with the references (e.g. calibration), or None."""
        ...

    def write_extra(self, name: str, data: dict[str, Any]) -> None: ...
