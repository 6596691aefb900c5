"""Building an index: ``add`` (files in, new segments out), ``remove`` (tombstones), under the write lock.

Incremental: files are identified by resolved path and content sha256. An unchanged file is never
re-read, re-cut or re-embedded, and the segments that hold it are not rewritten: an add costs what it
adds. New and changed files are read in worker processes (``pipeline``), their passages' vectors
found in the index or embedded while the workers read on, and committed a segment at a time
(``builder``): a crash loses at most one segment and a re-run resumes after the committed ones. The
replaced version of a changed file, and a file under a re-indexed folder that no longer exists, are
tombstoned in the manifest. Files that cannot be read are listed as skipped, and what was indexed
from them before is kept. ``engine="ray"`` reads, cuts and embeds on a Ray cluster
(``simcheck.index.distributed``); the segments are still written and committed here.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from simcheck.errors import problem_text
from simcheck.index.builder import SegmentBuilder, commit_segments
from simcheck.index.layout import WriteLock
from simcheck.index.merge import compact as merge_all
from simcheck.index.merge import merge_tail
from simcheck.index.pipeline import ToRead, default_workers, read_stream
from simcheck.index.reader import IndexedScript, IndexReader
from simcheck.index.writer import NewScript
from simcheck.read.walk import Skipped, hash_file, walk_scripts


@dataclass(frozen=True)
class Progress:
    """What ``add`` is doing: ``stage`` is "scan", "read" (files read and cut, ``done`` of ``total``)
    or "embed" (texts embedded so far; ``total`` 0 while unknown)."""

    stage: str
    done: int
    total: int
    item: str | None = None


ProgressCallback = Callable[[Progress], None]


@dataclass(frozen=True)
class AddSummary:
    added: tuple[str, ...]
    updated: tuple[str, ...]
    removed: tuple[str, ...]
    unchanged: int
    skipped: tuple[Skipped, ...]
    scripts: int  # totals in the index after the run
    scenes: int
    passages: int
    embedded: int  # passages embedded by this run
    reused: int  # passages of new or changed files whose vector was already in the index
    seconds: float
    segments: int = 0  # segments written by this run
    embed_seconds: float = 0.0
    write_seconds: float = 0.0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class RemoveSummary:
    removed: tuple[str, ...]
    not_indexed: tuple[str, ...]
    scripts: int
    passages: int


Reader = Callable[[Sequence[ToRead]], Iterator[NewScript | Skipped]]


def _within(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def add(
    index: IndexReader,
    paths: Iterable[str | Path],
    progress: ProgressCallback | None = None,
    workers: int | None = None,
    reader: Reader | None = None,
    exclude: Sequence[str] = (),
    *,
    follow_links: bool = False,
) -> AddSummary:
    """Index the script files under ``paths`` (see ``simcheck.index.Index.add``). ``reader`` reads the
    files to (re)index, in order (default: ``pipeline.read_stream`` with ``workers`` processes)."""
    began = time.perf_counter()
    report = progress or (lambda _p: None)
    roots = [os.path.abspath(os.path.expanduser(str(p))) for p in paths]
    both = roots + [os.path.realpath(r) for r in roots]  # indexed paths are resolved
    if reader is None:
        count = workers or default_workers()
        settings = index.settings

        def reader(items: Sequence[ToRead]) -> Iterator[NewScript | Skipped]:
            return read_stream(items, settings, count)

    with WriteLock(index.path):
        index.reload()
        report(Progress("scan", 0, 0))
        found, skipped = walk_scripts(roots, exclude=exclude, follow_links=follow_links)
        files = sorted(f.real for f in found)
        rows = {row.path: row for row in index.indexed_scripts()}
        to_read: list[ToRead] = []
        unchanged: list[IndexedScript] = []
        kept_failed: set[str] = set()
        for path in files:
            try:
                size, digest = hash_file(path)
            except OSError as error:
                skipped.append(Skipped(path, problem_text(error)))
                if path in rows:
                    kept_failed.add(path)
                continue
            old = rows.get(path)
            if old is not None and old.sha256 == digest:
                unchanged.append(old)
            else:
                to_read.append(ToRead(path, size, digest))
        replaces = {item.path: rows[item.path] for item in to_read if item.path in rows}
        embedded_so_far = [0]

        def embedded(count: int) -> None:
            embedded_so_far[0] += count
            report(Progress("embed", embedded_so_far[0], 0))

        builder = SegmentBuilder(index, replaces, embedded)
        new_paths: list[str] = []
        report(Progress("read", 0, len(to_read)))
        for done, outcome in enumerate(reader(to_read), start=1):
            if isinstance(outcome, Skipped):
                skipped.append(outcome)
                if outcome.path in rows:
                    kept_failed.add(outcome.path)  # keep what was indexed: losing it helps nobody
            else:
                builder.add(outcome)
                new_paths.append(outcome.script.path)
            report(
                Progress(
                    "read",
                    done,
                    len(to_read),
                    outcome.path if isinstance(outcome, Skipped) else outcome.script.path,
                )
            )
        seen = set(new_paths) | {r.path for r in unchanged} | kept_failed
        gone = [
            r
            for r in rows.values()
            if r.path not in seen and _within(r.path, both) and not os.path.exists(r.path)
        ]
        builder.finish(gone)  # one commit: the last segment and the removals
        if builder.counts.segments or gone:
            merge_tail(index)
        counts = index.manifest["counts"]
        return AddSummary(
            added=tuple(sorted(p for p in new_paths if p not in rows)),
            updated=tuple(sorted(p for p in new_paths if p in rows)),
            removed=tuple(sorted(r.path for r in gone)),
            unchanged=len(unchanged),
            skipped=tuple(sorted(skipped, key=lambda s: s.path)),
            scripts=int(counts["scripts"]),
            scenes=int(counts["scenes"]),
            passages=int(counts["passages"]),
            embedded=builder.counts.embedded,
            reused=builder.counts.reused,
            seconds=time.perf_counter() - began,
            segments=builder.counts.segments,
            embed_seconds=builder.counts.embed_s,
            write_seconds=builder.counts.write_s,
        )


def remove(index: IndexReader, paths: Iterable[str | Path]) -> RemoveSummary:
    """Drop the scripts indexed from ``paths`` (files, or folders: everything indexed under them):
    tombstones in the manifest; ``compact`` reclaims their space."""
    roots = [os.path.abspath(os.path.expanduser(str(p))) for p in paths]
    resolved = [os.path.realpath(r) for r in roots]
    with WriteLock(index.path):
        index.reload()
        rows = index.indexed_scripts()
        gone = [r for r in rows if _within(r.path, roots) or _within(r.path, resolved)]
        not_indexed = tuple(
            root
            for root, real in zip(roots, resolved, strict=True)
            if not any(_within(r.path, [root, real]) for r in rows)
        )
        if gone:
            commit_segments(index, [], gone, int(index.manifest["next_segment"]))
            merge_tail(index)
        counts = index.manifest["counts"]
        return RemoveSummary(
            removed=tuple(sorted(r.path for r in gone)),
            not_indexed=not_indexed,
            scripts=int(counts["scripts"]),
            passages=int(counts["passages"]),
        )


def compact(index: IndexReader) -> bool:
    """Merge every segment into one in path order, dropping removed scripts (see ``merge.compact``)."""
    with WriteLock(index.path):
        index.reload()
        return merge_all(index)


__all__ = ["AddSummary", "Progress", "ProgressCallback", "RemoveSummary", "add", "compact", "remove"]
