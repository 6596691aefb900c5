"""A reference script's story units and the words written in each, made once when the script is
indexed and kept in the segment's ``story`` table (``simcheck.index.writer``).

Why: a compare reads the story side of every candidate and background script (about 36 for a
120-page draft against the corpus index, 700,000 words). Made from the stored passages at compare
time, that took 0.5 to 0.7 s of the compare's 4.3 s (measured: passages from SQLite 0.13 s, the word
regex 0.15 s, unit cutting 0.08 s, the content-word tables 0.2 s). Read from this table it is a few
array reads per script.

What is kept is what the passages give, before any judgement of the match stage: the units
(``units.passage_units``: the same cuts, the same speakers and presence), the passages of each unit
(indices into the script's passages in id order) and, per unit, how often each written word occurs
(the script's vocabulary in order of first occurrence, so the first word met for each stem is the one
shown). Stemming, stop words and name masking stay with ``simcheck.match.story_features``, so a change
there needs no rebuild. A change to the unit cuts does: ``TABLE_KEY`` names the cutting settings and
this format; a row with another key is not used (the story side is then made from the passages).

Stored as plain little-endian integer arrays, text and JSON: never a pickle.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simcheck.settings import (
    STORY_PROSE_MIN_UNITS,
    STORY_UNIT_MAX_WORDS,
    STORY_UNIT_MIN_WORDS,
    STORY_UNIT_TARGET_WORDS,
)
from simcheck.text.tokens import WORD
from simcheck.text.units import StoredLike, StoryUnit, passage_units

FORMAT = 1  # bump when what a row holds or how it is counted changes
_CUTS = (STORY_UNIT_MAX_WORDS, STORY_UNIT_TARGET_WORDS, STORY_PROSE_MIN_UNITS, STORY_UNIT_MIN_WORDS)
TABLE_KEY = ":".join(map(str, (FORMAT, *_CUTS)))  # a row is used only when its key is this one
_UNIT_FIELDS = 5  # scene, start, end, line, words


@dataclass(frozen=True)
class StoryTable:
    """The story units of one script, their passages and the words written in them."""

    units: tuple[StoryUnit, ...]  # ``text`` empty (``passage_units``)
    members: tuple[tuple[int, ...], ...]  # per unit, its passages (indices, script order)
    vocabulary: tuple[str, ...]  # every written word, in order of first occurrence (units in order)
    counts: tuple[np.ndarray, np.ndarray, np.ndarray]  # CSR (indptr, indices, data) units x vocabulary


def story_table(passages: Sequence[StoredLike]) -> StoryTable:
    """The story table of a script from its passages in script order (as indexed)."""
    written = [WORD.findall(p.text) for p in passages]
    units, members = passage_units(passages, [len(w) for w in written])
    vocabulary, counts = word_counts(written, members)
    return StoryTable(units, members, vocabulary, counts)


def word_counts(
    pieces: Sequence[Sequence[str]], members: Sequence[Sequence[int]]
) -> tuple[tuple[str, ...], tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """How often each written word occurs in each unit made of ``pieces`` (``members``: the pieces of
    each unit, in order): the words in order of first occurrence, and the counts as CSR (indptr,
    indices, data) of units x words."""
    column: dict[str, int] = {}
    indptr = [0]
    indices: list[int] = []
    data: list[int] = []
    for unit in members:
        row: dict[int, int] = {}
        for k in unit:
            for word in pieces[k]:
                c = column.setdefault(word, len(column))
                row[c] = row.get(c, 0) + 1
        for c in sorted(row):
            indices.append(c)
            data.append(row[c])
        indptr.append(len(indices))
    arrays = (np.asarray(indptr, np.int64), np.asarray(indices, np.int64), np.asarray(data, np.int64))
    return tuple(column), arrays


def encode(table: StoryTable) -> tuple[str, bytes, bytes, bytes, str, bytes, bytes, bytes, str]:
    """The values of a ``story`` row after its ``script_id``: key, units, member ends, members,
    vocabulary, count ends, count columns, counts, cast (JSON)."""
    units = np.asarray([[u.scene, u.start, u.end, u.line, u.words] for u in table.units], "<i8").reshape(
        -1, _UNIT_FIELDS
    )
    ends = np.cumsum([len(m) for m in table.members], dtype=np.int64)
    members = np.asarray([k for m in table.members for k in m], "<i8")
    indptr, indices, data = table.counts
    cast = [[list(u.speakers), list(u.presence)] for u in table.units]
    return (
        TABLE_KEY,
        units.astype("<i8").tobytes(),
        ends.astype("<i8").tobytes(),
        members.tobytes(),
        "\n".join(table.vocabulary),
        np.asarray(indptr[1:], "<i8").tobytes(),
        np.asarray(indices, "<i4").tobytes(),
        np.asarray(data, "<i4").tobytes(),
        json.dumps(cast, ensure_ascii=False),
    )


def decode(values: Sequence[Any], passages: int) -> StoryTable:
    """A story table from the values ``encode`` gave after the key (as read back from the database),
    for a script of ``passages`` passages. Raises ``ValueError`` naming what does not fit."""
    if len(values) != 8:
        raise ValueError("a story row has the wrong number of fields")
    units_blob, ends_blob, members_blob, vocabulary, count_ends_blob, columns_blob, counts_blob, cast_json = (
        values
    )
    if not isinstance(vocabulary, str) or not isinstance(cast_json, str):
        raise ValueError("a story row's words or cast are not text")
    rows = _ints(units_blob, "<i8", "units")
    if rows.size % _UNIT_FIELDS:
        raise ValueError("story units are cut short")
    rows = rows.reshape(-1, _UNIT_FIELDS)
    n = len(rows)
    ends = _ints(ends_blob, "<i8", "unit passages")
    members = _ints(members_blob, "<i8", "unit passages")
    count_ends = _ints(count_ends_blob, "<i8", "unit words")
    columns = _ints(columns_blob, "<i4", "unit words").astype(np.int64)
    counts = _ints(counts_blob, "<i4", "unit words").astype(np.int64)
    words = tuple(vocabulary.split("\n")) if vocabulary else ()
    try:
        cast = json.loads(cast_json)
    except RecursionError:
        raise ValueError("a story row's cast is nested too deeply") from None
    if len(ends) != n or len(count_ends) != n or not isinstance(cast, list) or len(cast) != n:
        raise ValueError("story units and their passages, words or cast differ in number")
    starts = np.concatenate([[0], ends])
    count_starts = np.concatenate([[0], count_ends])
    if np.any(np.diff(starts) < 0) or starts[-1] != len(members) or np.any(np.diff(count_starts) < 0):
        raise ValueError("story unit ranges are out of order")
    if count_starts[-1] != len(columns) or len(columns) != len(counts):
        raise ValueError("story unit word counts are cut short")
    if members.size and (members.min() < 0 or members.max() >= passages):
        raise ValueError("a story unit names a passage the script lacks")
    if columns.size and (columns.min() < 0 or columns.max() >= len(words)):
        raise ValueError("a story unit names a word outside the vocabulary")
    units = []
    for k, (scene, start, end, line, size) in enumerate(rows.tolist()):
        speakers, presence = cast[k]
        cast_of = tuple(map(str, speakers)), tuple(map(float, presence))
        units.append(StoryUnit(k + 1, scene, start, end, line, size, "", *cast_of))
    return StoryTable(
        tuple(units),
        tuple(tuple(members[a:b].tolist()) for a, b in zip(starts[:-1], starts[1:], strict=True)),
        words,
        (count_starts.astype(np.int64), columns, counts),
    )


def _ints(blob: bytes, dtype: str, what: str) -> np.ndarray:
    width = np.dtype(dtype).itemsize
    if not isinstance(blob, bytes) or len(blob) % width:
        raise ValueError(f"story {what} are cut short")
    return np.frombuffer(blob, dtype)


__all__ = ["FORMAT", "TABLE_KEY", "StoryTable", "decode", "encode", "story_table", "word_counts"]
