"""The on-disk reference index: ``simcheck index refs/`` builds it, ``compare`` searches it.

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

Writes are atomic: a new generation is built in ``gen-N.tmp-PID`` next to the current one, fsynced,
renamed, and only then ``manifest.json`` is replaced (``os.replace``), so killing ``index`` at any
moment leaves the previous index usable; a failed write (disk full) removes its temporary folder and
raises ``IndexWriteError``. Arrays are written with ``np.save`` and read with ``np.load(...,
allow_pickle=False, mmap_mode="r")``, so opening is cheap and never runs code.

Incremental: files are identified by resolved path and content sha256. An unchanged file is not
re-read; its passages, signatures and vectors are copied from the previous generation. A passage of a
new or changed file whose text is already in the index reuses that vector: unchanged passages are
never re-embedded. A file under a re-indexed folder that no longer exists is dropped.

FAISS index type by size (``simcheck.search.vectors.choose_index``). Measured on the 2-core machine while
other jobs shared it (load ~7), so absolute times are pessimistic and the ratios decided; a draft is
540 queries in one batch, k=10:

- up to ``FLAT_MAX_PASSAGES`` = 75,000 passages: exact ``IndexFlatIP``, memory-mapped (opening is
  instant). The whole shared corpus (51,391 real passages, ``python -m benchmarks.index_speed``): 1.7 s
  per draft; IVF1024/nprobe 16 would take 0.2 s but finds the same best reference passage for only 94%
  of the queries that have one at cosine >= 0.7 (another translation of a corpus play as the draft),
  so a corpus of this size stays exact;
- above: ``IndexIVFFlat`` (inner product), ``nlist`` ~ 4 sqrt(n) rounded to a power of two (1,024 lists
  at 10^5, 4,096 at 10^6), k-means on 16 points per list (10 iterations), ``nprobe`` = 16
  (``python -m benchmarks scale`` on a quiet machine, vectors fitted to real MiniLM embeddings): at 10^5
  0.19 s per draft; at 10^6 0.73 s once warm, 1.97 s for the first search of a fresh process (exact
  3.1 s; IVF1024/nprobe 16 2.3 s), near-copies (cosine 0.9) found 100% and paraphrase-like ones (cosine
  0.75) 94%, build 2.5 min, 1.9 GB RSS after open and search, 3.9 KB per passage on disk.

Lexical search is the banded LSH of ``simcheck.search.lsh`` (memory-mapped sorted band keys): 0.03-0.04 s per
draft from 10^4 to 10^6 passages, every planted near-copy found.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import re
import sqlite3
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck import __version__
from simcheck.embed.embedder import Embedder, load_embedder
from simcheck.errors import (
    IndexCorrupt,
    IndexMismatch,
    IndexNotFound,
    IndexWriteError,
    SimcheckError,
    UsageError,
)
from simcheck.index.writer import (
    BAND_IDS,
    BAND_KEYS,
    DB,
    EXTRA,
    FAISS_FILE,
    FORMAT_VERSION,
    LOCK,
    MANIFEST,
    SHINGLE_COUNTS,
    SHINGLES,
    SIGNATURES,
    VECTORS,
    GenerationWriter,
    New,
    Progress,
    ProgressCallback,
    Row,
    WriteLock,
    settings_dict,
    settings_from,
    sha256_file,
)
from simcheck.model import Script
from simcheck.read.walk import Skipped, hash_file, problem_text, supported_extensions, walk_scripts
from simcheck.search.lsh import BandIndex
from simcheck.search.references import ReferenceScript, StoredPassage
from simcheck.search.vectors import read_index, search
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import lookup_counts, script_features

__all__ = ["AddSummary", "Index", "IndexInfo", "Progress", "RemoveSummary", "Skipped", "VerifyReport"]

_EXTRA_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


# --- public data ---------------------------------------------------------------------------------


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


@dataclass(frozen=True)
class IndexInfo:
    path: str
    generation: str
    simcheck_version: str
    format_version: int
    model: str
    dimension: int
    settings: dict[str, Any]
    scripts: int
    scenes: int
    passages: int
    faiss: dict[str, Any]
    bytes_on_disk: int
    created: str


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    problems: tuple[str, ...]  # damage in the index itself
    stale: tuple[str, ...]  # indexed source files that changed or disappeared since (not damage)
    files_checked: int


def _read_script(path: str) -> Script:
    from simcheck.read import read_script

    return read_script(path)


def _within(path: str, roots: Sequence[str]) -> bool:
    return any(path == root or path.startswith(root.rstrip(os.sep) + os.sep) for root in roots)


# --- the index -------------------------------------------------------------------------------------


class Index:
    """An on-disk index; implements ``simcheck.search.references.References``.

    Open it with ``Index.open(path)`` (read) or create one with ``Index.create(path, settings)``;
    ``add``, ``remove`` write a new generation under an exclusive lock.
    """

    def __init__(self, path: Path, manifest: dict[str, Any], embedder: Embedder | None = None) -> None:
        self.path = path
        self._manifest = manifest
        self.settings = settings_from(manifest["settings"])
        self._embedder = embedder
        self._db: sqlite3.Connection | None = None
        self._faiss: Any = None
        self._arrays: dict[str, np.ndarray] = {}
        self._bands: BandIndex | None = None
        self._scripts_cache: tuple[ReferenceScript, ...] | None = None
        self._scenes_cache: dict[tuple[int, int], tuple[int, int]] | None = None
        self._check_files()

    # -- construction -------------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        settings: IndexSettings | None = None,
        embedder: Embedder | None = None,
    ) -> Index:
        """A new, empty index at ``path`` (the folder is created). ``embedder`` defaults to the model
        named in ``settings``; ``settings.model`` is set to the embedder's name.

        If ``path`` already holds an index with the same model and settings, that index is opened;
        with different ones, ``IndexMismatch``.
        """
        folder = Path(path).expanduser()
        settings = settings or IndexSettings()
        if (folder / MANIFEST).exists():
            model = embedder.name if embedder is not None else settings.model
            index = cls.open(folder, model=model, settings=dataclasses.replace(settings, model=model))
            if embedder is not None:
                index._embedder = embedder
            return index
        if folder.exists() and not folder.is_dir():
            raise UsageError(f"{folder}: exists and is not a folder; choose another --index")
        if folder.is_dir():
            strangers = [p.name for p in folder.iterdir() if not cls._is_own_name(p.name)]
            if strangers:
                raise UsageError(
                    f"{folder}: folder is not empty and holds no simcheck index; "
                    "choose a new or empty --index"
                )
        embedder = embedder or load_embedder(settings.model)
        settings = dataclasses.replace(settings, model=embedder.name)
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise IndexWriteError(f"cannot create index {folder}: {problem_text(error)}") from error
        manifest = {
            "format": "simcheck-index",
            "format_version": FORMAT_VERSION,
            "simcheck_version": __version__,
            "model": embedder.name,
            "dimension": embedder.dimension,
            "settings": settings_dict(settings),
            "generation": None,
            "generation_number": 0,
        }
        with WriteLock(folder):
            if (folder / MANIFEST).exists():  # created meanwhile by another process
                return cls.open(folder, model=embedder.name, settings=settings)
            writer = GenerationWriter(folder, manifest, embedder.dimension)
            new_manifest = writer.write_empty()
        return cls(folder, new_manifest, embedder)

    @classmethod
    def open(
        cls,
        path: str | Path,
        model: str | None = None,
        settings: IndexSettings | None = None,
        embedder: Embedder | None = None,
    ) -> Index:
        """Open an existing index. ``model`` (or ``settings``) that differ from the index's are an
        ``IndexMismatch`` that says how to fix it."""
        folder = Path(path).expanduser()
        manifest = cls._read_manifest(folder)
        index_model = manifest["model"]
        wanted = model or (embedder.name if embedder is not None else None)
        if wanted is not None and wanted != index_model:
            raise IndexMismatch(
                f"index {folder} was built with model {index_model}, not {wanted}: "
                f"use --model {index_model}, or build a new index with --model {wanted} and another --index"
            )
        if embedder is not None and embedder.dimension != manifest["dimension"]:
            raise IndexMismatch(
                f"index {folder} holds {manifest['dimension']}-d vectors but model {embedder.name} gives "
                f"{embedder.dimension}-d: use the index's model or a new --index"
            )
        if settings is not None:
            ours = settings_dict(dataclasses.replace(settings, model=index_model))
            theirs = manifest["settings"]
            diff = sorted(k for k in ours if theirs.get(k) != ours[k])
            if diff:
                shown = ", ".join(f"{k}={theirs.get(k)!r} (asked {ours[k]!r})" for k in diff)
                raise IndexMismatch(
                    f"index {folder} was built with other settings: {shown}; rebuild it into a new --index"
                )
        return cls(folder, manifest, embedder)

    @classmethod
    def open_or_create(
        cls, path: str | Path, model: str | None = None, embedder: Embedder | None = None
    ) -> Index:
        """Open the index at ``path`` (checking ``model``) or create it with ``model``."""
        folder = Path(path).expanduser()
        if (folder / MANIFEST).exists():
            return cls.open(folder, model=model, embedder=embedder)
        settings = IndexSettings() if model is None else IndexSettings(model=model)
        return cls.create(folder, settings, embedder)

    @staticmethod
    def _is_own_name(name: str) -> bool:
        return name in (LOCK, MANIFEST) or name.startswith(("gen-", MANIFEST + ".tmp"))

    @staticmethod
    def _read_manifest(folder: Path) -> dict[str, Any]:
        target = folder / MANIFEST
        if not target.exists():
            if folder.is_dir() and any(p.name.startswith("gen-") for p in folder.iterdir()):
                raise IndexCorrupt(f"index {folder}: {MANIFEST} is missing; rebuild the index")
            raise IndexNotFound(
                f"no index at {folder}: create one with `simcheck index PATH --index {folder}`"
            )
        try:
            manifest = json.loads(target.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
            problem = problem_text(error)
            raise IndexCorrupt(f"index {folder}: {MANIFEST} cannot be read ({problem})") from error
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

    @property
    def generation_dir(self) -> Path:
        return self.path / str(self._manifest["generation"])

    def _file(self, name: str) -> Path:
        return self.generation_dir / name

    def _check_files(self) -> None:
        """Cheap open-time check: every file is there with the size the manifest says."""
        for name, meta in self._manifest["files"].items():
            target = self._file(name)
            try:
                size = target.stat().st_size
            except OSError:
                raise IndexCorrupt(
                    f"index {self.path}: {self._manifest['generation']}/{name} is missing; rebuild the index"
                ) from None
            if size != meta["bytes"]:
                raise IndexCorrupt(
                    f"index {self.path}: {self._manifest['generation']}/{name} is truncated or damaged "
                    f"({size} bytes, expected {meta['bytes']}); rebuild the index"
                )

    def _corrupt(self, name: str, error: BaseException) -> IndexCorrupt:
        return IndexCorrupt(
            f"index {self.path}: {self._manifest['generation']}/{name} is damaged ({problem_text(error)}); "
            "rebuild the index"
        )

    # -- lazy readers ---------------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                uri = self._file(DB).resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._db.execute("SELECT count(*) FROM scripts").fetchone()
            except sqlite3.DatabaseError as error:
                raise self._corrupt(DB, error) from error
        return self._db

    def _query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as error:
            raise self._corrupt(DB, error) from error

    def _array(self, name: str) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None:
            try:
                array = np.load(self._file(name), mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as error:
                raise self._corrupt(name, error) from error
            self._arrays[name] = array
        return array

    def _band_index(self) -> BandIndex:
        if self._bands is None:
            keys, ids = self._array(BAND_KEYS), self._array(BAND_IDS)
            if keys.shape != ids.shape or keys.shape[0] != self.settings.lsh_bands:
                raise IndexCorrupt(f"index {self.path}: band tables do not match; rebuild the index")
            self._bands = BandIndex(keys, ids, self.settings.lsh_bands, self.settings.lsh_rows)
        return self._bands

    def _faiss_index(self) -> Any:
        if self._faiss is None:
            try:
                self._faiss = read_index(self._file(FAISS_FILE), self._manifest.get("faiss", {}))
            except (RuntimeError, OSError, ValueError) as error:
                raise self._corrupt(FAISS_FILE, error) from error
            if self._faiss.ntotal != self.n_passages or self._faiss.d != self._manifest["dimension"]:
                raise IndexCorrupt(f"index {self.path}: {FAISS_FILE} does not match the manifest; rebuild it")
        return self._faiss

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

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._arrays.clear()
        self._bands = None
        self._faiss = None

    def __enter__(self) -> Index:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

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
        return hashlib.sha256(json.dumps(self._manifest, sort_keys=True).encode("utf-8")).hexdigest()

    def scripts(self) -> Sequence[ReferenceScript]:
        if self._scripts_cache is None:
            rows = self._query(
                "SELECT id, path, title, sha256, scenes, passages, cast_json FROM scripts ORDER BY id"
            )
            self._scripts_cache = tuple(
                ReferenceScript(
                    id=r[0],
                    path=r[1],
                    title=r[2],
                    sha256=r[3],
                    scenes=r[4],
                    passages=r[5],
                    cast=tuple(json.loads(r[6])),
                )
                for r in rows
            )
        return self._scripts_cache

    def load_script(self, script_id: int) -> Script:
        from simcheck.read.scriptjson import loads

        rows = self._query("SELECT script FROM scripts WHERE id = ?", (int(script_id),))
        if not rows:
            raise KeyError(f"no reference script {script_id}")
        try:
            return loads(rows[0][0])
        except ValueError as error:
            raise self._corrupt(DB, error) from error

    def _ids(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        array = np.asarray(ids, dtype=np.int64).reshape(-1)
        if array.size and (array.min() < 0 or array.max() >= self.n_passages):
            raise KeyError(f"passage id out of range 0..{self.n_passages - 1}")
        return array

    def passages(self, ids: Sequence[int] | np.ndarray) -> list[StoredPassage]:
        wanted = self._ids(ids)
        found: dict[int, StoredPassage] = {}
        unique = sorted(set(wanted.tolist()))
        for begin in range(0, len(unique), 900):
            chunk = unique[begin : begin + 900]
            marks = ",".join("?" * len(chunk))
            for r in self._query(
                f"SELECT id, script_id, scene, kind, start, end, line, text, speaker FROM passages "
                f"WHERE id IN ({marks})",
                chunk,
            ):
                found[r[0]] = StoredPassage(*r)
        try:
            return [found[int(i)] for i in wanted]
        except KeyError as error:
            raise IndexCorrupt(
                f"index {self.path}: passage {error} is missing from {DB}; rebuild it"
            ) from None

    def scene_passage_ids(self, script_id: int, scene: int) -> np.ndarray:
        if self._scenes_cache is None:
            rows = self._query("SELECT script_id, number, first_passage, passages FROM scenes")
            self._scenes_cache = {(r[0], r[1]): (r[2], r[2] + r[3]) for r in rows}
        lo, hi = self._scenes_cache.get((int(script_id), int(scene)), (0, 0))
        return np.arange(lo, hi, dtype=np.int64)

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.asarray(self._array(VECTORS)[self._ids(ids)], dtype=np.float32)

    def signatures(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.asarray(self._array(SIGNATURES)[self._ids(ids)], dtype=np.uint64)

    def search_semantic(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return search(self._faiss_index(), vectors, k)

    def search_lexical(self, signatures: np.ndarray) -> list[np.ndarray]:
        return self._band_index().query(signatures)

    def script_frequency(self, shingle_hashes: np.ndarray) -> np.ndarray:
        return lookup_counts(self._array(SHINGLES), self._array(SHINGLE_COUNTS), shingle_hashes)

    def read_extra(self, name: str) -> dict[str, Any] | None:
        target = self._extra_path(name)
        try:
            data = json.loads(target.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError, json.JSONDecodeError):
            return None  # a damaged cache is a missing cache: it is recomputed
        return data if isinstance(data, dict) else None

    def write_extra(self, name: str, data: dict[str, Any]) -> None:
        target = self._extra_path(name)
        tmp = target.with_name(f".{target.name}.tmp-{os.getpid()}")
        try:
            target.parent.mkdir(exist_ok=True)
            tmp.write_text(json.dumps(data, sort_keys=True, allow_nan=False), encoding="utf-8")
            os.replace(tmp, target)
        except OSError as error:
            with contextlib.suppress(OSError):
                tmp.unlink()
            raise IndexWriteError(f"cannot write {target}: {problem_text(error)}") from error

    def _extra_path(self, name: str) -> Path:
        if not _EXTRA_NAME.match(name):
            raise ValueError(f"bad extra name {name!r}: letters, digits, '.', '_' and '-' only")
        return self.generation_dir / EXTRA / f"{name}.json"

    # -- information ------------------------------------------------------------------------------

    def info(self) -> IndexInfo:
        m = self._manifest
        size = 0
        for root, _dirs, files in os.walk(self.generation_dir):
            for name in files:
                with contextlib.suppress(OSError):
                    size += os.stat(os.path.join(root, name)).st_size
        return IndexInfo(
            path=str(self.path),
            generation=str(m["generation"]),
            simcheck_version=str(m["simcheck_version"]),
            format_version=int(m["format_version"]),
            model=str(m["model"]),
            dimension=int(m["dimension"]),
            settings=dict(m["settings"]),
            scripts=int(m["counts"]["scripts"]),
            scenes=int(m["counts"]["scenes"]),
            passages=int(m["counts"]["passages"]),
            faiss=dict(m.get("faiss", {})),
            bytes_on_disk=size,
            created=str(m.get("created", "")),
        )

    def verify(self) -> VerifyReport:
        """Check every file against the manifest's sha256, SQLite's integrity and the array shapes."""
        problems: list[str] = []
        gen = self._manifest["generation"]
        for name, meta in sorted(self._manifest["files"].items()):
            target = self._file(name)
            try:
                digest = sha256_file(target)
            except OSError as error:
                problems.append(f"{gen}/{name}: {problem_text(error)}")
                continue
            if digest != meta["sha256"]:
                problems.append(f"{gen}/{name}: checksum mismatch (damaged or modified)")
        if not problems:
            problems.extend(self._verify_contents())
        stale: list[str] = []
        if not problems:
            for row in self._query("SELECT path, sha256 FROM scripts ORDER BY path"):
                try:
                    current = sha256_file(Path(row[0]))
                except OSError:
                    stale.append(f"{row[0]}: source file no longer exists")
                    continue
                if current != row[1]:
                    stale.append(f"{row[0]}: source file changed since it was indexed")
        return VerifyReport(not problems, tuple(problems), tuple(stale), len(self._manifest["files"]))

    def _verify_contents(self) -> list[str]:
        problems: list[str] = []
        n = self.n_passages
        counts = self._manifest["counts"]
        try:
            check = self.db.execute("PRAGMA integrity_check").fetchone()
            if not check or check[0] != "ok":
                problems.append(f"{DB}: integrity check failed ({check[0] if check else 'no answer'})")
            db_counts = {
                "scripts": self.db.execute("SELECT count(*) FROM scripts").fetchone()[0],
                "scenes": self.db.execute("SELECT count(*) FROM scenes").fetchone()[0],
                "passages": self.db.execute("SELECT count(*) FROM passages").fetchone()[0],
            }
            for key, value in db_counts.items():
                if value != counts[key]:
                    problems.append(f"{DB}: {value} {key}, the manifest says {counts[key]}")
            from simcheck.read.scriptjson import loads

            for sid, blob in self.db.execute("SELECT id, script FROM scripts"):
                try:
                    loads(blob)
                except ValueError as error:
                    problems.append(f"{DB}: script {sid}: {error}")
        except (sqlite3.DatabaseError, IndexCorrupt) as error:
            problems.append(f"{DB}: {problem_text(error)}")
        shapes = {
            VECTORS: (n, self.dimension),
            SIGNATURES: (n, self.settings.num_perm),
        }
        for name, shape in shapes.items():
            try:
                if self._array(name).shape != shape:
                    problems.append(f"{name}: shape {self._array(name).shape}, expected {shape}")
            except IndexCorrupt as error:
                problems.append(str(error))
        try:
            if self._faiss_index().ntotal != n:
                problems.append(f"{FAISS_FILE}: {self._faiss_index().ntotal} vectors, expected {n}")
            self._band_index()
        except IndexCorrupt as error:
            problems.append(str(error))
        return problems

    # -- writing ------------------------------------------------------------------------------------

    def add(
        self,
        paths: Iterable[str | Path],
        progress: ProgressCallback | None = None,
    ) -> AddSummary:
        """Index the script files under ``paths`` (files or folders, walked for every supported
        extension). New and changed files are read and embedded; unchanged ones are kept as they
        are; files under a given folder that were indexed and no longer exist are dropped. Files that
        cannot be read are listed in ``AddSummary.skipped`` and the rest is indexed."""
        began = time.perf_counter()
        report = progress or (lambda _p: None)
        roots = [os.path.abspath(os.path.expanduser(str(p))) for p in paths]
        both = roots + [os.path.realpath(r) for r in roots]  # indexed paths are resolved
        with WriteLock(self.path):
            self._reload()
            report(Progress("scan", 0, 0))
            files, skipped = walk_scripts(roots, supported_extensions())
            rows = {row.path: row for row in self._rows()}
            new: list[New] = []
            unchanged: list[Row] = []
            kept_failed: set[str] = set()
            for done, path in enumerate(files, start=1):
                report(Progress("read", done - 1, len(files), path))
                try:
                    size, digest = hash_file(path)
                    old = rows.get(path)
                    if old is not None and old.sha256 == digest:
                        unchanged.append(old)
                        continue
                    script = _read_script(path)
                    if not script.sha256:
                        script = dataclasses.replace(script, sha256=digest)
                    new.append(New(script, script_features(script, self.settings), size))
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
                keep = sorted(unchanged + others + [rows[p] for p in kept_failed], key=lambda r: r.path)
                embedded, reused = self._write_generation(keep, new, report)
            counts = self._manifest["counts"]
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

    def remove(self, paths: Iterable[str | Path]) -> RemoveSummary:
        """Drop the scripts indexed from ``paths`` (files, or folders: everything indexed under them)."""
        roots = [os.path.abspath(os.path.expanduser(str(p))) for p in paths]
        resolved = [os.path.realpath(r) for r in roots]
        with WriteLock(self.path):
            self._reload()
            rows = self._rows()
            gone = [r for r in rows if _within(r.path, roots) or _within(r.path, resolved)]
            not_indexed = tuple(
                root
                for root, real in zip(roots, resolved, strict=True)
                if not any(_within(r.path, [root, real]) for r in rows)
            )
            if gone:
                keep = [r for r in rows if r not in gone]
                self._write_generation(keep, [], lambda _p: None)
            counts = self._manifest["counts"]
            return RemoveSummary(
                removed=tuple(sorted(r.path for r in gone)),
                not_indexed=not_indexed,
                scripts=int(counts["scripts"]),
                passages=int(counts["passages"]),
            )

    def _reload(self) -> None:
        """Re-read the manifest (another writer may have finished since this index was opened)."""
        manifest = self._read_manifest(self.path)
        if manifest["model"] != self._manifest["model"] or manifest["settings"] != self._manifest["settings"]:
            raise IndexMismatch(f"index {self.path} was rebuilt with other settings meanwhile; open it again")
        if manifest["generation"] != self._manifest["generation"]:
            self.close()
            self._manifest = manifest
            self._scripts_cache = None
            self._scenes_cache = None
            self._check_files()

    def _rows(self) -> list[Row]:
        return [
            Row(*r)
            for r in self._query("SELECT id, path, sha256, first_passage, passages FROM scripts ORDER BY id")
        ]

    def _write_generation(self, keep: list[Row], new: list[New], report: ProgressCallback) -> tuple[int, int]:
        """Build the next generation from kept rows of this one and new scripts; swap it in."""
        writer = GenerationWriter(self.path, self._manifest, self.dimension)
        try:
            embedded, reused, manifest = writer.write(self, keep, new, report)
        finally:
            writer.discard()
        self.close()
        self._manifest = manifest
        self._scripts_cache = None
        self._scenes_cache = None
        return embedded, reused
