"""Writing one index generation from its contents: scripts, vectors, signatures; then the atomic swap.

The writer is handed data, never the ``Index``: the scripts in the order of their new ids (new ones,
read and cut, and kept ones, whose rows are copied from the previous generation's database), the
vectors and MinHash signatures of all their passages in that order. Everything is written into
``gen-N.tmp-PID``, fsynced, renamed to ``gen-N``, and only then is ``manifest.json`` replaced with
``os.replace``: a reader (or a run after a crash) sees either the previous generation or the new one,
never a half-written one. A failed write (disk full) removes its temporary folder and raises
``IndexWriteError``. Call it under ``layout.WriteLock``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.errors import IndexWriteError, problem_text
from simcheck.index.layout import (
    BAND_IDS,
    BAND_KEYS,
    DATA_FILES,
    DB,
    FAISS_FILE,
    GENERATION,
    MANIFEST,
    SCHEMA,
    SHINGLE_COUNTS,
    SHINGLES,
    SIGNATURES,
    VECTORS,
    fsync_dir,
    fsync_file,
    settings_from,
    sha256_file,
)
from simcheck.model import Script
from simcheck.read.scriptjson import dumps
from simcheck.search.lsh import BandIndex
from simcheck.search.vectors import build_index
from simcheck.text.fingerprints import ScriptFeatures, count_scripts
from simcheck.version import __version__


@dataclass(frozen=True)
class KeptScript:
    """An indexed script as a generation holds it (its rows are copied into the next one)."""

    id: int
    path: str
    sha256: str
    first_passage: int
    passages: int


@dataclass(frozen=True)
class NewScript:
    """A new or changed script, read and cut."""

    script: Script
    features: ScriptFeatures
    size: int  # bytes of its file


Entry = KeptScript | NewScript


def passages_of(entry: Entry) -> int:
    return entry.passages if isinstance(entry, KeptScript) else len(entry.features.passages)


class GenerationWriter:
    """Writes the next generation of the index at ``folder`` (whose current manifest is ``manifest``)."""

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

    def write(
        self,
        entries: Sequence[Entry],
        vectors: np.ndarray,
        signatures: np.ndarray,
        previous_db: Path | None = None,
    ) -> dict[str, Any]:
        """Write a generation holding ``entries`` (script ``i`` gets id ``i``), whose passages' vectors
        (n, dimension) and signatures (n, num_perm) are given in the same order, and swap it in. Kept
        scripts are copied from ``previous_db``. Returns the new manifest."""
        try:
            return self._write(entries, vectors, signatures, previous_db)
        finally:
            self.discard()

    def _write(
        self, entries: Sequence[Entry], vectors: np.ndarray, signatures: np.ndarray, previous_db: Path | None
    ) -> dict[str, Any]:
        settings = self.settings
        try:
            self._clean_stale()
            self.tmp.mkdir()
            db = sqlite3.connect(self.tmp / DB)
            try:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                db.executescript(SCHEMA)
                uniques = _fill(db, entries, previous_db)
                scenes = int(db.execute("SELECT count(*) FROM scenes").fetchone()[0])
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
            counts = {"scripts": len(entries), "scenes": scenes, "passages": int(len(vectors))}
            manifest = self._swap(counts, faiss_meta, files)
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

    def _swap(
        self, counts: dict[str, int], faiss_meta: dict[str, Any], files: dict[str, dict[str, Any]]
    ) -> dict[str, Any]:
        """Rename the finished folder into place, then replace the manifest atomically."""
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
                "counts": counts,
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
            if GENERATION.match(entry.name) and entry.name not in keep:
                shutil.rmtree(entry, ignore_errors=True)


def _fill(db: sqlite3.Connection, entries: Sequence[Entry], previous_db: Path | None) -> list[np.ndarray]:
    """Fill the tables for ``entries`` (ids in order); the unique shingle hashes of every script."""
    new_uniques: list[np.ndarray] = []
    kept_ids: list[int] = []
    if previous_db is not None and any(isinstance(e, KeptScript) for e in entries):
        db.execute("ATTACH DATABASE ? AS old", (previous_db.resolve().as_uri() + "?mode=ro",))
    first = 0
    for sid, entry in enumerate(entries):
        if isinstance(entry, KeptScript):
            _copy_kept(db, sid, first, entry)
            kept_ids.append(entry.id)
        else:
            _insert_new(db, sid, first, entry)
            new_uniques.append(entry.features.unique_shingles)
        first += passages_of(entry)
    db.commit()
    kept_uniques = [
        np.frombuffer(
            db.execute("SELECT shingles FROM old.scripts WHERE id = ?", (old,)).fetchone()[0], "<u4"
        )
        for old in kept_ids
    ]
    if kept_ids:
        db.execute("DETACH DATABASE old")
    return new_uniques + [u.astype(np.uint32) for u in kept_uniques]


def _copy_kept(db: sqlite3.Connection, sid: int, first: int, entry: KeptScript) -> None:
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


def _insert_new(db: sqlite3.Connection, sid: int, first: int, entry: NewScript) -> None:
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
