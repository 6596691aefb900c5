"""Stage 5, index: the on-disk reference index.

Owns opening, reading and searching an index (``reader``: the ``References`` protocol over memory-mapped
arrays, FAISS and SQLite), building it (``build``: add and remove, incremental, under the write lock),
writing one generation from arrays and scripts (``writer``: it never sees an ``Index``; atomic swap of
the manifest) and what lies on disk (``layout``: file names, schema, manifest, lock). ``Index``
(``store``) puts them together. Imports read, text, embed and search.
"""

from simcheck.index.build import AddSummary, Progress, RemoveSummary
from simcheck.index.reader import IndexInfo, VerifyReport
from simcheck.index.store import Index
from simcheck.read.walk import Skipped

__all__ = ["AddSummary", "Index", "IndexInfo", "Progress", "RemoveSummary", "Skipped", "VerifyReport"]
