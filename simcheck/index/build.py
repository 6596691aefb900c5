"""Building an index: ``add`` (files in, a new generation out) and ``remove``, under the write lock.

Incremental: files are identified by resolved path and content sha256. An unchanged file is not
re-read; its passages, signatures and vectors are copied from the previous generation. A passage of a
new or changed file whose text is already in the index reuses that vector: unchanged passages are
never re-embedded. A file under a re-indexed folder that no longer exists is dropped. Files that cannot
be read are listed as skipped, and what was indexed from them before is kept.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simcheck.errors import IndexMismatch, SimcheckError, problem_text
from simcheck.index.layout import DB, SIGNATURES, VECTORS, WriteLock
from simcheck.index.reader import IndexReader
from simcheck.index.writer import Entry, GenerationWriter, KeptScript, NewScript, passages_of
from simcheck.read import read_script
from simcheck.read.walk import Skipped, hash_file, walk_scripts
from simcheck.search.vectors import to_stored
from simcheck.text.fingerprints import script_features

EMBED_CHUNK = 512  # passages per embed call (progress granularity)


@dataclass(frozen=True)
class Progress:
    """What ``add`` is doing: ``stage`` is "scan", "read", "embed" or "write"; counts of that stage."""

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

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class RemoveSummary:
    removed: tuple[str, ...]
    not_indexed: tuple[str, ...]
    scripts: int
    passages: int


def _within(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


def add(
    index: IndexReader,
    paths: Iterable[str | Path],
    progress: ProgressCallback | None = None,
    exclude: Sequence[str] = (),
    *,
    follow_links: bool = False,
) -> AddSummary:
    """Index the script files under ``paths`` (see ``simcheck.index.Index.add``)."""
    began = time.perf_counter()
    report = progress or (lambda _p: None)
    roots = [os.path.abspath(os.path.expanduser(str(p))) for p in paths]
    both = roots + [os.path.realpath(r) for r in roots]  # indexed paths are resolved
    with WriteLock(index.path):
        index.reload()
        report(Progress("scan", 0, 0))
        found, skipped = walk_scripts(roots, exclude=exclude, follow_links=follow_links)
        files = sorted(f.real for f in found)
        rows = {row.path: row for row in index.kept_scripts()}
        new: list[NewScript] = []
        unchanged: list[KeptScript] = []
        kept_failed: set[str] = set()
        for done, path in enumerate(files, start=1):
            report(Progress("read", done - 1, len(files), path))
            try:
                size, digest = hash_file(path)
                old = rows.get(path)
                if old is not None and old.sha256 == digest:
                    unchanged.append(old)
                    continue
                script = read_script(path)
                if not script.sha256:
                    script = dataclasses.replace(script, sha256=digest)
                new.append(NewScript(script, script_features(script, index.settings), size))
            except (SimcheckError, OSError) as error:
                skipped.append(Skipped(path, problem_text(error)))
                if path in rows:
                    kept_failed.add(path)  # keep what was indexed: losing it helps nobody
            except Exception as error:  # a reader bug must not stop the whole run
                skipped.append(
                    Skipped(path, f"cannot be read ({type(error).__name__}: {problem_text(error)})")
                )
                if path in rows:
                    kept_failed.add(path)
        report(Progress("read", len(files), len(files)))
        seen = {s.script.path for s in new} | {r.path for r in unchanged} | kept_failed
        gone = [
            r
            for r in rows.values()
            if r.path not in seen and _within(r.path, both) and not os.path.exists(r.path)
        ]
        others = [r for r in rows.values() if r.path not in seen and r not in gone]
        added = tuple(sorted(s.script.path for s in new if s.script.path not in rows))
        updated = tuple(sorted(s.script.path for s in new if s.script.path in rows))
        removed = tuple(sorted(r.path for r in gone))
        embedded = reused = 0
        if added or updated or removed:
            keep = unchanged + others + [rows[p] for p in kept_failed]
            embedded, reused = write_generation(index, keep, new, report)
        counts = index.manifest["counts"]
        return AddSummary(
            added=added,
            updated=updated,
            removed=removed,
            unchanged=len(unchanged),
            skipped=tuple(sorted(skipped, key=lambda s: s.path)),
            scripts=int(counts["scripts"]),
            scenes=int(counts["scenes"]),
            passages=int(counts["passages"]),
            embedded=embedded,
            reused=reused,
            seconds=time.perf_counter() - began,
        )


def remove(index: IndexReader, paths: Iterable[str | Path]) -> RemoveSummary:
    """Drop the scripts indexed from ``paths`` (files, or folders: everything indexed under them)."""
    roots = [os.path.abspath(os.path.expanduser(str(p))) for p in paths]
    resolved = [os.path.realpath(r) for r in roots]
    with WriteLock(index.path):
        index.reload()
        rows = index.kept_scripts()
        gone = [r for r in rows if _within(r.path, roots) or _within(r.path, resolved)]
        not_indexed = tuple(
            root
            for root, real in zip(roots, resolved, strict=True)
            if not any(_within(r.path, [root, real]) for r in rows)
        )
        if gone:
            write_generation(index, [r for r in rows if r not in gone], [], lambda _p: None)
        counts = index.manifest["counts"]
        return RemoveSummary(
            removed=tuple(sorted(r.path for r in gone)),
            not_indexed=not_indexed,
            scripts=int(counts["scripts"]),
            passages=int(counts["passages"]),
        )


def write_generation(
    index: IndexReader, keep: list[KeptScript], new: list[NewScript], report: ProgressCallback
) -> tuple[int, int]:
    """Write the next generation from kept scripts of this one and new scripts, and switch ``index`` to
    it. Returns (passages embedded, passages whose vector was reused)."""
    # order: every script by path, so the result does not depend on the order of runs
    entries: list[Entry] = sorted(
        [*keep, *new], key=lambda e: e.path if isinstance(e, KeptScript) else e.script.path
    )
    n_total = sum(passages_of(e) for e in entries)
    old_vectors = index.array(VECTORS) if index.n_passages else None
    reuse, embedded = _new_vectors(index, new, old_vectors is not None, report)
    report(Progress("write", 0, 1))
    vectors = np.zeros((n_total, index.dimension), dtype=np.float16)
    signatures = np.zeros((n_total, index.settings.num_perm), dtype=np.uint32)
    old_signatures = index.array(SIGNATURES) if index.n_passages else None
    cursor = reused = 0
    for entry in entries:
        count = passages_of(entry)
        if isinstance(entry, KeptScript):
            if count:
                assert old_vectors is not None and old_signatures is not None
                a, b = entry.first_passage, entry.first_passage + count
                vectors[cursor : cursor + count] = old_vectors[a:b]
                signatures[cursor : cursor + count] = old_signatures[a:b]
        else:
            for offset, passage in enumerate(entry.features.passages):
                if passage.text in reuse:
                    assert old_vectors is not None
                    vectors[cursor + offset] = old_vectors[reuse[passage.text]]
                    reused += 1
                else:
                    vectors[cursor + offset] = embedded[passage.text]
            if count:
                signatures[cursor : cursor + count] = entry.features.signatures.astype(np.uint32)
        cursor += count
    writer = GenerationWriter(index.path, index.manifest, index.dimension)
    manifest = writer.write(
        entries, vectors, signatures, index.file(DB) if index.n_passages or keep else None
    )
    index.switch(manifest)
    report(Progress("write", 1, 1))
    return len(embedded), reused


def _new_vectors(
    index: IndexReader, new: list[NewScript], has_vectors: bool, report: ProgressCallback
) -> tuple[dict[str, int], dict[str, np.ndarray]]:
    """For the passages of new scripts: the stored passage to copy each known text's vector from, and
    the vectors of the texts embedded now."""
    new_texts = [p.text for s in new for p in s.features.passages]
    reuse: dict[str, int] = {}
    if new_texts and has_vectors:
        wanted = set(new_texts)
        for pid, text in index.db.execute("SELECT id, text FROM passages"):
            if text in wanted and text not in reuse:
                reuse[text] = pid
    to_embed = sorted({t for t in new_texts if t not in reuse}, key=lambda t: (-len(t), t))
    embedded: dict[str, np.ndarray] = {}
    if not to_embed:
        return reuse, embedded
    embedder = index.embedder()
    report(Progress("embed", 0, len(to_embed)))
    # every chunk takes every k-th text of the length-sorted list: chunks cost about the same
    # (a steady progress bar and ETA) and each is still sorted by length inside for batching
    n_chunks = -(-len(to_embed) // EMBED_CHUNK)
    done = 0
    for k in range(n_chunks):
        chunk = to_embed[k::n_chunks]
        vectors = to_stored(embedder.embed(chunk))
        if vectors.shape != (len(chunk), index.dimension):
            raise IndexMismatch(
                f"model {embedder.name} gave vectors of shape {vectors.shape[1:]}, the index holds "
                f"{index.dimension}-d ones; rebuild the index"
            )
        embedded.update(zip(chunk, vectors, strict=True))
        done += len(chunk)
        report(Progress("embed", done, len(to_embed)))
    return reuse, embedded
