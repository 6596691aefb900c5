"""Stage 4, search: where to look, fast, among many reference passages.

Owns the ``References`` protocol that every later stage reads references through (``references``),
the banded MinHash LSH over sorted band keys (``lsh``), the FAISS indexes over passage embeddings
(``vectors``) and references held in memory for pairwise mode (``memory``: built from scripts with the
same features as the on-disk index). Imports read, text and embed.
"""

from simcheck.search.references import References, ReferenceScript, StoredPassage

__all__ = ["ReferenceScript", "References", "StoredPassage"]
