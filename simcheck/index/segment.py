"""Reading one segment of an index: its files checked, opened lazily, searched with local ids.

Every file is checked before it is first used: its size against the manifest when the segment is
opened (a ``stat``), its checksum (xxh3_128) the first time it is read, so a compare never builds a
report from bytes that do not match the manifest (the cost: ``benchmarks/registry.py``). Only plain
files inside the segment's own folder are ever opened (no link, no device, no FIFO). Arrays are
memory-mapped (``allow_pickle=False``), the database is opened read-only and immutable.

Tombstones: the local ids of removed scripts (``deleted`` in the manifest). ``live`` maps the
segment's passages to dense ids that skip them (``None`` when nothing was removed).
"""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.errors import IndexCorrupt, problem_text
from simcheck.index.layout import (
    BAND_IDS,
    BAND_KEYS,
    DB,
    DIGEST_OF_LAYOUT,
    FAISS_FILE,
    SHINGLE_COUNTS,
    SHINGLES,
    SIGNATURES,
    TEXT_IDS,
    TEXT_KEYS,
    VECTORS,
    corrupt,
    file_digest,
    regular_file,
)
from simcheck.search.lsh import BandIndex
from simcheck.search.vectors import flat_index, read_index, search
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import count_scripts, lookup_counts
from simcheck.text.story_table import TABLE_KEY, StoryTable, decode


class Segment:
    """One segment of an open index (``meta``: its manifest entry)."""

    def __init__(self, folder: Path, meta: dict[str, Any], settings: IndexSettings, dimension: int) -> None:
        self.index_folder = folder
        self.meta = meta
        self.name = str(meta["name"])
        self.dir = folder / self.name
        self.settings = settings
        self.dimension = dimension
        self.n_local = int(meta["counts"]["passages"])
        self.n_local_scripts = int(meta["counts"]["scripts"])
        self.deleted = tuple(int(i) for i in meta["deleted"])
        self.n_live = self.n_local - int(meta["deleted_passages"])
        self.n_live_scripts = self.n_local_scripts - len(self.deleted)
        self._verified: set[str] = set()
        self._db: sqlite3.Connection | None = None
        self._arrays: dict[str, np.ndarray] = {}
        self._faiss: Any = None
        self._bands: BandIndex | None = None
        self._live: tuple[np.ndarray, np.ndarray] | None = None
        self._ranges: np.ndarray | None = None
        self._removed_counts: tuple[np.ndarray, np.ndarray] | None = None
        self._tables: frozenset[str] | None = None

    # -- checks ---------------------------------------------------------------------------------------

    def check_sizes(self) -> None:
        """Cheap open-time check: the folder and every file are there, plain, with the size listed."""
        try:
            info = os.lstat(self.dir)
        except OSError:
            raise corrupt(self.index_folder, f"{self.name} is missing") from None
        if not stat.S_ISDIR(info.st_mode):
            raise corrupt(self.index_folder, f"{self.name} is not a folder")
        for name, meta in self.meta["files"].items():
            try:
                size = regular_file(self.dir / name).st_size
            except OSError as error:
                missing = isinstance(error, FileNotFoundError)
                raise corrupt(
                    self.index_folder,
                    f"{self.name}/{name} is {'missing' if missing else 'not a regular file'}",
                ) from None
            if size != meta["bytes"]:
                raise corrupt(
                    self.index_folder,
                    f"{self.name}/{name} is truncated or damaged ({size} bytes, expected {meta['bytes']})",
                )

    def checked(self, name: str) -> Path:
        """The path of a data file whose checksum has been verified (once per process)."""
        path = self.dir / name
        if name not in self._verified:
            meta = self.meta["files"].get(name)
            if meta is None:
                raise corrupt(self.index_folder, f"{self.name}/{name} is not listed in the manifest")
            try:
                algorithm = DIGEST_OF_LAYOUT[int(self.meta["layout"])]
                digest = file_digest(path, algorithm, limit=int(meta["bytes"]))
            except OSError as error:
                raise corrupt(
                    self.index_folder, f"{self.name}/{name} cannot be read ({problem_text(error)})"
                ) from error
            if digest != meta[algorithm]:
                raise corrupt(self.index_folder, f"{self.name}/{name} does not match its checksum")
            self._verified.add(name)
        return path

    def damaged(self, name: str, error: BaseException) -> IndexCorrupt:
        return corrupt(self.index_folder, f"{self.name}/{name} is damaged ({problem_text(error)})")

    # -- files ----------------------------------------------------------------------------------------

    @property
    def db(self) -> sqlite3.Connection:
        if self._db is None:
            path = self.checked(DB)
            try:
                uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
                self._db = sqlite3.connect(uri, uri=True, check_same_thread=False)
                self._db.execute("SELECT count(*) FROM scripts").fetchone()
            except sqlite3.DatabaseError as error:
                raise self.damaged(DB, error) from error
        return self._db

    def query(self, sql: str, args: Any = ()) -> list[tuple[Any, ...]]:
        try:
            return self.db.execute(sql, args).fetchall()
        except sqlite3.DatabaseError as error:
            raise self.damaged(DB, error) from error

    def has_table(self, name: str) -> bool:
        """Whether the database has table ``name`` (a segment written by an older simcheck may lack one)."""
        if self._tables is None:
            rows = self.query("SELECT name FROM sqlite_master WHERE type = 'table'")
            self._tables = frozenset(r[0] for r in rows)
        return name in self._tables

    def story_table(self, local: int) -> StoryTable | None:
        """The story table of local script ``local`` as written, or None when the segment has none for
        it made with today's unit cuts (written before the table, or with other cuts)."""
        if not self.has_table("story"):
            return None
        rows = self.query(
            "SELECT units, member_ends, members, vocabulary, count_ends, count_columns, counts, cast_json "
            "FROM story WHERE script_id = ? AND key = ?",
            (local, TABLE_KEY),
        )
        if not rows:
            return None
        try:
            return decode(rows[0], int(self.script_ranges()[local][1]))
        except (ValueError, TypeError) as error:
            raise self.damaged(DB, error) from error

    def scripts_without_story(self) -> int:
        """How many live scripts have no story row made with today's unit cuts (all of them in a
        segment written before the table): their story is made from their passages at each compare."""
        live = set(self.live_script_ids().tolist())
        if not self.has_table("story"):
            return len(live)
        rows = self.query("SELECT script_id FROM story WHERE key = ?", (TABLE_KEY,))
        return len(live - {int(r[0]) for r in rows})

    def array(self, name: str) -> np.ndarray:
        array = self._arrays.get(name)
        if array is None:
            path = self.checked(name)
            try:
                array = np.load(path, mmap_mode="r", allow_pickle=False)
            except (OSError, ValueError) as error:
                raise self.damaged(name, error) from error
            self._arrays[name] = array
        return array

    def faiss_index(self) -> Any:
        """The FAISS index: an exact one built in memory from the float16 vectors (the same
        ``IndexFlatIP`` over the same float32 values as ever, so the same scores), or the stored IVF."""
        if self._faiss is None:
            kind = self.meta["faiss"]
            if self.meta["layout"] == 1 or kind["type"] == "ivf":
                try:
                    index = read_index(self.checked(FAISS_FILE), kind)
                except (RuntimeError, OSError, ValueError) as error:
                    raise self.damaged(FAISS_FILE, error) from error
            else:
                vectors = self.array(VECTORS)
                if vectors.shape != (self.n_local, self.dimension):
                    raise corrupt(self.index_folder, f"{self.name}/{VECTORS} does not match the manifest")
                index = flat_index(vectors, self.dimension)
            if index.ntotal != self.n_local or index.d != self.dimension:
                raise corrupt(self.index_folder, f"{self.name}/{FAISS_FILE} does not match the manifest")
            self._faiss = index
        return self._faiss

    def band_index(self) -> BandIndex:
        if self._bands is None:
            keys, ids = self.array(BAND_KEYS), self.array(BAND_IDS)
            if keys.shape != ids.shape or keys.shape[0] != self.settings.lsh_bands:
                raise corrupt(self.index_folder, f"{self.name}: band tables do not match")
            self._bands = BandIndex(keys, ids, self.settings.lsh_bands, self.settings.lsh_rows)
        return self._bands

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None
        self._arrays.clear()
        self._faiss = None
        self._bands = None

    # -- tombstones -----------------------------------------------------------------------------------

    def script_ranges(self) -> np.ndarray:
        """(first_passage, passages) of every local script, int64 (n_local_scripts, 2)."""
        if self._ranges is None:
            rows = self.query("SELECT first_passage, passages FROM scripts ORDER BY id")
            ranges = np.asarray(rows, dtype=np.int64).reshape(-1, 2)
            if len(ranges) != self.n_local_scripts:
                raise corrupt(self.index_folder, f"{self.name}/{DB} does not match the manifest")
            self._ranges = ranges
        return self._ranges

    def live(self) -> tuple[np.ndarray, np.ndarray] | None:
        """(local -> dense id or -1, dense -> local id) when scripts were removed, else None."""
        if not self.deleted:
            return None
        if self._live is None:
            keep = np.ones(self.n_local, dtype=bool)
            ranges = self.script_ranges()
            for sid in self.deleted:
                first, count = ranges[sid]
                keep[first : first + count] = False
            dense_to_local = np.flatnonzero(keep).astype(np.int64)
            local_to_dense = np.full(self.n_local, -1, dtype=np.int64)
            local_to_dense[dense_to_local] = np.arange(len(dense_to_local))
            if len(dense_to_local) != self.n_live:
                raise corrupt(self.index_folder, f"{self.name}: removed passages do not match the manifest")
            self._live = (local_to_dense, dense_to_local)
        return self._live

    def to_local(self, dense: np.ndarray) -> np.ndarray:
        live = self.live()
        return dense if live is None else live[1][dense]

    def to_dense(self, local: np.ndarray) -> np.ndarray:
        """Dense ids of local passage ids (-1 for those of removed scripts)."""
        live = self.live()
        return local if live is None else live[0][local]

    def live_script_ids(self) -> np.ndarray:
        """Local ids of the scripts that were not removed, in order."""
        keep = np.ones(self.n_local_scripts, dtype=bool)
        keep[list(self.deleted)] = False
        return np.flatnonzero(keep)

    # -- searching (dense ids of this segment) ----------------------------------------------------------

    def search_semantic(self, queries: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray]:
        index = self.faiss_index()
        k = min(k, self.n_live)
        if not self.deleted:
            return search(index, queries, k)
        import faiss  # 0.3 s to import (measured): only when a FAISS index is searched

        removed = np.flatnonzero(self.to_dense(np.arange(self.n_local)) < 0).astype(np.int64)
        selector = faiss.IDSelectorNot(faiss.IDSelectorBatch(removed))
        params: Any = faiss.SearchParameters()
        if self.meta["faiss"]["type"] == "ivf":
            params = faiss.SearchParametersIVF()
            params.nprobe = faiss.extract_index_ivf(index).nprobe
        params.sel = selector
        sims, ids = search(index, queries, k, params)
        return sims, np.where(ids >= 0, self.to_dense(np.maximum(ids, 0)), -1)

    def search_lexical(self, signatures: np.ndarray) -> list[np.ndarray]:
        found = self.band_index().query(signatures)
        if not self.deleted:
            return found
        out = []
        for ids in found:
            dense = self.to_dense(ids)
            out.append(dense[dense >= 0])
        return out

    def script_frequency(self, hashes: np.ndarray) -> np.ndarray:
        counts = lookup_counts(self.array(SHINGLES), self.array(SHINGLE_COUNTS), hashes).astype(np.int64)
        if self.deleted:
            if self._removed_counts is None:
                blobs = [
                    np.frombuffer(row[0], "<u4")
                    for sid in self.deleted
                    for row in self.query("SELECT shingles FROM scripts WHERE id = ?", (sid,))
                ]
                self._removed_counts = count_scripts(blobs)
            counts -= lookup_counts(*self._removed_counts, hashes)
        return counts

    def vectors(self, local: np.ndarray) -> np.ndarray:
        if self.meta["layout"] == 2 and self.meta["faiss"]["type"] == "ivf":
            index = self.faiss_index()
            ivf = _ivf(index)
            if ivf.direct_map.type == 0:  # NoMap: built once, on the first lookup
                ivf.make_direct_map()
            return np.asarray(index.reconstruct_batch(np.asarray(local, dtype=np.int64)), dtype=np.float32)
        return np.asarray(self.array(VECTORS)[local], dtype=np.float32)

    def text_lookup(self, keys: np.ndarray) -> np.ndarray:
        """For each text key, a local passage id with that key, or -1 (format 1 segments: always -1)."""
        if self.meta["layout"] == 1 or not len(keys):
            return np.full(len(keys), -1, dtype=np.int64)
        table, ids = self.array(TEXT_KEYS), self.array(TEXT_IDS)
        where = np.searchsorted(table, keys)
        hit = where < len(table)
        hit[hit] = table[where[hit]] == keys[hit]
        return np.where(hit, np.asarray(ids)[np.minimum(where, max(len(table) - 1, 0))], -1).astype(np.int64)


def _ivf(index: Any) -> Any:
    import faiss  # 0.3 s to import (measured): only when a FAISS index is searched

    return faiss.extract_index_ivf(index)


def signature_rows(segment: Segment, local: np.ndarray) -> np.ndarray:
    return np.asarray(segment.array(SIGNATURES)[local], dtype=np.uint64)
