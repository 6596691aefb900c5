"""Reading an index: its segments, the ``References`` protocol over all of them, information.

Opening reads and validates the manifest (``layout.read_manifest``) and checks that every file of
every segment is there with its size (a ``stat`` each); each file's checksum is verified the first
time it is read (``segment.Segment.checked``), so nothing is ever built from bytes that do not match
the manifest. ``check.verify`` checks everything at once.

Ids: the live passages (and scripts) of the segments, in manifest order, numbered densely from 0; a
segment without tombstones maps local id ``i`` to ``offset + i``. Searches run per segment (FAISS,
LSH) and are merged: semantic neighbours by similarity (ties by id), lexical candidates in id order.

FAISS index type (``simcheck.search.vectors.choose_index``): every segment is searched exactly while the
index holds up to ``FLAT_MAX_PASSAGES`` passages; above, a segment of ``IVF_MIN_SEGMENT`` passages or
more gets its own IVF index (a segment is at most ``SEGMENT_PASSAGES`` unless ``--compact`` merged
more: one IVF over the whole index, as the figures below). Measured on the 2-core machine while
other jobs shared it (load ~7), so absolute times are pessimistic and the ratios decided; a draft is
540 queries in one batch, k=10:

- up to ``FLAT_MAX_PASSAGES`` = 75,000 passages: exact ``IndexFlatIP`` (built in memory from the
  float16 vectors). The whole shared corpus (51,391 real passages, ``python -m benchmarks.index_speed``):
  1.7 s per draft; IVF1024/nprobe 16 would take 0.2 s but finds the same best reference passage for
  only 94% of the queries that have one at cosine >= 0.7 (another translation of a corpus play as the
  draft), so a corpus of this size stays exact;
- above: IVF (inner product, the vectors kept as float16), ``nlist`` ~ 4 sqrt(n) rounded to a power
  of two (1,024 lists at 10^5, 4,096 at 10^6), k-means on 16 points per list (10 iterations),
  ``nprobe`` = 16 (``python -m benchmarks scale`` on a quiet machine, vectors fitted to real MiniLM
  embeddings): at 10^5 0.19 s per draft; at 10^6 0.73 s once warm, near-copies (cosine 0.9) found 100%
  and paraphrase-like ones (cosine 0.75) 94%.

Lexical search is the banded LSH of ``simcheck.search.lsh`` (memory-mapped sorted band keys): 0.03-0.04 s
per draft from 10^4 to 10^6 passages, every planted near-copy found.
"""

from __future__ import annotations

import contextlib
import json
import os
import stat
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.embed import Embedder, load_embedder
from simcheck.errors import IndexCorrupt, IndexMismatch, IndexWriteError, problem_text
from simcheck.index.check import VerifyReport, verify
from simcheck.index.layout import (
    DB,
    EXTRA,
    EXTRA_NAME,
    MANIFEST,
    content_sha256,
    corrupt,
    read_manifest,
    regular_file,
    settings_from,
)
from simcheck.index.segment import Segment, signature_rows
from simcheck.model import Script
from simcheck.read.scriptjson import loads
from simcheck.search.references import ReferenceScript, StoredPassage
from simcheck.search.vectors import PAD_SIMILARITY
from simcheck.settings import MAX_MANIFEST_BYTES
from simcheck.text.story_table import StoryTable, story_table


@dataclass(frozen=True)
class IndexInfo:
    path: str
    generation: str  # the commit number
    simcheck_version: str
    format_version: int
    model: str
    dimension: int
    settings: dict[str, Any]
    scripts: int
    scenes: int
    passages: int
    faiss: dict[str, Any]  # of the largest segment
    bytes_on_disk: int
    created: str
    segments: int = 1
    removed_scripts: int = 0  # scripts removed but still on disk until --compact


@dataclass(frozen=True)
class IndexedScript:
    """An indexed script as ``build`` sees it: where it lies, to keep it or to tombstone it."""

    path: str
    sha256: str
    segment: str
    local_id: int
    passages: int
    scenes: int


@dataclass(frozen=True)
class ScriptEntry:
    """One live script for ``simcheck list``."""

    id: int
    path: str
    title: str | None
    scenes: int
    passages: int


class IndexReader:
    """An index opened for reading; implements ``simcheck.search.references.References``."""

    def __init__(self, path: Path, manifest: dict[str, Any], embedder: Embedder | None = None) -> None:
        self.path = path
        self._embedder = embedder
        self._segments: list[Segment] = []
        self._manifest: dict[str, Any] = {}
        self.switch(manifest)

    # -- segments ---------------------------------------------------------------------------------

    def switch(self, manifest: dict[str, Any]) -> None:
        """Read the segments of ``manifest`` from now on (after a write, or another writer's)."""
        self.close()
        self._manifest = manifest
        self.settings = settings_from(manifest["settings"])
        old = {s.name: s for s in self._segments}
        segments = []
        for meta in manifest["segments"]:
            same = old.get(meta["name"])
            if same is not None and same.meta == meta:
                segments.append(same)  # immutable: keeps what it verified
            else:
                segments.append(Segment(self.path, meta, self.settings, int(manifest["dimension"])))
        self._segments = segments
        for segment in segments:
            segment.check_sizes()
        self._offsets = np.cumsum([0] + [s.n_live for s in segments]).astype(np.int64)
        self._script_offsets = np.cumsum([0] + [s.n_live_scripts for s in segments]).astype(np.int64)
        self._scripts_cache: tuple[ReferenceScript, ...] | None = None
        self._scenes_cache: dict[str, dict[tuple[int, int], tuple[int, int]]] = {}
        if int(self._offsets[-1]) != self.n_passages:
            raise corrupt(self.path, f"{MANIFEST}: the segments' passages do not add up to its counts")

    @property
    def segments(self) -> Sequence[Segment]:
        return tuple(self._segments)

    def reload(self) -> None:
        """Re-read the manifest (another writer may have finished since this index was opened)."""
        manifest = read_manifest(self.path)
        if manifest["model"] != self._manifest["model"] or manifest["settings"] != self._manifest["settings"]:
            raise IndexMismatch(f"index {self.path} was rebuilt with other settings meanwhile; open it again")
        if manifest != self._manifest:
            self.switch(manifest)

    def close(self) -> None:
        for segment in self._segments:
            segment.close()

    def _split(self, ids: np.ndarray) -> Iterator[tuple[int, Segment, np.ndarray, np.ndarray]]:
        """(segment number, segment, positions in ``ids``, local ids) for the global ``ids``."""
        which = np.searchsorted(self._offsets, ids, side="right") - 1
        for number in np.unique(which):
            rows = np.flatnonzero(which == number)
            segment = self._segments[int(number)]
            yield int(number), segment, rows, segment.to_local(ids[rows] - self._offsets[number])

    def _ids(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        array = np.asarray(ids, dtype=np.int64).reshape(-1)
        if array.size and (array.min() < 0 or array.max() >= self.n_passages):
            raise KeyError(f"passage id out of range 0..{self.n_passages - 1}")
        return array

    def _script_map(self, number: int) -> np.ndarray:
        """Global script id of each local script id of segment ``number`` (-1: removed)."""
        segment = self._segments[number]
        out = np.full(segment.n_local_scripts, -1, dtype=np.int64)
        live = segment.live_script_ids()
        out[live] = self._script_offsets[number] + np.arange(len(live))
        return out

    def _locate_script(self, script_id: int) -> tuple[int, Segment, int]:
        if not 0 <= script_id < int(self._script_offsets[-1]):
            raise KeyError(f"no reference script {script_id}")
        number = int(np.searchsorted(self._script_offsets, script_id, side="right") - 1)
        segment = self._segments[number]
        local = int(segment.live_script_ids()[script_id - self._script_offsets[number]])
        return number, segment, local

    # -- model ------------------------------------------------------------------------------------

    def embedder(self) -> Embedder:
        """The index's embedding model (loaded on first use)."""
        if self._embedder is None:
            self._embedder = load_embedder(self._manifest["model"])
        if self._embedder.dimension != self._manifest["dimension"]:
            raise IndexMismatch(
                f"index {self.path}: model {self._embedder.name} gives {self._embedder.dimension}-d vectors, "
                f"the index holds {self._manifest['dimension']}-d ones; rebuild the index"
            )
        return self._embedder

    def use_embedder(self, embedder: Embedder) -> None:
        self._embedder = embedder

    # -- References protocol ------------------------------------------------------------------------

    @property
    def model_name(self) -> str:
        return str(self._manifest["model"])

    @property
    def dimension(self) -> int:
        return int(self._manifest["dimension"])

    @property
    def n_passages(self) -> int:
        return int(self._manifest["counts"]["passages"])

    @property
    def manifest(self) -> dict[str, Any]:
        return json.loads(json.dumps(self._manifest))

    @property
    def manifest_sha256(self) -> str:
        """The manifest's content checksum (not its creation time: identical builds give the same)."""
        return content_sha256(self._manifest)

    def scripts(self) -> Sequence[ReferenceScript]:
        if self._scripts_cache is None:
            out: list[ReferenceScript] = []
            for number, segment in enumerate(self._segments):
                mapping = self._script_map(number)
                for r in segment.query(
                    "SELECT id, path, title, sha256, scenes, passages, cast_json FROM scripts ORDER BY id"
                ):
                    if mapping[r[0]] >= 0:
                        out.append(
                            ReferenceScript(
                                int(mapping[r[0]]), r[1], r[2], r[3], r[4], r[5], tuple(json.loads(r[6]))
                            )
                        )
            self._scripts_cache = tuple(out)
        return self._scripts_cache

    def list_scripts(self) -> list[ScriptEntry]:
        return [ScriptEntry(s.id, s.path, s.title, s.scenes, s.passages) for s in self.scripts()]

    def indexed_scripts(self) -> list[IndexedScript]:
        """Every live script, as ``build`` keeps or replaces it."""
        out = []
        for segment in self._segments:
            removed = set(segment.deleted)
            for sid, path, digest, count, scenes in segment.query(
                "SELECT id, path, sha256, passages, scenes FROM scripts ORDER BY id"
            ):
                if sid not in removed:
                    out.append(IndexedScript(path, digest, segment.name, int(sid), int(count), int(scenes)))
        return out

    def load_script(self, script_id: int) -> Script:
        _number, segment, local = self._locate_script(int(script_id))
        rows = segment.query("SELECT script FROM scripts WHERE id = ?", (local,))
        if not rows:
            raise KeyError(f"no reference script {script_id}")
        try:
            return loads(rows[0][0])
        except ValueError as error:
            raise segment.damaged(DB, error) from error

    def passages(self, ids: Sequence[int] | np.ndarray) -> list[StoredPassage]:
        wanted = self._ids(ids)
        out: list[StoredPassage | None] = [None] * len(wanted)
        for number, segment, rows, local in self._split(wanted):
            scripts = self._script_map(number)
            found: dict[int, tuple[Any, ...]] = {}
            unique = sorted(set(local.tolist()))
            for begin in range(0, len(unique), 900):
                chunk = unique[begin : begin + 900]
                marks = ",".join("?" * len(chunk))
                for r in segment.query(
                    "SELECT id, script_id, scene, kind, start, end, line, text, speaker FROM passages "
                    f"WHERE id IN ({marks})",
                    chunk,
                ):
                    found[r[0]] = r
            for row, lid in zip(rows.tolist(), local.tolist(), strict=True):
                hit = found.get(lid)
                if hit is None or not 0 <= hit[1] < len(scripts):
                    raise corrupt(self.path, f"{segment.name}/{DB} lacks passage {lid}")
                out[row] = StoredPassage(int(wanted[row]), int(scripts[hit[1]]), *hit[2:])
        return out  # type: ignore[return-value]

    def scene_passage_ids(self, script_id: int, scene: int) -> np.ndarray:
        try:
            number, segment, local = self._locate_script(int(script_id))
        except KeyError:
            return np.zeros(0, dtype=np.int64)
        scenes = self._scenes_cache.get(segment.name)
        if scenes is None:
            rows = segment.query("SELECT script_id, number, first_passage, passages FROM scenes")
            scenes = {(r[0], r[1]): (r[2], r[3]) for r in rows}
            self._scenes_cache[segment.name] = scenes
        first, count = scenes.get((local, int(scene)), (0, 0))
        if not count:
            return np.zeros(0, dtype=np.int64)
        start = int(segment.to_dense(np.asarray([first]))[0]) + int(self._offsets[number])
        return np.arange(start, start + count, dtype=np.int64)

    def story_table(self, script_id: int) -> StoryTable:
        """The script's story units and their words (``simcheck.text.story_table``): as indexed, or made
        from its stored passages when its segment was written before the table or with other unit cuts."""
        number, segment, local = self._locate_script(int(script_id))
        stored = segment.story_table(local)
        if stored is not None:
            return stored
        first, count = (int(v) for v in segment.script_ranges()[local])
        start = int(segment.to_dense(np.asarray([first]))[0]) + int(self._offsets[number])
        return story_table(self.passages(np.arange(start, start + count, dtype=np.int64)))

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        wanted = self._ids(ids)
        out = np.zeros((len(wanted), self.dimension), dtype=np.float32)
        for _number, segment, rows, local in self._split(wanted):
            out[rows] = segment.vectors(local)
        return out

    def signatures(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        wanted = self._ids(ids)
        out = np.zeros((len(wanted), self.settings.num_perm), dtype=np.uint64)
        for _number, segment, rows, local in self._split(wanted):
            out[rows] = signature_rows(segment, local)
        return out

    def search_semantic(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        q = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
        n = q.shape[0] if q.size else 0
        live = [(i, s) for i, s in enumerate(self._segments) if s.n_live]
        if k <= 0 or n == 0 or not live:
            width = max(k, 0)
            return np.full((n, width), PAD_SIMILARITY, np.float32), np.full((n, width), -1, np.int64)
        parts = []
        for number, segment in live:
            sims, ids = segment.search_semantic(q, k)
            parts.append((sims, np.where(ids >= 0, ids + self._offsets[number], -1)))
        if len(parts) == 1 and parts[0][1].shape[1] == k:
            return parts[0]
        sims = np.concatenate([p[0] for p in parts] + [np.full((n, k), PAD_SIMILARITY, np.float32)], axis=1)
        ids = np.concatenate([p[1] for p in parts] + [np.full((n, k), -1, np.int64)], axis=1)
        tie = np.where(ids >= 0, ids, np.iinfo(np.int64).max)
        order = np.lexsort((tie, -sims.astype(np.float64)), axis=1)[:, :k]
        return np.take_along_axis(sims, order, axis=1), np.take_along_axis(ids, order, axis=1)

    def search_lexical(self, signatures: np.ndarray) -> list[np.ndarray]:
        sig = np.atleast_2d(np.asarray(signatures))
        per_segment = [
            [ids + self._offsets[number] for ids in segment.search_lexical(sig)]
            for number, segment in enumerate(self._segments)
            if segment.n_live
        ]
        if not per_segment:
            return [np.zeros(0, dtype=np.int64) for _ in range(sig.shape[0])]
        if len(per_segment) == 1:
            return per_segment[0]
        return [np.concatenate(found).astype(np.int64) for found in zip(*per_segment, strict=True)]

    def script_frequency(self, shingle_hashes: np.ndarray) -> np.ndarray:
        hashes = np.asarray(shingle_hashes)
        total = np.zeros(len(hashes), dtype=np.int64)
        for segment in self._segments:
            if segment.n_live_scripts:
                total += segment.script_frequency(hashes)
        return total.astype(np.uint32)

    def read_extra(self, name: str) -> dict[str, Any] | None:
        for target in (self._extra_path(name), *self._legacy_extra(name)):
            try:
                if not stat.S_ISDIR(os.lstat(target.parent).st_mode):
                    return None  # a link or a file where the folder should be: never followed
                size = regular_file(target).st_size
            except FileNotFoundError:
                continue
            except OSError:
                return None
            if size > MAX_MANIFEST_BYTES:
                return None
            try:
                with target.open("rb") as handle:
                    data = json.loads(handle.read(MAX_MANIFEST_BYTES).decode("utf-8"))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError):
                return None  # a damaged cache is a missing cache: it is recomputed
            return data if isinstance(data, dict) else None
        return None

    def write_extra(self, name: str, data: dict[str, Any]) -> None:
        target = self._extra_path(name)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            target.parent.mkdir(exist_ok=True)
            if not stat.S_ISDIR(os.lstat(target.parent).st_mode):
                raise OSError(f"{target.parent} is not a folder")
            tmp.write_text(json.dumps(data, sort_keys=True, allow_nan=False), encoding="utf-8")
            os.replace(tmp, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise IndexWriteError(f"cannot write {target}: {problem_text(error)}") from error

    def _extra_path(self, name: str) -> Path:
        if not EXTRA_NAME.match(name):
            raise ValueError(f"bad extra name {name!r}: letters, digits, '.', '_' and '-' only")
        return self.path / EXTRA / f"{name}.json"

    def _legacy_extra(self, name: str) -> list[Path]:
        """Where a format 1 index kept its extras (inside its generation)."""
        return [self.path / s.name / EXTRA / f"{name}.json" for s in self._segments if s.meta["layout"] == 1]

    # -- information ------------------------------------------------------------------------------

    def info(self) -> IndexInfo:
        m = self._manifest
        size = sum(int(f["bytes"]) for s in m["segments"] for f in s["files"].values())
        largest = max(m["segments"], key=lambda s: s["counts"]["passages"], default=None)
        return IndexInfo(
            path=str(self.path),
            generation=str(m["generation"]),
            simcheck_version=str(m.get("simcheck_version", "")),
            format_version=int(m["format_version"]),
            model=str(m["model"]),
            dimension=int(m["dimension"]),
            settings=dict(m["settings"]),
            scripts=int(m["counts"]["scripts"]),
            scenes=int(m["counts"]["scenes"]),
            passages=int(m["counts"]["passages"]),
            faiss=dict(largest["faiss"]) if largest else {"type": "flat"},
            bytes_on_disk=size,
            created=str(m.get("created", "")),
            segments=len(m["segments"]),
            removed_scripts=sum(len(s["deleted"]) for s in m["segments"]),
        )

    def verify(self) -> VerifyReport:
        """Check every file against the manifest's checksum, the databases and the arrays' shapes."""
        return verify(self)


__all__ = ["IndexCorrupt", "IndexInfo", "IndexReader", "IndexedScript", "ScriptEntry", "VerifyReport"]
