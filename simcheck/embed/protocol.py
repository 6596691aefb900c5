"""What an embedder is: a name (what the index records), a dimension, and ``embed(texts)``."""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Protocol, runtime_checkable

import numpy as np


@runtime_checkable
class Embedder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """float32 (len(texts), dimension), each row L2-normalised (zero rows for empty texts)."""
        ...


def embed_reporting(embedder: Embedder, texts: list[str], progress: Callable[[int], None]) -> np.ndarray:
    """The texts' vectors; ``progress(done)`` as the embedder reports it, if it can."""
    progress(0)
    if "progress" in inspect.signature(embedder.embed).parameters:
        return embedder.embed(texts, progress=progress)  # type: ignore[call-arg]
    return embedder.embed(texts)


def normalise_rows(vectors: np.ndarray) -> np.ndarray:
    """float32 rows scaled to unit length (zero rows stay zero)."""
    out = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.divide(out, norms, out=np.zeros_like(out), where=norms > 0).astype(np.float32, copy=False)
