"""Reading an index: its files opened lazily, the ``References`` protocol, information and checks.

Arrays are read with ``np.load(..., allow_pickle=False, mmap_mode="r")`` and the database read-only, so
opening is cheap and never runs code. Opening checks that every file has the size the manifest says;
``verify`` checks every checksum.

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

Lexical search is the banded LSH of ``simcheck.search.lsh`` (memory-mapped sorted band keys): 0.03-0.04 s
per draft from 10^4 to 10^6 passages, every planted near-copy found.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.embed import Embedder, load_embedder
from simcheck.errors import IndexCorrupt, IndexMismatch, IndexWriteError, problem_text
from simcheck.index.layout import (
    BAND_IDS,
    BAND_KEYS,
    DB,
    EXTRA,
    EXTRA_NAME,
    FAISS_FILE,
    SHINGLE_COUNTS,
    SHINGLES,
    SIGNATURES,
    VECTORS,
    read_manifest,
    settings_from,
    sha256_file,
)
from simcheck.index.writer import KeptScript
from simcheck.model import Script
from simcheck.read.scriptjson import loads
from simcheck.search.lsh import BandIndex
from simcheck.search.references import ReferenceScript, StoredPassage
from simcheck.search.vectors import read_index, search
from simcheck.text.fingerprints import lookup_counts


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


class IndexReader:
    """An index opened for reading; implements ``simcheck.search.references.References``."""

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

    @property
    def generation_dir(self) -> Path:
        return self.path / str(self._manifest["generation"])

    def file(self, name: str) -> Path:
        """The path of one data file of the current generation."""
        return self.generation_dir / name

    def _check_files(self) -> None:
        """Cheap open-time check: every file is there with the size the manifest says."""
        for name, meta in self._manifest["files"].items():
            try:
                size = self.file(name).stat().st_size
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

    def reload(self) -> None:
        """Re-read the manifest (another writer may have finished since this index was opened)."""
        manifest = read_manifest(self.path)
        if manifest["model"] != self._manifest["model"] or manifest["settings"] != self._manifest["settings"]:
            raise IndexMismatch(f"index {self.path} was rebuilt with other settings meanwhile; open it again")
        if manifest["generation"] != self._manifest["generation"]:
            self.switch(manifest)
            self._check_files()

    def switch(self, manifest: dict[str, Any]) -> None:
        """Read from the generation of ``manifest`` from now on (after a write)."""
        self.close()
        self._manifest = manifest
        self._scripts_cache = None
        self._scenes_cache = None

    # -- lazy readers ---------------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            try:
                uri = self.file(DB).resolve().as_uri() + "?mode=ro"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._db.execute("SELECT count(*) FROM scripts").fetchone()
            except sqlite3.DatabaseError as error:
                raise self._corrupt(DB, error) from error
        return self._db

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as error:
            raise self._corrupt(DB, error) from error

    def array(self, name: str) -> np.ndarray:
        """One ``.npy`` data file, memory-mapped."""
        array = self._arrays.get(name)
        if array is None:
            try:
                array = np.load(self.file(name), mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as error:
                raise self._corrupt(name, error) from error
            self._arrays[name] = array
        return array

    def _band_index(self) -> BandIndex:
        if self._bands is None:
            keys, ids = self.array(BAND_KEYS), self.array(BAND_IDS)
            if keys.shape != ids.shape or keys.shape[0] != self.settings.lsh_bands:
                raise IndexCorrupt(f"index {self.path}: band tables do not match; rebuild the index")
            self._bands = BandIndex(keys, ids, self.settings.lsh_bands, self.settings.lsh_rows)
        return self._bands

    def _faiss_index(self) -> Any:
        if self._faiss is None:
            try:
                self._faiss = read_index(self.file(FAISS_FILE), self._manifest.get("faiss", {}))
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

    def use_embedder(self, embedder: Embedder) -> None:
        self._embedder = embedder

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._arrays.clear()
        self._bands = None
        self._faiss = None

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
            rows = self.query(
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

    def kept_scripts(self) -> list[KeptScript]:
        """Every indexed script as the writer copies it into a next generation."""
        rows = self.query("SELECT id, path, sha256, first_passage, passages FROM scripts ORDER BY id")
        return [KeptScript(*r) for r in rows]

    def load_script(self, script_id: int) -> Script:
        rows = self.query("SELECT script FROM scripts WHERE id = ?", (int(script_id),))
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
            for r in self.query(
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
            rows = self.query("SELECT script_id, number, first_passage, passages FROM scenes")
            self._scenes_cache = {(r[0], r[1]): (r[2], r[2] + r[3]) for r in rows}
        lo, hi = self._scenes_cache.get((int(script_id), int(scene)), (0, 0))
        return np.arange(lo, hi, dtype=np.int64)

    def vectors(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.asarray(self.array(VECTORS)[self._ids(ids)], dtype=np.float32)

    def signatures(self, ids: Sequence[int] | np.ndarray) -> np.ndarray:
        return np.asarray(self.array(SIGNATURES)[self._ids(ids)], dtype=np.uint64)

    def search_semantic(self, vectors: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        return search(self._faiss_index(), vectors, k)

    def search_lexical(self, signatures: np.ndarray) -> list[np.ndarray]:
        return self._band_index().query(signatures)

    def script_frequency(self, shingle_hashes: np.ndarray) -> np.ndarray:
        return lookup_counts(self.array(SHINGLES), self.array(SHINGLE_COUNTS), shingle_hashes)

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
        if not EXTRA_NAME.match(name):
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
            try:
                digest = sha256_file(self.file(name))
            except OSError as error:
                problems.append(f"{gen}/{name}: {problem_text(error)}")
                continue
            if digest != meta["sha256"]:
                problems.append(f"{gen}/{name}: checksum mismatch (damaged or modified)")
        if not problems:
            problems.extend(self._verify_contents())
        stale: list[str] = []
        if not problems:
            for row in self.query("SELECT path, sha256 FROM scripts ORDER BY path"):
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
            for key in ("scripts", "scenes", "passages"):
                value = self.db.execute(f"SELECT count(*) FROM {key}").fetchone()[0]
                if value != counts[key]:
                    problems.append(f"{DB}: {value} {key}, the manifest says {counts[key]}")
            for sid, blob in self.db.execute("SELECT id, script FROM scripts"):
                try:
                    loads(blob)
                except ValueError as error:
                    problems.append(f"{DB}: script {sid}: {error}")
        except (sqlite3.DatabaseError, IndexCorrupt) as error:
            problems.append(f"{DB}: {problem_text(error)}")
        shapes = {VECTORS: (n, self.dimension), SIGNATURES: (n, self.settings.num_perm)}
        for name, shape in shapes.items():
            try:
                if self.array(name).shape != shape:
                    problems.append(f"{name}: shape {self.array(name).shape}, expected {shape}")
            except IndexCorrupt as error:
                problems.append(str(error))
        try:
            if self._faiss_index().ntotal != n:
                problems.append(f"{FAISS_FILE}: {self._faiss_index().ntotal} vectors, expected {n}")
            self._band_index()
        except IndexCorrupt as error:
            problems.append(str(error))
        return problems
