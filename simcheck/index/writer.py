"""Writing index segments from data, and committing them: the atomic swap of the manifest.

The writer is handed data, never the ``Index``: the scripts of the new segment in the order of their
local ids (new ones, read and cut, or copied ones, whose rows are copied from another segment's
database: a merge), the float16 vectors and MinHash signatures of all their passages in that order.
A segment is written into ``seg-N.tmp-PID``, fsynced and renamed to ``seg-N``; only ``commit`` makes
it part of the index, by replacing ``manifest.json`` with ``os.replace``. A reader (or a run after a
crash) sees either the previous manifest or the new one, never a half-written segment; a segment
folder that no manifest lists (a run killed before its commit) is removed by the next writer. A
failed write (disk full) removes its temporary folder and raises ``IndexWriteError``. Call both under
``layout.WriteLock``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.errors import IndexWriteError, problem_text
from simcheck.index.layout import (
    BAND_IDS,
    BAND_KEYS,
    DB,
    FAISS_FILE,
    MANIFEST,
    SCHEMA,
    SEGMENT,
    SHINGLE_COUNTS,
    SHINGLES,
    SIGNATURES,
    TEXT_IDS,
    TEXT_KEYS,
    VECTORS,
    file_digest,
    fsync_dir,
    fsync_file,
    settings_from,
)
from simcheck.index.segment import Segment
from simcheck.model import Passage, Script
from simcheck.read.scriptjson import dumps
from simcheck.search.lsh import BandIndex
from simcheck.search.vectors import build_index, choose_index
from simcheck.text.fingerprints import ScriptFeatures, count_scripts
from simcheck.text.story_table import TABLE_KEY, encode, story_table
from simcheck.version import __version__


@dataclass(frozen=True)
class NewScript:
    """A new or changed script, read and cut (``vectors``: float16 embeddings when already made)."""

    script: Script
    features: ScriptFeatures
    size: int  # bytes of its file
    vectors: np.ndarray | None = None


@dataclass(frozen=True)
class CopiedScript:
    """A script of an existing segment, copied into a new one by a merge."""

    segment: Segment
    local_id: int
    path: str
    first_passage: int
    passages: int


Entry = NewScript | CopiedScript


def passages_of(entry: Entry) -> int:
    return entry.passages if isinstance(entry, CopiedScript) else len(entry.features.passages)


def path_of(entry: Entry) -> str:
    return entry.path if isinstance(entry, CopiedScript) else entry.script.path


def text_keys(texts: Sequence[str]) -> np.ndarray:
    """A 64-bit key of each passage text (``blake2b``): how a known text finds its stored vector."""
    return np.fromiter(
        (int.from_bytes(hashlib.blake2b(t.encode("utf-8"), digest_size=8).digest(), "little") for t in texts),
        dtype=np.uint64,
        count=len(texts),
    )


def write_segment(
    folder: Path,
    manifest: dict[str, Any],
    number: int,
    entries: Sequence[Entry],
    vectors: np.ndarray,
    signatures: np.ndarray,
    index_passages: int | None = None,
) -> dict[str, Any]:
    """Write segment ``seg-<number>`` of the index at ``folder`` (whose manifest is ``manifest``)
    holding ``entries`` (script ``i`` gets local id ``i``), whose passages' vectors (n, dimension) and
    signatures (n, num_perm) are given in the same order; ``index_passages``: the index's passages
    with it (for the choice of FAISS index). Returns its manifest entry (not committed)."""
    name = f"seg-{number:06d}"
    tmp = folder / f"{name}.tmp-{os.getpid()}"
    settings = settings_from(manifest["settings"])
    dimension = int(manifest["dimension"])
    try:
        try:
            tmp.mkdir()
            db = sqlite3.connect(tmp / DB)
            try:
                db.execute("PRAGMA journal_mode = OFF")
                db.execute("PRAGMA synchronous = OFF")
                db.executescript(SCHEMA)
                uniques, texts = _fill(db, entries)
                scenes = int(db.execute("SELECT count(*) FROM scenes").fetchone()[0])
            finally:
                db.close()
            bands = BandIndex.build(signatures, settings.lsh_bands, settings.lsh_rows)
            shingles, shingle_counts = count_scripts(uniques)
            keys = text_keys(texts)
            order = np.argsort(keys, kind="stable")
            arrays = {
                SIGNATURES: signatures.astype(np.uint32, copy=False),
                BAND_KEYS: bands.keys,
                BAND_IDS: bands.ids,
                SHINGLES: shingles,
                SHINGLE_COUNTS: shingle_counts,
                TEXT_KEYS: keys[order],
                TEXT_IDS: order.astype(np.int32),
            }
            faiss_meta = choose_index(len(vectors), index_passages)
            if faiss_meta["type"] == "flat":
                arrays[VECTORS] = vectors.astype(np.float16, copy=False)
            else:
                build_index(vectors, dimension, tmp / FAISS_FILE, faiss_meta, fp16=True)
            for array_name, array in arrays.items():
                with open(tmp / array_name, "wb") as handle:
                    np.save(handle, np.ascontiguousarray(array), allow_pickle=False)
            files: dict[str, dict[str, Any]] = {}
            for file_name in sorted(os.listdir(tmp)):
                target = tmp / file_name
                fsync_file(target)
                files[file_name] = {"bytes": target.stat().st_size, "xxh3": file_digest(target, "xxh3")}
            fsync_dir(tmp)
            final = folder / name
            if final.exists():  # left by a run killed between its rename and its commit
                shutil.rmtree(final)
            os.rename(tmp, final)
            fsync_dir(folder)
        except sqlite3.Error as error:
            raise OSError(str(error)) from error
    except OSError as error:
        shutil.rmtree(tmp, ignore_errors=True)
        where = f" ({error.filename})" if getattr(error, "filename", None) else ""
        raise IndexWriteError(
            f"cannot write index {folder}: {problem_text(error)}{where}; the previous index is unchanged"
        ) from error
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {
        "name": name,
        "layout": 2,
        "counts": {"scripts": len(entries), "scenes": scenes, "passages": int(len(vectors))},
        "faiss": faiss_meta,
        "files": files,
        "deleted": [],
        "deleted_passages": 0,
        "deleted_scenes": 0,
    }


def live_counts(segment: dict[str, Any]) -> dict[str, int]:
    counts = segment["counts"]
    return {
        "scripts": counts["scripts"] - len(segment["deleted"]),
        "scenes": counts["scenes"] - int(segment.get("deleted_scenes", 0)),
        "passages": counts["passages"] - int(segment["deleted_passages"]),
    }


def commit(
    folder: Path, base: dict[str, Any], segments: list[dict[str, Any]], next_segment: int
) -> dict[str, Any]:
    """Make ``segments`` the index's segments: write the new manifest and swap it in atomically; then
    remove the folders that neither it nor ``base`` (kept for readers that just read it) lists."""
    totals = {"scripts": 0, "scenes": 0, "passages": 0}
    for segment in segments:
        for key, value in live_counts(segment).items():
            totals[key] += value
    manifest = {k: v for k, v in base.items() if k not in ("files", "faiss", "generation_number")}
    manifest.update(
        {
            "format_version": 2,
            "simcheck_version": __version__,
            "generation": int(base.get("generation", 0)) + 1,
            "next_segment": next_segment,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "counts": totals,
            "segments": segments,
        }
    )
    write_manifest(folder, manifest)
    keep = {s["name"] for s in segments} | {s["name"] for s in base.get("segments", [])}
    drop_unlisted(folder, keep)
    return manifest


def write_manifest(folder: Path, manifest: dict[str, Any]) -> None:
    """Replace the index's manifest atomically (write, fsync, ``os.replace``, fsync the folder)."""
    tmp = folder / f"{MANIFEST}.tmp-{os.getpid()}"
    try:
        try:
            with open(tmp, "w", encoding="utf-8") as handle:
                json.dump(manifest, handle, indent=1, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, folder / MANIFEST)
        except BaseException:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise
        fsync_dir(folder)
    except OSError as error:
        raise IndexWriteError(
            f"cannot write index {folder}: {problem_text(error)}; the previous index is unchanged"
        ) from error


def drop_unlisted(folder: Path, keep: set[str]) -> None:
    """Remove segment folders that are not in ``keep`` and leftovers of killed runs (under the lock)."""
    for entry in folder.iterdir():
        name = entry.name
        stale = ".tmp-" in name and name.startswith(("gen-", "seg-", MANIFEST))
        unlisted = (SEGMENT.match(name) or name.startswith("gen-")) and name not in keep
        if stale or unlisted:
            if entry.is_dir() and not entry.is_symlink():
                shutil.rmtree(entry, ignore_errors=True)
            else:
                with contextlib.suppress(OSError):
                    entry.unlink()


def _fill(db: sqlite3.Connection, entries: Sequence[Entry]) -> tuple[list[np.ndarray], list[str]]:
    """Fill the tables for ``entries`` (local ids in order); every script's unique shingle hashes and
    every passage's text, in order."""
    uniques: list[np.ndarray] = []
    texts: list[str] = []
    first = 0
    attached: str | None = None
    for sid, entry in enumerate(entries):
        if isinstance(entry, CopiedScript):
            source = str(entry.segment.checked(DB))
            if attached != source:
                if attached is not None:
                    db.commit()
                    db.execute("DETACH DATABASE old")
                db.execute("ATTACH DATABASE ? AS old", (Path(source).resolve().as_uri() + "?mode=ro",))
                attached = source
            _copy(db, sid, first, entry)
            if not _copy_story(db, sid, entry):
                _insert_story(db, sid, _copied_passages(db, sid))
            uniques.append(
                np.frombuffer(
                    db.execute("SELECT shingles FROM old.scripts WHERE id = ?", (entry.local_id,)).fetchone()[
                        0
                    ],
                    "<u4",
                ).astype(np.uint32)
            )
            texts.extend(
                r[0]
                for r in db.execute(
                    "SELECT text FROM old.passages WHERE script_id = ? ORDER BY id", (entry.local_id,)
                )
            )
        else:
            _insert_new(db, sid, first, entry)
            _insert_story(db, sid, entry.features.passages)
            uniques.append(entry.features.unique_shingles)
            texts.extend(p.text for p in entry.features.passages)
        first += passages_of(entry)
    db.commit()
    if attached is not None:
        db.execute("DETACH DATABASE old")
    return uniques, texts


def _copy(db: sqlite3.Connection, sid: int, first: int, entry: CopiedScript) -> None:
    shift = first - entry.first_passage
    db.execute(
        "INSERT INTO scripts SELECT ?, path, sha256, title, format, scenes, passages, ?, "
        "cast_json, size, script, shingles FROM old.scripts WHERE id = ?",
        (sid, first, entry.local_id),
    )
    db.execute(
        "INSERT INTO scenes SELECT ?, number, heading, start, end, line, first_passage + ?, "
        "passages FROM old.scenes WHERE script_id = ?",
        (sid, shift, entry.local_id),
    )
    db.execute(
        "INSERT INTO passages SELECT id + ?, ?, scene, kind, start, end, line, text, speaker "
        "FROM old.passages WHERE script_id = ?",
        (shift, sid, entry.local_id),
    )


def _copy_story(db: sqlite3.Connection, sid: int, entry: CopiedScript) -> bool:
    """Copy a script's story row from the attached old segment when it has one made with today's unit
    cuts (``story_table.TABLE_KEY``); False when it has none (a segment written before the table)."""
    if not db.execute("SELECT 1 FROM old.sqlite_master WHERE type = 'table' AND name = 'story'").fetchone():
        return False
    cursor = db.execute(
        "INSERT INTO story SELECT ?, key, units, member_ends, members, vocabulary, count_ends, "
        "count_columns, counts, cast_json FROM old.story WHERE script_id = ? AND key = ?",
        (sid, entry.local_id, TABLE_KEY),
    )
    return cursor.rowcount == 1


def _copied_passages(db: sqlite3.Connection, sid: int) -> list[Passage]:
    return [
        Passage(*row)
        for row in db.execute(
            "SELECT scene, kind, start, end, line, text, speaker FROM passages "
            "WHERE script_id = ? ORDER BY id",
            (sid,),
        )
    ]


def _insert_story(db: sqlite3.Connection, sid: int, passages: Sequence[Passage]) -> None:
    """The script's story row (``simcheck.text.story_table``): its units and the words of each, made
    once here so that a compare reads them instead of re-cutting the passages."""
    values = encode(story_table(passages))
    db.execute("INSERT INTO story VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", (sid, *values))


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


def copied_entries(segment: Segment, local_ids: Sequence[int]) -> Iterator[CopiedScript]:
    """``CopiedScript`` entries for scripts of ``segment``."""
    rows = {r[0]: r for r in segment.query("SELECT id, path, first_passage, passages FROM scripts")}
    for sid in local_ids:
        r = rows[int(sid)]
        yield CopiedScript(segment, int(r[0]), r[1], int(r[2]), int(r[3]))
