"""What an index folder holds on disk: names, the SQLite schema, the manifest and its validation, the lock.

Layout of an index folder, format 2 (nothing in it is pickled or executable; every file is data)::

    manifest.json          what the index is: simcheck version, model, IndexSettings, live counts, the
                           commit number and the list of segments, each with its counts, its FAISS
                           type, the local ids of its scripts that were removed (tombstones) and the
                           size and checksum (xxh3_128; sha256 in a format 1 folder) of each file
    lock                   the write lock (``filelock``): one writer at a time, a second gets IndexLocked
    seg-000004/            a segment: the scripts of one add (or of a merge), immutable once written
        meta.sqlite        scripts (incl. the full Script model as compressed JSON and the script's
                           unique shingle hashes), scenes, passages (text and offsets); local ids
        vectors.f16.npy    the embeddings, float16 (n, dim), stored once; searched exactly (a FAISS
                           IndexFlatIP built in memory from them) ...
        vectors.faiss      ... or, in a segment above ``FLAT_MAX_PASSAGES``, an IVF index that holds
                           them as float16 (``IndexIVFScalarQuantizer``), instead of the .npy
        signatures.npy     MinHash signatures, uint32 (n, num_perm)
        band_keys.npy      banded LSH: sorted band keys, uint64 (bands, m)
        band_ids.npy       ... and the local passage id of each key, int32 (bands, m)
        shingles.npy       common-phrase statistics: sorted unique shingle hashes, uint32
        shingle_counts.npy ... and in how many of the segment's scripts each occurs, uint32
        text_keys.npy      a 64-bit hash of every passage text, sorted (known texts keep their vector)
        text_ids.npy       ... and the local passage id of each, int32
    extra/NAME.json        documents cached by compare (calibration); not part of the checksums

A format 1 index (one ``gen-NNNNNN`` folder that also holds ``vectors.faiss`` and the float16 copy) is
read as an index of one segment of layout 1; a write to it keeps that folder as its first segment.

Global ids are dense: the live passages (and scripts) of the segments in manifest order, so that a
segment without tombstones maps local id ``i`` to ``offset + i``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import stat
from pathlib import Path
from typing import Any

import xxhash

from simcheck.errors import (
    IndexCorrupt,
    IndexLocked,
    IndexMismatch,
    IndexNotFound,
    IndexWriteError,
    problem_text,
)
from simcheck.settings import MAX_MANIFEST_BYTES, IndexSettings
from simcheck.version import __version__

FORMAT_VERSION = 2
MANIFEST = "manifest.json"
LOCK = "lock"
EXTRA = "extra"
DB = "meta.sqlite"
FAISS_FILE = "vectors.faiss"
VECTORS = "vectors.f16.npy"
SIGNATURES = "signatures.npy"
BAND_KEYS = "band_keys.npy"
BAND_IDS = "band_ids.npy"
SHINGLES = "shingles.npy"
SHINGLE_COUNTS = "shingle_counts.npy"
TEXT_KEYS = "text_keys.npy"
TEXT_IDS = "text_ids.npy"
COMMON_FILES = (DB, SIGNATURES, BAND_KEYS, BAND_IDS, SHINGLES, SHINGLE_COUNTS)
LEGACY_FILES = (DB, FAISS_FILE, VECTORS, SIGNATURES, BAND_KEYS, BAND_IDS, SHINGLES, SHINGLE_COUNTS)
SEGMENT_FILES = (*COMMON_FILES, TEXT_KEYS, TEXT_IDS)  # plus VECTORS (flat) or FAISS_FILE (ivf)
KNOWN_FILES = frozenset(LEGACY_FILES + SEGMENT_FILES)

GENERATION = re.compile(r"^gen-(\d{6,9})$")  # format 1 (and a format 1 folder kept as a segment)
SEGMENT = re.compile(r"^seg-(\d{6,9})$")
EXTRA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")
DIGESTS = {"sha256": re.compile(r"^[0-9a-f]{64}$"), "xxh3": re.compile(r"^[0-9a-f]{32}$")}
DIGEST_OF_LAYOUT = {1: "sha256", 2: "xxh3"}  # the checksum a segment's manifest entry gives per file

SCHEMA = """
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
CREATE TABLE story (
    script_id INTEGER PRIMARY KEY,
    key TEXT NOT NULL,
    units BLOB NOT NULL,
    member_ends BLOB NOT NULL,
    members BLOB NOT NULL,
    vocabulary TEXT NOT NULL,
    count_ends BLOB NOT NULL,
    count_columns BLOB NOT NULL,
    counts BLOB NOT NULL,
    cast_json TEXT NOT NULL
);
"""


def corrupt(folder: Path, problem: str) -> IndexCorrupt:
    """The one-line error for a damaged or tampered index."""
    return IndexCorrupt(f"index {folder} is corrupt: {problem}; rebuild the index")


def regular_file(path: Path) -> os.stat_result:
    """``lstat`` of a file that must be a plain file (no link, device or FIFO): never read anything else."""
    info = os.lstat(path)
    if not stat.S_ISREG(info.st_mode):
        raise OSError(f"{path.name} is not a regular file")
    return info


def sha256_file(path: Path, limit: int | None = None) -> str:
    """sha256 of a regular file, reading at most ``limit`` bytes (+1, to notice a longer file)."""
    return file_digest(path, "sha256", limit)


def file_digest(path: Path, algorithm: str, limit: int | None = None) -> str:
    """``sha256`` (format 1 files, source files) or ``xxh3`` (xxh3_128: a segment's files; ~10x faster,
    so that checking every file the first time it is read costs little) of a regular file, reading at
    most ``limit`` bytes (+1, to notice a longer file)."""
    regular_file(path)
    digest: Any = xxhash.xxh3_128() if algorithm == "xxh3" else hashlib.sha256()
    left = limit + 1 if limit is not None else None
    with path.open("rb") as handle:
        while left is None or left > 0:
            block = handle.read(1 << 20 if left is None else min(1 << 20, left))
            if not block:
                break
            digest.update(block)
            if left is not None:
                left -= len(block)
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


def is_own_name(name: str) -> bool:
    """A name simcheck writes inside an index folder."""
    return name in (LOCK, MANIFEST, EXTRA) or name.startswith(("gen-", "seg-", MANIFEST + ".tmp"))


def new_manifest(model: str, dimension: int, settings: IndexSettings) -> dict[str, Any]:
    """The manifest of an index with no segment yet."""
    return {
        "format": "simcheck-index",
        "format_version": FORMAT_VERSION,
        "simcheck_version": __version__,
        "model": model,
        "dimension": dimension,
        "settings": settings_dict(settings),
        "generation": 0,
        "next_segment": 1,
        "counts": {"scripts": 0, "scenes": 0, "passages": 0},
        "segments": [],
    }


def content_sha256(manifest: dict[str, Any]) -> str:
    """The manifest's content checksum: everything but when it was written (identical builds, same sum)."""
    content = {k: v for k, v in manifest.items() if k != "created"}
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode("utf-8")).hexdigest()


def read_manifest(folder: Path) -> dict[str, Any]:
    """The validated manifest of the index at ``folder``, always in format 2 form (a format 1 manifest
    becomes one layout-1 segment). ``IndexNotFound``, ``IndexCorrupt`` (one line) or ``IndexMismatch``
    (a newer format)."""
    target = folder / MANIFEST
    try:
        info = os.lstat(target)
    except FileNotFoundError:
        if folder.is_dir() and any(p.name.startswith(("gen-", "seg-")) for p in folder.iterdir()):
            raise corrupt(folder, f"{MANIFEST} is missing") from None
        raise IndexNotFound(
            f"no index at {folder}: create one with `simcheck index PATH --index {folder}`"
        ) from None
    except OSError as error:
        raise corrupt(folder, f"{MANIFEST} cannot be read ({problem_text(error)})") from error
    if not stat.S_ISREG(info.st_mode):
        raise corrupt(folder, f"{MANIFEST} is not a regular file")
    if info.st_size > MAX_MANIFEST_BYTES:
        raise corrupt(folder, f"{MANIFEST} is {info.st_size:,} bytes (at most {MAX_MANIFEST_BYTES:,})")
    try:
        with target.open("rb") as handle:
            raw = handle.read(MAX_MANIFEST_BYTES + 1)
        manifest = json.loads(raw.decode("utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError, RecursionError) as error:
        raise corrupt(folder, f"{MANIFEST} cannot be read ({problem_text(error)})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != "simcheck-index":
        raise corrupt(folder, f"{MANIFEST} is not a simcheck index manifest")
    version = manifest.get("format_version")
    if isinstance(version, int) and not isinstance(version, bool) and version > FORMAT_VERSION:
        raise IndexMismatch(
            f"index {folder} was written by simcheck {manifest.get('simcheck_version')} in index format "
            f"{version}; this simcheck ({__version__}) reads format {FORMAT_VERSION}: upgrade simcheck"
        )
    try:
        return _validated(manifest)
    except _Invalid as problem:
        raise corrupt(folder, f"{MANIFEST}: {problem}") from None


class _Invalid(Exception):
    """A manifest that breaks the schema (the message says where)."""


def _int(value: Any, where: str, low: int = 0) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < low:
        raise _Invalid(f"{where} must be an integer >= {low}")
    return value


def _dict(value: Any, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _Invalid(f"{where} must be an object")
    return value


def _counts(value: Any, where: str) -> dict[str, int]:
    data = _dict(value, where)
    return {key: _int(data.get(key), f"{where}.{key}") for key in ("scripts", "scenes", "passages")}


def _faiss(value: Any, where: str) -> dict[str, Any]:
    data = _dict(value, where)
    kind = data.get("type")
    if kind == "flat":
        return {"type": "flat"}
    if kind == "ivf":
        return {
            "type": "ivf",
            "nlist": _int(data.get("nlist"), f"{where}.nlist", 1),
            "nprobe": _int(data.get("nprobe"), f"{where}.nprobe", 1),
        }
    raise _Invalid(f"{where}.type must be 'flat' or 'ivf'")


def _files(value: Any, where: str, allowed: tuple[str, ...], algorithm: str) -> dict[str, dict[str, Any]]:
    data = _dict(value, where)
    out: dict[str, dict[str, Any]] = {}
    for name, meta in data.items():
        if name not in allowed:
            raise _Invalid(f"{where} names an unknown file {name[:60]!r}")
        meta = _dict(meta, f"{where}.{name}")
        digest = meta.get(algorithm)
        if not isinstance(digest, str) or not DIGESTS[algorithm].match(digest):
            raise _Invalid(f"{where}.{name}.{algorithm} must be {DIGESTS[algorithm].pattern[5:7]} hex digits")
        out[name] = {"bytes": _int(meta.get("bytes"), f"{where}.{name}.bytes"), algorithm: digest}
    return out


def _validated(manifest: dict[str, Any]) -> dict[str, Any]:
    """Check every field's type and every name; return the manifest in format 2 form."""
    version = manifest.get("format_version")
    if version not in (1, 2) or isinstance(version, bool):
        raise _Invalid("format_version must be 1 or 2")
    if not isinstance(manifest.get("model"), str) or not manifest["model"]:
        raise _Invalid("model must be a name")
    _int(manifest.get("dimension"), "dimension", 1)
    settings = _dict(manifest.get("settings"), "settings")
    try:
        settings_from(settings)
    except (TypeError, ValueError) as error:
        raise _Invalid(f"settings are invalid ({problem_text(error)})") from None
    types = {f.name: f.type for f in dataclasses.fields(IndexSettings)}
    for key, kind in types.items():
        value = settings.get(key)
        if key in settings and (kind == "str") != isinstance(value, str):
            raise _Invalid(f"settings.{key} has the wrong type")
        if key in settings and kind == "int":
            _int(value, f"settings.{key}", 1)
    if version == 1:
        return _from_format_1(manifest)
    _int(manifest.get("generation"), "generation")
    next_segment = _int(manifest.get("next_segment"), "next_segment", 1)
    _counts(manifest.get("counts"), "counts")
    segments = manifest.get("segments")
    if not isinstance(segments, list):
        raise _Invalid("segments must be a list")
    seen: set[str] = set()
    for number, segment in enumerate(segments):
        validate_segment(segment, f"segments[{number}]", next_segment)
        if segment["name"] in seen:
            raise _Invalid(f"segment {segment['name']} is listed twice")
        seen.add(segment["name"])
    return manifest


def validate_segment(segment: Any, where: str, next_segment: int) -> None:
    data = _dict(segment, where)
    name = data.get("name")
    layout = data.get("layout")
    if layout == 1:
        if not isinstance(name, str) or not GENERATION.match(name):
            raise _Invalid(f"{where}.name must be gen-NNNNNN")
        allowed: tuple[str, ...] = LEGACY_FILES
    elif layout == 2:
        match = SEGMENT.match(name) if isinstance(name, str) else None
        if match is None:
            raise _Invalid(f"{where}.name must be seg-NNNNNN")
        if int(match.group(1)) >= next_segment:
            raise _Invalid(f"{where}.name is beyond next_segment")
        allowed = (*SEGMENT_FILES, VECTORS, FAISS_FILE)
    else:
        raise _Invalid(f"{where}.layout must be 1 or 2")
    counts = _counts(data.get("counts"), f"{where}.counts")
    faiss = _faiss(data.get("faiss"), f"{where}.faiss")
    files = _files(data.get("files"), f"{where}.files", allowed, DIGEST_OF_LAYOUT[layout])
    needed = (
        LEGACY_FILES if layout == 1 else (*SEGMENT_FILES, VECTORS if faiss["type"] == "flat" else FAISS_FILE)
    )
    missing = [n for n in needed if n not in files]
    if missing:
        raise _Invalid(f"{where}.files lacks {missing[0]}")
    deleted = data.get("deleted")
    if not isinstance(deleted, list) or any(
        not isinstance(i, int) or isinstance(i, bool) or not 0 <= i < counts["scripts"] for i in deleted
    ):
        raise _Invalid(f"{where}.deleted must list script ids of the segment")
    if deleted != sorted(set(deleted)):
        raise _Invalid(f"{where}.deleted must be sorted and unique")
    _int(data.get("deleted_passages"), f"{where}.deleted_passages")
    _int(data.get("deleted_scenes", 0), f"{where}.deleted_scenes")


def _from_format_1(manifest: dict[str, Any]) -> dict[str, Any]:
    """A format 1 manifest as format 2: its generation is one segment of layout 1."""
    generation = manifest.get("generation")
    counts = _counts(manifest.get("counts"), "counts")
    segments: list[dict[str, Any]] = []
    if generation is not None:
        if not isinstance(generation, str) or not GENERATION.match(generation):
            raise _Invalid("generation must be gen-NNNNNN")
        segment = {
            "name": generation,
            "layout": 1,
            "counts": counts,
            "faiss": _faiss(manifest.get("faiss", {"type": "flat"}), "faiss"),
            "files": _files(manifest.get("files"), "files", LEGACY_FILES, "sha256"),
            "deleted": [],
            "deleted_passages": 0,
            "deleted_scenes": 0,
        }
        validate_segment(segment, "generation", 1)
        segments.append(segment)
    number = int(GENERATION.match(generation).group(1)) if isinstance(generation, str) else 0  # type: ignore[union-attr]
    converted = {k: v for k, v in manifest.items() if k not in ("files", "faiss", "generation_number")}
    converted.update(
        {"generation": number, "next_segment": number + 1, "counts": counts, "segments": segments}
    )
    return converted


class WriteLock:
    """The index's write lock (``filelock``: ``flock`` on Unix, ``LockFileEx`` on Windows); a second
    writer fails at once with ``IndexLocked``."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._lock: Any = None

    def __enter__(self) -> WriteLock:
        import filelock  # 0.02 s: only for commands that write

        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            lock = filelock.FileLock(str(self.folder / LOCK), timeout=0)
            lock.acquire()
        except filelock.Timeout:
            raise IndexLocked(
                f"index {self.folder} is being written by another simcheck process; "
                "wait for it to finish or use another --index"
            ) from None
        except OSError as error:
            raise IndexWriteError(f"cannot lock index {self.folder}: {problem_text(error)}") from error
        self._lock = lock
        return self

    def __exit__(self, *exc: object) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None
