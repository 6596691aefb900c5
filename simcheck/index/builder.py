"""Turning read scripts into committed segments: vectors found or embedded, a checkpoint per segment.

``SegmentBuilder.add`` takes the new scripts of an add in order. Their passage texts are resolved in
batches of ``EMBED_STREAM_TEXTS``: a text already in the index keeps its stored vector (looked up by
its 64-bit key in each segment's ``text_keys.npy``, confirmed against the stored text), the others are
embedded, longest first (so that batches need little padding). Every ``SEGMENT_PASSAGES`` passages
the buffered scripts are written as one segment and committed together with the tombstones of the
versions they replace: memory holds one segment, and a crash loses at most the segment being built
(a re-run finds the committed ones unchanged). ``commit_tombstones`` commits removals alone.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simcheck.errors import IndexMismatch
from simcheck.index.reader import IndexedScript, IndexReader
from simcheck.index.writer import NewScript, commit, text_keys, write_segment
from simcheck.search.vectors import to_stored
from simcheck.settings import EMBED_STREAM_TEXTS, SEGMENT_PASSAGES

EMBED_CHUNK = 512  # texts per embed call (progress granularity)


@dataclass
class BuildCounts:
    """What a build did, for ``AddSummary`` (times in seconds spent in this process)."""

    embedded: int = 0  # texts embedded by this run
    reused: int = 0  # passages of new scripts whose vector was already in the index
    segments: int = 0  # segments written
    embed_s: float = 0.0
    write_s: float = 0.0
    committed: list[str] = field(default_factory=list)  # paths committed so far


def with_tombstones(manifest: dict[str, Any], removed: Sequence[IndexedScript]) -> list[dict[str, Any]]:
    """The manifest's segments with ``removed`` scripts marked deleted."""
    by_segment: dict[str, list[IndexedScript]] = {}
    for script in removed:
        by_segment.setdefault(script.segment, []).append(script)
    segments = []
    for meta in manifest["segments"]:
        gone = by_segment.get(meta["name"])
        if gone:
            meta = dict(meta)
            meta["deleted"] = sorted(set(meta["deleted"]) | {s.local_id for s in gone})
            meta["deleted_passages"] = int(meta["deleted_passages"]) + sum(s.passages for s in gone)
            meta["deleted_scenes"] = int(meta.get("deleted_scenes", 0)) + sum(s.scenes for s in gone)
        segments.append(meta)
    return segments


def commit_segments(
    index: IndexReader, new: list[dict[str, Any]], removed: Sequence[IndexedScript], next_segment: int
) -> None:
    manifest = index.manifest
    segments = with_tombstones(manifest, removed) + new
    index.switch(commit(index.path, manifest, segments, next_segment))


class SegmentBuilder:
    """Buffers new scripts, resolves their vectors and writes and commits a segment when full."""

    def __init__(
        self,
        index: IndexReader,
        replaces: dict[str, IndexedScript],
        progress: Callable[[int], None] | None = None,
        segment_passages: int | None = None,
    ) -> None:
        self.index = index
        self.replaces = replaces  # indexed versions of the paths being re-read, tombstoned on commit
        self.progress = progress or (lambda _n: None)
        self.segment_passages = segment_passages or SEGMENT_PASSAGES
        self.counts = BuildCounts()
        self._scripts: list[NewScript] = []
        self._passages = 0
        self._vectors: dict[str, np.ndarray] = {}  # text -> float16 vector, for this segment
        self._queued: dict[str, None] = {}  # texts waiting for a vector, in order of arrival
        self._reused_texts: set[str] = set()

    def add(self, new: NewScript) -> None:
        self._scripts.append(new)
        self._passages += len(new.features.passages)
        if new.vectors is not None:
            self.counts.embedded += len(new.vectors)  # embedded elsewhere (--engine ray)
        else:
            for passage in new.features.passages:
                if passage.text not in self._vectors:
                    self._queued[passage.text] = None
            if len(self._queued) >= EMBED_STREAM_TEXTS:
                self._resolve()
        if self._passages >= self.segment_passages:
            self.flush()

    def finish(self, removed: Sequence[IndexedScript]) -> None:
        """Commit the last segment and the tombstones of ``removed`` scripts, together."""
        if self._scripts:
            self.flush(removed)
        elif removed:
            commit_segments(self.index, [], removed, int(self.index.manifest["next_segment"]))

    def flush(self, removed: Sequence[IndexedScript] = ()) -> None:
        """Write and commit the buffered scripts as one segment (nothing if none), with the tombstones
        of the versions they replace and of ``removed``."""
        if not self._scripts:
            return
        self._resolve()
        started = time.perf_counter()
        entries = self._scripts
        dimension = self.index.dimension
        vectors = np.zeros((self._passages, dimension), dtype=np.float16)
        signatures = np.zeros((self._passages, self.index.settings.num_perm), dtype=np.uint32)
        cursor = 0
        for entry in entries:
            count = len(entry.features.passages)
            if entry.vectors is not None:
                if entry.vectors.shape != (count, dimension):
                    raise IndexMismatch(f"{entry.script.path}: vectors of shape {entry.vectors.shape}")
                vectors[cursor : cursor + count] = entry.vectors
            else:
                for offset, passage in enumerate(entry.features.passages):
                    vectors[cursor + offset] = self._vectors[passage.text]
                    if passage.text in self._reused_texts:
                        self.counts.reused += 1
            if count:
                signatures[cursor : cursor + count] = entry.features.signatures.astype(np.uint32)
            cursor += count
        manifest = self.index.manifest
        number = int(manifest["next_segment"])
        total = self.index.n_passages + len(vectors)
        segment = write_segment(self.index.path, manifest, number, entries, vectors, signatures, total)
        replaced = [self.replaces[e.script.path] for e in entries if e.script.path in self.replaces]
        commit_segments(self.index, [segment], [*replaced, *removed], number + 1)
        self.counts.segments += 1
        self.counts.committed.extend(e.script.path for e in entries)
        self.counts.write_s += time.perf_counter() - started
        self._scripts, self._passages = [], 0
        self._vectors.clear()
        self._reused_texts.clear()

    def _resolve(self) -> None:
        """Find or embed a vector for every queued text."""
        texts = list(self._queued)
        self._queued.clear()
        if not texts:
            return
        started = time.perf_counter()
        found = self._known(texts)
        self._vectors.update(found)
        self._reused_texts.update(found)
        to_embed = sorted((t for t in texts if t not in found), key=lambda t: (-len(t), t))
        if to_embed:
            embedder = self.index.embedder()
            # every chunk takes every k-th text of the length-sorted list: chunks cost about the same
            # (a steady progress bar) and each is still sorted by length inside for batching
            n_chunks = -(-len(to_embed) // EMBED_CHUNK)
            for k in range(n_chunks):
                chunk = to_embed[k::n_chunks]
                vectors = to_stored(embedder.embed(chunk))
                if vectors.shape != (len(chunk), self.index.dimension):
                    raise IndexMismatch(
                        f"model {embedder.name} gave vectors of shape {vectors.shape[1:]}, the index holds "
                        f"{self.index.dimension}-d ones; rebuild the index"
                    )
                self._vectors.update(zip(chunk, vectors, strict=True))
                self.counts.embedded += len(chunk)
                self.progress(len(chunk))
        self.counts.embed_s += time.perf_counter() - started

    def _known(self, texts: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the texts the index already holds (any segment, removed scripts too)."""
        keys = text_keys(texts)
        out: dict[str, np.ndarray] = {}
        for segment in self.index.segments:
            left = [i for i, t in enumerate(texts) if t not in out]
            if not left:
                break
            local = segment.text_lookup(keys[left])
            hits = [(texts[left[j]], int(local[j])) for j in np.flatnonzero(local >= 0)]
            if not hits:
                continue
            stored: dict[int, str] = {}
            for chunk in _chunks([pid for _t, pid in hits], 900):
                stored.update(_texts(segment, chunk))
            confirmed = [(t, pid) for t, pid in hits if stored.get(pid) == t]  # a 64-bit key collision: no
            if confirmed:
                vectors = segment.vectors(np.asarray([pid for _t, pid in confirmed], dtype=np.int64))
                for (text, _pid), vector in zip(confirmed, vectors, strict=True):
                    out[text] = vector.astype(np.float16)
        return out


def _chunks(values: list[int], size: int) -> list[list[int]]:
    return [values[i : i + size] for i in range(0, len(values), size)]


def _texts(segment: Any, ids: list[int]) -> dict[int, str]:
    marks = ",".join("?" * len(ids))
    return {
        int(r[0]): r[1] for r in segment.query(f"SELECT id, text FROM passages WHERE id IN ({marks})", ids)
    }


__all__ = ["BuildCounts", "SegmentBuilder", "commit_segments", "with_tombstones"]
