"""Test-wide set-up: the fast fake embedder plugs in through simcheck's embedder registry.

Like simonw/llm's tests registering a ``MockModel``: ``HashEmbedder`` (``tests/fakes.py``) is registered
with ``simcheck.embed.register_embedder`` for the whole session, so ``--model hash-64`` (CLI) and
``load_embedder("hash-64")`` give it; the library itself knows nothing of it. The ``hash_embedder``
fixture hands one to tests that build references directly.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fakes import HashEmbedder, hash_provider

from simcheck.embed import register_embedder


@pytest.fixture(autouse=True, scope="session")
def _fake_embedder_registered() -> Iterator[None]:
    unregister = register_embedder(hash_provider)
    yield
    unregister()


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    """A 64-dimensional fake embedder (model name ``hash-64``)."""
    return HashEmbedder(64)
