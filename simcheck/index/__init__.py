"""Stage 5, index: the on-disk reference index.

Owns what lies on disk (``layout``: names, schema, the manifest and its validation, the write lock),
reading one segment (``segment``) and all of them through the ``References`` protocol (``reader``;
``check`` verifies everything), writing a segment from data and committing it (``writer``: it never
sees an ``Index``; atomic swap of the manifest), building (``build``: add, remove, compact, under the
lock; ``pipeline`` reads files in worker processes, ``builder`` embeds and commits a segment at a
time, ``merge`` merges segments, ``distributed`` runs the reading and embedding on Ray). ``Index``
(``store``) puts them together. Imports read, text, embed and search.
"""

from simcheck.index.build import AddSummary, Progress, RemoveSummary
from simcheck.index.check import VerifyReport
from simcheck.index.reader import IndexInfo, ScriptEntry
from simcheck.index.store import Index
from simcheck.read.walk import Skipped

__all__ = [
    "AddSummary",
    "Index",
    "IndexInfo",
    "Progress",
    "RemoveSummary",
    "ScriptEntry",
    "Skipped",
    "VerifyReport",
]
