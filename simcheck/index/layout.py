"""What an index folder holds on disk: file names, the SQLite schema, the manifest, the write lock.

Layout of an index folder (nothing in it is pickled or executable; every file is data)::

    manifest.json          what the index is (simcheck version, model, IndexSettings, counts, the
                           current generation and the size and sha256 of each of its files)
    lock                   flock target: one writer at a time (a second one gets IndexLocked)
    gen-000007/            the current generation (immutable once written)
        meta.sqlite        scripts (incl. the full Script model as compressed JSON and the script's
                           unique shingle hashes), scenes, passages (text and offsets)
        vectors.faiss      FAISS's own format: the search index over the embeddings
        vectors.f16.npy    the embeddings themselves, float16 (n, dim): rebuilds and vectors(ids)
        signatures.npy     MinHash signatures, uint32 (n, num_perm)
        band_keys.npy      banded LSH: sorted band keys, uint64 (bands, m)
        band_ids.npy       ... and the passage id of each key, int32 (bands, m)
        shingles.npy       common-phrase statistics: sorted unique shingle hashes, uint32
        shingle_counts.npy ... and in how many reference scripts each occurs, uint32
        extra/NAME.json    documents cached by compare (calibration); not part of the checksums
    gen-000006/            the previous generation, kept so that a reader that has just read the
                           old manifest can still open it; older ones are deleted
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
from pathlib import Path
from typing import Any

from simcheck.errors import (
    IndexCorrupt,
    IndexLocked,
    IndexMismatch,
    IndexNotFound,
    IndexWriteError,
    problem_text,
)
from simcheck.settings import IndexSettings
from simcheck.version import __version__

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

GENERATION = re.compile(r"^gen-(\d{6,})$")
EXTRA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")

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
"""


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


def is_own_name(name: str) -> bool:
    """A name simcheck writes inside an index folder."""
    return name in (LOCK, MANIFEST) or name.startswith(("gen-", MANIFEST + ".tmp"))


def new_manifest(model: str, dimension: int, settings: IndexSettings) -> dict[str, Any]:
    """The manifest of an index with no generation yet."""
    return {
        "format": "simcheck-index",
        "format_version": FORMAT_VERSION,
        "simcheck_version": __version__,
        "model": model,
        "dimension": dimension,
        "settings": settings_dict(settings),
        "generation": None,
        "generation_number": 0,
    }


def read_manifest(folder: Path) -> dict[str, Any]:
    """The manifest of the index at ``folder``: ``IndexNotFound``, ``IndexCorrupt`` or ``IndexMismatch``
    (a newer format) with a message saying what to do."""
    target = folder / MANIFEST
    if not target.exists():
        if folder.is_dir() and any(p.name.startswith("gen-") for p in folder.iterdir()):
            raise IndexCorrupt(f"index {folder}: {MANIFEST} is missing; rebuild the index")
        raise IndexNotFound(f"no index at {folder}: create one with `simcheck index PATH --index {folder}`")
    try:
        manifest = json.loads(target.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise IndexCorrupt(f"index {folder}: {MANIFEST} cannot be read ({problem_text(error)})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != "simcheck-index":
        raise IndexCorrupt(f"index {folder}: {MANIFEST} is not a simcheck index manifest")
    version = manifest.get("format_version")
    if not isinstance(version, int) or version > FORMAT_VERSION:
        raise IndexMismatch(
            f"index {folder} was written by simcheck {manifest.get('simcheck_version')} in index format "
            f"{version}; this simcheck ({__version__}) reads format {FORMAT_VERSION}: upgrade simcheck"
        )
    for key in ("model", "dimension", "settings", "generation", "files", "counts"):
        if key not in manifest:
            raise IndexCorrupt(f"index {folder}: {MANIFEST} lacks {key!r}")
    return manifest


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
