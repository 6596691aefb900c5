"""``info --verify``: every file of every segment against the manifest, then what the files hold.

Reads only plain files inside the index folder, each at most as many bytes as the manifest lists
(+1), so a tampered manifest can neither point outside the folder nor make the check hang on a
device or a FIFO. Indexed source files that changed or disappeared are notes, not damage.
"""

from __future__ import annotations

import os
import sqlite3
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from simcheck.errors import IndexCorrupt, problem_text
from simcheck.index.layout import DB, DIGEST_OF_LAYOUT, SIGNATURES, VECTORS, file_digest, sha256_file
from simcheck.index.segment import Segment
from simcheck.read.scriptjson import loads
from simcheck.settings import MAX_FILE_BYTES
from simcheck.text.story_table import TABLE_KEY, decode


@dataclass(frozen=True)
class VerifyReport:
    ok: bool
    problems: tuple[str, ...]  # damage in the index itself
    stale: tuple[str, ...]  # indexed source files that changed or disappeared since (not damage)
    files_checked: int
    notes: tuple[str, ...] = ()  # what a rewrite would add (not damage)


def verify(index: Any) -> VerifyReport:
    """Check an ``IndexReader``: its segments' files, then their contents, then its sources."""
    problems: list[str] = []
    files = 0
    for segment in index.segments:
        for name, meta in sorted(segment.meta["files"].items()):
            files += 1
            try:
                algorithm = DIGEST_OF_LAYOUT[int(segment.meta["layout"])]
                digest = file_digest(segment.dir / name, algorithm, limit=int(meta["bytes"]))
            except OSError as error:
                problems.append(f"{segment.name}/{name}: {problem_text(error)}")
                continue
            if digest != meta[algorithm]:
                problems.append(f"{segment.name}/{name}: checksum mismatch (damaged or modified)")
    if not problems:
        for segment in index.segments:
            problems.extend(_contents(segment))
    notes: list[str] = []
    if not problems:
        missing = sum(segment.scripts_without_story() for segment in index.segments)
        if missing:
            notes.append(
                f"{missing:,} scripts have no story table (indexed by an older simcheck): compares make "
                "their story units again each time; simcheck index --compact writes it"
            )
    stale: list[str] = []
    if not problems:
        for script in index.indexed_scripts():
            note = _source_changed(script.path, script.sha256)
            if note:
                stale.append(f"{script.path}: {note}")
    return VerifyReport(not problems, tuple(problems), tuple(sorted(stale)), files, tuple(notes))


def _source_changed(path: str, digest: str) -> str | None:
    """Why an indexed source file no longer matches (None if it does); never reads a non-file."""
    try:
        info = os.stat(path)
    except OSError:
        return "source file no longer exists"
    if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_FILE_BYTES:
        return "source file is no longer a regular script file"
    try:
        current = sha256_file(Path(os.path.realpath(path)), limit=MAX_FILE_BYTES)
    except OSError:
        return "source file cannot be read"
    return None if current == digest else "source file changed since it was indexed"


def _story_rows(segment: Segment) -> list[str]:
    """Every story row decodes and fits its script (rows of other unit cuts are not read: skipped)."""
    if not segment.has_table("story"):
        return []
    problems = []
    ranges = segment.script_ranges()
    for row in segment.db.execute(
        "SELECT script_id, units, member_ends, members, vocabulary, count_ends, count_columns, counts, "
        "cast_json FROM story WHERE key = ?",
        (TABLE_KEY,),
    ):
        sid = int(row[0])
        if not 0 <= sid < len(ranges):
            problems.append(f"{segment.name}/{DB}: a story row for script {sid}, which it lacks")
            continue
        try:
            decode(row[1:], int(ranges[sid][1]))
        except (ValueError, TypeError) as error:
            problems.append(f"{segment.name}/{DB}: story of script {sid}: {error}")
    return problems


def _contents(segment: Segment) -> list[str]:
    problems: list[str] = []
    where = segment.name
    counts = segment.meta["counts"]
    try:
        check = segment.db.execute("PRAGMA integrity_check").fetchone()
        if not check or check[0] != "ok":
            problems.append(f"{where}/{DB}: integrity check failed ({check[0] if check else 'no answer'})")
        for key in ("scripts", "scenes", "passages"):
            value = segment.db.execute(f"SELECT count(*) FROM {key}").fetchone()[0]
            if value != counts[key]:
                problems.append(f"{where}/{DB}: {value} {key}, the manifest says {counts[key]}")
        for sid, blob in segment.db.execute("SELECT id, script FROM scripts"):
            try:
                loads(blob)
            except ValueError as error:
                problems.append(f"{where}/{DB}: script {sid}: {error}")
        segment.live()
        problems.extend(_story_rows(segment))
    except (sqlite3.DatabaseError, IndexCorrupt) as error:
        problems.append(f"{where}/{DB}: {problem_text(error)}")
    n = segment.n_local
    shapes = {SIGNATURES: (n, segment.settings.num_perm)}
    if VECTORS in segment.meta["files"]:
        shapes[VECTORS] = (n, segment.dimension)
    for name, shape in shapes.items():
        try:
            if segment.array(name).shape != shape:
                problems.append(f"{where}/{name}: shape {segment.array(name).shape}, expected {shape}")
        except IndexCorrupt as error:
            problems.append(str(error))
    try:
        segment.faiss_index()
        segment.band_index()
    except IndexCorrupt as error:
        problems.append(str(error))
    return problems
