"""Test doubles that plug into simcheck through its real interfaces (never used to measure anything).

``HashEmbedder``: a deterministic bag-of-hashed-words embedder. Texts sharing words get similar
vectors; it knows nothing of meaning. ``conftest.py`` registers it with ``simcheck.embed`` under the
model names ``hash-<dimension>``, so ``--model hash-64`` works in every test, CLI included.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence

import numpy as np

from simcheck.embed import Embedder, normalise_rows
from simcheck.text.tokens import words

HASH_NAME = re.compile(r"^hash-(\d+)$")


class HashEmbedder:
    """A normalised bag of hashed words."""

    def __init__(self, dimension: int = 64) -> None:
        if dimension < 2:
            raise ValueError("dimension must be at least 2")
        self._dimension = dimension

    @property
    def name(self) -> str:
        return f"hash-{self._dimension}"

    @property
    def dimension(self) -> int:
        return self._dimension

    def embed(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        out = np.zeros((len(texts), self._dimension), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in words(text):
                digest = hashlib.blake2b(word.encode("utf-8"), digest_size=8).digest()
                value = int.from_bytes(digest, "little")
                out[row, value % self._dimension] += 1.0 if (value >> 63) & 1 else -1.0
        if progress is not None:
            progress(len(texts))
        return normalise_rows(out)


def hash_provider(name: str) -> Embedder | None:
    """The ``simcheck.embed`` provider for ``hash-<dimension>`` names."""
    match = HASH_NAME.match(name)
    return HashEmbedder(int(match.group(1))) if match else None


def register_fake_embedder() -> None:
    """Register ``hash_provider`` in this process: a Ray worker's setup hook (the Ray engine's test)."""
    from simcheck.embed import register_embedder

    register_embedder(hash_provider)
