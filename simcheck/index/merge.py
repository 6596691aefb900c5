"""Merging segments: the small ones at the end after an add, all of them with ``--compact``.

A merge copies the live scripts of the merged segments (rows, vectors, signatures; nothing is read or
embedded again) into one new segment and drops what was removed. ``merge_tail`` merges the trailing
segments smaller than ``MERGE_MAX_PASSAGES`` once there are ``MERGE_FACTOR`` of them, in their order,
so that global ids (dense over the live passages in segment order) do not change: a registry grown
one script at a time keeps few segments, and each passage is rewritten about twice. ``compact``
rewrites the whole index as one segment with the scripts in path order: the same ids as one build of
the same files (a segment above ``FLAT_MAX_PASSAGES`` is searched by IVF).
"""

from __future__ import annotations

import numpy as np

from simcheck.index.reader import IndexReader
from simcheck.index.segment import Segment, signature_rows
from simcheck.index.writer import CopiedScript, commit, copied_entries, live_counts, write_segment
from simcheck.settings import MERGE_FACTOR, MERGE_MAX_PASSAGES


def merge(index: IndexReader, first: int, stop: int, by_path: bool) -> None:
    """Replace segments ``first..stop-1`` by one holding their live scripts (``by_path``: sorted by
    path, else in their order) and commit."""
    manifest = index.manifest
    chosen = list(index.segments[first:stop])
    entries: list[CopiedScript] = []
    for segment in chosen:
        entries.extend(copied_entries(segment, segment.live_script_ids().tolist()))
    if by_path:
        entries.sort(key=lambda e: e.path)
    total = sum(e.passages for e in entries)
    vectors = np.zeros((total, index.dimension), dtype=np.float16)
    signatures = np.zeros((total, index.settings.num_perm), dtype=np.uint32)
    cursor = 0
    for segment, group in _runs(entries):
        local = np.concatenate([np.arange(e.first_passage, e.first_passage + e.passages) for e in group])
        if local.size:
            vectors[cursor : cursor + local.size] = segment.vectors(local)
            signatures[cursor : cursor + local.size] = signature_rows(segment, local)
        cursor += local.size
    number = int(manifest["next_segment"])
    after = index.n_passages - sum(s.n_live for s in chosen) + total
    merged = (
        [write_segment(index.path, manifest, number, entries, vectors, signatures, after)] if entries else []
    )
    segments = manifest["segments"][:first] + merged + manifest["segments"][stop:]
    index.switch(commit(index.path, manifest, segments, number + 1))


def _runs(entries: list[CopiedScript]) -> list[tuple[Segment, list[CopiedScript]]]:
    """Consecutive entries of the same segment (one vector read each)."""
    runs: list[tuple[Segment, list[CopiedScript]]] = []
    for entry in entries:
        if runs and runs[-1][0] is entry.segment:
            runs[-1][1].append(entry)
        else:
            runs.append((entry.segment, [entry]))
    return runs


def merge_tail(index: IndexReader) -> bool:
    """Merge the small segments at the end once there are ``MERGE_FACTOR`` of them; True if it did."""
    segments = index.manifest["segments"]
    start = len(segments)
    while start > 0 and live_counts(segments[start - 1])["passages"] < MERGE_MAX_PASSAGES:
        start -= 1
    if len(segments) - start < MERGE_FACTOR:
        return False
    merge(index, start, len(segments), by_path=False)
    return True


def compact(index: IndexReader) -> bool:
    """Rewrite the index as one segment in path order; False if it already is one without removals
    whose scripts all have their story table (a segment written before the table gets it here)."""
    segments = index.manifest["segments"]
    if not segments or (
        len(segments) == 1
        and not segments[0]["deleted"]
        and _in_path_order(index)
        and not index.segments[0].scripts_without_story()
    ):
        return False
    merge(index, 0, len(segments), by_path=True)
    return True


def _in_path_order(index: IndexReader) -> bool:
    paths = [s.path for s in index.scripts()]
    return paths == sorted(paths) and index.segments[0].meta["layout"] == 2
