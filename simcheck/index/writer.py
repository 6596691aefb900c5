"""Writing an index generation: the lock, the SQLite schema, the arrays, the atomic swap.

See ``simcheck.index.store`` for the layout. Everything is written into ``gen-N.tmp-PID``, fsynced,
renamed to ``gen-N``, and only then is ``manifest.json`` replaced with ``os.replace``: a reader (or
a run after a crash) sees either the previous generation or the new one, never a half-written one.
"""

from __future__ import annotations

import contextlib
import dataclasses
import errno
import fcntl
import hashlib
import json
import os
import re
import shutil
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from simcheck import __version__
from simcheck.errors import IndexLocked, IndexMismatch, IndexWriteError
from simcheck.model import Script
from simcheck.read.walk import problem_text
from simcheck.search.lsh import BandIndex
from simcheck.search.vectors import build_index, to_stored
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import ScriptFeatures, count_scripts

if TYPE_CHECKING:  # pragma: no cover
    from simcheck.index.store import Index

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
LOCK = "lock"
DB = "meta.sqlite"
FAISS_FILE = "vectors.faiss"
VECTORS = "vectors.f16.npy"
SIGNATURES = "signatures.npy"
BAND_KEYS = "band_keys.npy"
BAND_IDS = "band_ids.npy"
SHINGLES = "shingles.npy"
SHINGLE_COUNTS = "shingle_counts.npy"
EXTRA = "extra"
DATA_FILES = (DB, FAISS_FILE, VECTORS, SIGNATURES, BAND_KEYS, BAND_IDS, SHINGLES, SHINGLE_COUNTS)

_GEN = re.compile(r"^gen-(\d{6,})$")
_EMBED_CHUNK = 512  # passages per embed call (progress granularity)
_SCHEMA = """
CREATE TABLE scripts (
    id INTEGER PRIMARY KEY,
    path TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    title TEXT,
    format TEXT NOT NULL,
    scenes INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    first_passage INTEGER NOT NULL,
    cast_json TEXT NOT NULL,
    size INTEGER NOT NULL,
    script BLOB NOT NULL,
    shingles BLOB NOT NULL
);
CREATE TABLE scenes (
    script_id INTEGER NOT NULL,
    number INTEGER NOT NULL,
    heading TEXT,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    line INTEGER NOT NULL,
    first_passage INTEGER NOT NULL,
    passages INTEGER NOT NULL,
    PRIMARY KEY (script_id, number)
);
CREATE TABLE passages (
    id INTEGER PRIMARY KEY,
    script_id INTEGER NOT NULL,
    scene INTEGER NOT NULL,
    kind TEXT NOT NULL,
    start INTEGER NOT NULL,
    end INTEGER NOT NULL,
    line INTEGER NOT NULL,
    text TEXT NOT NULL,
    speaker TEXT
);
"""


@dataclass(frozen=True)
class Progress:
    """What ``add`` is doing: ``stage`` is "scan", "read", "embed" or "write"; counts of that stage."""

    stage: str
    done: int
    total: int
    item: str | None = None


ProgressCallback = Callable[[Progress], None]


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem lets a directory be fsynced
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def settings_dict(settings: IndexSettings) -> dict[str, Any]:
    return dataclasses.asdict(settings)


def settings_from(data: dict[str, Any]) -> IndexSettings:
    known = {f.name for f in dataclasses.fields(IndexSettings)}
    return IndexSettings(**{k: v for k, v in data.items() if k in known})


@dataclass(frozen=True)
class Row:
    """An indexed script as the current generation holds it."""

    id: int
    path: str
    sha256: str
    first_passage: int
    passages: int


@dataclass(frozen=True)
class New:
    """A new or changed script, read and cut, waiting for its vectors."""

    script: Script
    features: ScriptFeatures
    size: int


class WriteLock:
    """An exclusive ``flock`` on ``<index>/lock``; a second writer fails at once with ``IndexLocked``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._fd: int | None = None

    def __enter__(self) -> WriteLock:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            fd = os.open(self.folder / LOCK, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as error:
            raise IndexWriteError(f"cannot write index {self.folder}: {problem_text(error)}") from error
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            os.close(fd)
            if error.errno in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise IndexLocked(
                    f"index {self.folder} is being written by another simcheck process; "
                    "wait for it to finish or use another --index"
                ) from None
            raise IndexWriteError(f"cannot lock index {self.folder}: {problem_text(error)}") from error
        self._fd = fd
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None


class GenerationWriter:
    """Writes ``gen-N.tmp-PID``, renames it to ``gen-N`` and swaps ``manifest.json`` (under the lock)."""

    def __init__(self, folder: Path, manifest: dict[str, Any], dimension: int) -> None:
        self.folder = folder
        self.base = manifest
        self.dimension = dimension
        self.number = int(manifest.get("generation_number", 0)) + 1
        self.name = f"gen-{self.number:06d}"
        self.tmp = folder / f"{self.name}.tmp-{os.getpid()}"
        self.settings = settings_from(manifest["settings"])

    def discard(self) -> None:
        shutil.rmtree(self.tmp, ignore_errors=True)

    def write_empty(self) -> dict[str, Any]:
        try:
            return self.write_arrays(
                db_builder=lambda db: None,
                vectors=np.zeros((0, self.dimension), dtype=np.float16),
                signatures=np.zeros((0, self.settings.num_perm), dtype=np.uint32),
                uniques=[],
                counts={"scripts": 0, "scenes": 0, "passages": 0},
            )
        finally:
            self.discard()

    def write(
        self, index: Index, keep: list[Row], new: list[New], report: ProgressCallback
    ) -> tuple[int, int, dict[str, Any]]:
        settings = self.settings
        # order: every script by path, so the result does not depend on the order of runs
        entries: list[tuple[str, Row | New]] = [(r.path, r) for r in keep] + [(s.script.path, s) for s in new]
        entries.sort(key=lambda e: e[0])
        n_total = sum(
            e[1].passages if isinstance(e[1], Row) else len(e[1].features.passages) for e in entries
        )

        # vectors: copied for kept scripts, reused by text or embedded for new ones
        old_vectors = index._array(VECTORS) if index.n_passages else None
        new_texts = [p.text for s in new for p in s.features.passages]
        reuse: dict[str, int] = {}
        if new_texts and old_vectors is not None:
            wanted = set(new_texts)
            for pid, text in index.db.execute("SELECT id, text FROM passages"):
                if text in wanted and text not in reuse:
                    reuse[text] = pid
        to_embed = sorted({t for t in new_texts if t not in reuse}, key=lambda t: (-len(t), t))
        embedded_vectors: dict[str, np.ndarray] = {}
        if to_embed:
            embedder = index.embedder()
            report(Progress("embed", 0, len(to_embed)))
            # every chunk takes every k-th text of the length-sorted list: chunks cost about the same
            # (a steady progress bar and ETA) and each is still sorted by length inside for batching
            n_chunks = -(-len(to_embed) // _EMBED_CHUNK)
            done = 0
            for k in range(n_chunks):
                chunk = to_embed[k::n_chunks]
                vectors = to_stored(embedder.embed(chunk))
                if vectors.shape != (len(chunk), self.dimension):
                    raise IndexMismatch(
                        f"model {embedder.name} gave vectors of shape {vectors.shape[1:]}, the index holds "
                        f"{self.dimension}-d ones; rebuild the index"
                    )
                embedded_vectors.update(zip(chunk, vectors, strict=True))
                done += len(chunk)
                report(Progress("embed", done, len(to_embed)))
        report(Progress("write", 0, 1))

        vectors_out = np.zeros((n_total, self.dimension), dtype=np.float16)
        signatures_out = np.zeros((n_total, settings.num_perm), dtype=np.uint32)
        uniques: list[np.ndarray] = []
        plan: list[tuple[int, int, Row | New]] = []  # (new script id, first passage, entry)
        cursor = 0
        reused = 0
        old_signatures = index._array(SIGNATURES) if index.n_passages else None
        for sid, (_path, entry) in enumerate(entries):
            plan.append((sid, cursor, entry))
            if isinstance(entry, Row):
                a, b = entry.first_passage, entry.first_passage + entry.passages
                if entry.passages:
                    assert old_vectors is not None and old_signatures is not None
                    vectors_out[cursor : cursor + entry.passages] = old_vectors[a:b]
                    signatures_out[cursor : cursor + entry.passages] = old_signatures[a:b]
                cursor += entry.passages
            else:
                feats = entry.features
                count = len(feats.passages)
                for offset, passage in enumerate(feats.passages):
                    text = passage.text
                    if text in reuse:
                        assert old_vectors is not None
                        vectors_out[cursor + offset] = old_vectors[reuse[text]]
                        reused += 1
                    else:
                        vectors_out[cursor + offset] = embedded_vectors[text]
                if count:
                    signatures_out[cursor : cursor + count] = feats.signatures.astype(np.uint32)
                uniques.append(feats.unique_shingles)
                cursor += count
        for row in keep:
            blob = index._query("SELECT shingles FROM scripts WHERE id = ?", (row.id,))[0][0]
            uniques.append(np.frombuffer(blob, dtype="<u4").astype(np.uint32))

        scenes_total = 0

        def build_db(db: sqlite3.Connection) -> None:
            nonlocal scenes_total
            from simcheck.read.scriptjson import dumps

            db.execute("ATTACH DATABASE ? AS old", (index._file(DB).resolve().as_uri() + "?mode=ro",))
            for sid, first, entry in plan:
                if isinstance(entry, Row):
                    shift = first - entry.first_passage
                    db.execute(
                        "INSERT INTO scripts SELECT ?, path, sha256, title, format, scenes, passages, ?, "
                        "cast_json, size, script, shingles FROM old.scripts WHERE id = ?",
                        (sid, first, entry.id),
                    )
                    db.execute(
                        "INSERT INTO scenes SELECT ?, number, heading, start, end, line, first_passage + ?, "
                        "passages FROM old.scenes WHERE script_id = ?",
                        (sid, shift, entry.id),
                    )
                    db.execute(
                        "INSERT INTO passages SELECT id + ?, ?, scene, kind, start, end, line, text, speaker "
                        "FROM old.passages WHERE script_id = ?",
                        (shift, sid, entry.id),
                    )
                    continue
                script, feats = entry.script, entry.features
                db.execute(
                    "INSERT INTO scripts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (
                        sid,
                        script.path,
                        script.sha256,
                        script.title,
                        script.format,
                        len(script.scenes),
                        len(feats.passages),
                        first,
                        json.dumps(list(script.cast), ensure_ascii=False),
                        entry.size,
                        dumps(script),
                        np.asarray(feats.unique_shingles, dtype="<u4").tobytes(),
                    ),
                )
                per_scene: dict[int, list[int]] = {}
                for offset, passage in enumerate(feats.passages):
                    per_scene.setdefault(passage.scene, []).append(first + offset)
                db.executemany(
                    "INSERT INTO scenes VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (
                            sid,
                            scene.number,
                            scene.heading,
                            scene.start,
                            scene.end,
                            scene.line,
                            per_scene.get(scene.number, [first])[0],
                            len(per_scene.get(scene.number, [])),
                        )
                        for scene in script.scenes
                    ],
                )
                db.executemany(
                    "INSERT INTO passages VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    [
                        (first + o, sid, p.scene, p.kind, p.start, p.end, p.line, p.text, p.speaker)
                        for o, p in enumerate(feats.passages)
                    ],
                )
            db.commit()
            db.execute("DETACH DATABASE old")
            scenes_total = db.execute("SELECT count(*) FROM scenes").fetchone()[0]

        def counts() -> dict[str, int]:
            return {"scripts": len(entries), "scenes": scenes_total, "passages": n_total}

        manifest = self.write_arrays(build_db, vectors_out, signatures_out, uniques, counts)
        report(Progress("write", 1, 1))
        return len(to_embed), reused, manifest

    def write_arrays(
        self,
        db_builder: Callable[[sqlite3.Connection], None],
        vectors: np.ndarray,
        signatures: np.ndarray,
        uniques: list[np.ndarray],
        counts: dict[str, int] | Callable[[], dict[str, int]],
    ) -> dict[str, Any]:
        """Write a generation from its parts (``db_builder`` fills the SQLite tables) and swap it in.

        Used by ``write``/``write_empty`` and by ``benchmarks/scale.py`` for synthetic indexes.
        """
        settings = self.settings
        try:
            self._clean_stale()
            self.tmp.mkdir()
            db = sqlite3.connect(self.tmp / DB)
            try:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                db.executescript(_SCHEMA)
                db_builder(db)
                db.commit()
            finally:
                db.close()
            bands = BandIndex.build(signatures, settings.lsh_bands, settings.lsh_rows)
            shingles, shingle_counts = count_scripts(uniques)
            arrays = {
                VECTORS: vectors.astype(np.float16, copy=False),
                SIGNATURES: signatures.astype(np.uint32, copy=False),
                BAND_KEYS: bands.keys,
                BAND_IDS: bands.ids,
                SHINGLES: shingles,
                SHINGLE_COUNTS: shingle_counts,
            }
            for name, array in arrays.items():
                with open(self.tmp / name, "wb") as handle:
                    np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
            faiss_meta = build_index(vectors, self.dimension, self.tmp / FAISS_FILE)
            files: dict[str, dict[str, Any]] = {}
            for name in DATA_FILES:
                target = self.tmp / name
                fsync_file(target)
                files[name] = {"bytes": target.stat().st_size, "sha256": sha256_file(target)}
            fsync_dir(self.tmp)
            final = self.folder / self.name
            if final.exists():  # left by a run killed between rename and manifest swap
                shutil.rmtree(final)
            os.rename(self.tmp, final)
            fsync_dir(self.folder)
            manifest = dict(self.base)
            manifest.update(
                {
                    "simcheck_version": __version__,
                    "generation": self.name,
                    "generation_number": self.number,
                    "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
                    "counts": counts() if callable(counts) else counts,
                    "faiss": faiss_meta,
                    "files": files,
                }
            )
            tmp_manifest = self.folder / f"{MANIFEST}.tmp-{os.getpid()}"
            try:
                with open(tmp_manifest, "w", encoding="utf-8") as handle:
                    json.dump(manifest, handle, indent=1, sort_keys=True)
                    handle.flush()
                    os.fsync(handle.fileno())
                os.replace(tmp_manifest, self.folder / MANIFEST)
            except BaseException:
                with contextlib.suppress(OSError):
                    tmp_manifest.unlink()
                with contextlib.suppress(OSError):
                    shutil.rmtree(final)
                raise
            fsync_dir(self.folder)
        except OSError as error:
            self.discard()
            where = f" ({error.filename})" if getattr(error, "filename", None) else ""
            raise IndexWriteError(
                f"cannot write index {self.folder}: {problem_text(error)}{where}; "
                "the previous index is unchanged"
            ) from error
        except sqlite3.Error as error:
            self.discard()
            raise IndexWriteError(
                f"cannot write index {self.folder}: {error}; the previous index is unchanged"
            ) from error
        self._drop_old(keep={self.name, str(self.base.get("generation"))})
        return manifest

    def _clean_stale(self) -> None:
        """Remove temporary folders and manifests left by killed runs (we hold the lock)."""
        for entry in self.folder.iterdir():
            if ".tmp-" in entry.name and (entry.name.startswith("gen-") or entry.name.startswith(MANIFEST)):
                if entry.is_dir():
                    shutil.rmtree(entry, ignore_errors=True)
                else:
                    with contextlib.suppress(OSError):
                        entry.unlink()

    def _drop_old(self, keep: set[str]) -> None:
        for entry in self.folder.iterdir():
            if _GEN.match(entry.name) and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)
