"""Which embedder a model name stands for.

``load_embedder(name)`` asks the registered providers, newest first, and falls back to
sentence-transformers (``sbert.SentenceTransformerEmbedder``) for any other name or folder. A provider
is a function ``name -> Embedder | None``; registering one is how another embedder plugs in without
touching the pipeline (the test suite registers its fast fake embedder this way, in ``conftest.py``).
"""

from __future__ import annotations

from collections.abc import Callable

from simcheck.embed.protocol import Embedder
from simcheck.embed.sbert import SentenceTransformerEmbedder
from simcheck.settings import DEFAULT_MODEL

Provider = Callable[[str], Embedder | None]
_PROVIDERS: list[Provider] = []


def register_embedder(provider: Provider) -> Callable[[], None]:
    """Consult ``provider`` (before those registered earlier) for every name; returns its unregistering."""
    _PROVIDERS.append(provider)

    def unregister() -> None:
        if provider in _PROVIDERS:
            _PROVIDERS.remove(provider)

    return unregister


def load_embedder(name_or_path: str = DEFAULT_MODEL) -> Embedder:
    """The embedder ``name_or_path`` stands for: a registered provider's, else a sentence-transformers
    model."""
    for provider in reversed(_PROVIDERS):
        embedder = provider(name_or_path)
        if embedder is not None:
            return embedder
    return SentenceTransformerEmbedder(name_or_path)
