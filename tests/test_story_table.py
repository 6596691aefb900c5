"""The story table: reference scripts' story units and words, made when they are indexed.

A compare reads a reference's story side from it instead of re-cutting the stored passages; these
tests hold the two ways to the same result (units, passages, words, and the story side built from
them), through new segments, segments written before the table, merges and damaged rows.
"""

from __future__ import annotations

import random
import shutil
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from fakes import HashEmbedder

import simcheck.index.check as check_module
import simcheck.index.reader as reader_module
import simcheck.index.segment as segment_module
import simcheck.index.writer as writer_module
from simcheck.cli import cli
from simcheck.index.layout import DB
from simcheck.index.store import Index
from simcheck.match.draft import ReferenceCache
from simcheck.match.story_features import (
    StorySide,
    UnitWords,
    _word_key,
    column_of,
    counted_words,
    reference_side,
    unit_words,
)
from simcheck.read import read_script
from simcheck.search.memory import MemoryReferences
from simcheck.settings import STORY_UNIT_MAX_WORDS, IndexSettings
from simcheck.text.story_table import StoryTable, decode, encode, story_table
from simcheck.text.tokens import WORD, name_words
from simcheck.text.units import passage_units

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
WORDS = (
    "harbour lantern ledger barrel oil storm gull inspector brass winter telegram cliff rope boat "
    "keeper's sister promise debt orchard bread morning quarrel letter secret ferry island coast"
).split()


def same_table(a: StoryTable, b: StoryTable) -> bool:
    return (
        a.units == b.units
        and a.members == b.members
        and a.vocabulary == b.vocabulary
        and all(np.array_equal(x, y) for x, y in zip(a.counts, b.counts, strict=True))
    )


def _sentence(rng: random.Random, names: list[str], length: int) -> str:
    words = [rng.choice(WORDS) if rng.random() > 0.15 else rng.choice(names) for _ in range(length)]
    text = " ".join(words)
    return text[0].upper() + text[1:] + "."


def _write_scripts(folder: Path) -> list[Path]:
    """Four fixture screenplays, one with a scene long enough to be cut into beats, and a prose
    retelling (no screenplay layout: cut at paragraphs), all with names to mask."""
    folder.mkdir()
    for name in ("keepers_daughter", "orchard_debts", "night_shift", "bakery"):
        shutil.copy(FIXTURES / f"{name}.fountain", folder / f"{name}.fountain")
    rng = random.Random(7)
    lines = ["Title: The Long Night", "", "INT. HALL - NIGHT", "", "Rain on the windows."]
    for k in range(60):
        speaker = ("MAREN", "TOBIAS", "ISOLDE")[k % 3]
        lines += ["", speaker, _sentence(rng, ["Maren", "Tobias", "Isolde"], 25)]
    lines += ["", "EXT. PIER - DAWN", "", _sentence(rng, ["Maren"], 30)]
    (folder / "long_night.fountain").write_text("\n".join(lines) + "\n", encoding="utf-8")
    paragraphs = [_sentence(rng, ["Alder", "Bryony", "Alder's"], 70) for _ in range(24)]
    (folder / "retold.txt").write_text("\n\n".join(paragraphs) + "\n", encoding="utf-8")
    return sorted(folder.iterdir())


@pytest.fixture
def scripts(tmp_path: Path) -> list[Path]:
    return _write_scripts(tmp_path / "refs")


def _memory(paths: list[Path]) -> MemoryReferences:
    return MemoryReferences.build([read_script(p) for p in paths], IndexSettings(), HashEmbedder(64))


def _index(folder: Path, paths: list[Path]) -> Index:
    index = Index.create(folder, IndexSettings(), HashEmbedder(64))
    index.add(paths)
    return Index.open(folder)


def _same_side(a: StorySide, b: StorySide) -> None:
    assert a.units == b.units and a.prose == b.prose
    assert np.array_equal(a.vectors, b.vectors)
    assert _same_words(a.words, b.words)
    assert a.tf is not None and b.tf is not None and (a.tf != b.tf).nnz == 0


def _same_words(a: UnitWords, b: UnitWords) -> bool:
    return (
        a.stems == b.stems
        and a.surface == b.surface
        and np.array_equal(a.columns, b.columns)
        and (a.counts != b.counts).nnz == 0
    )


def _rows(index: Index) -> int:
    return sum(
        s.query("SELECT count(*) FROM story")[0][0] if s.has_table("story") else 0 for s in index.segments
    )


def test_counted_words_are_the_words_of_each_unit(scripts: list[Path]) -> None:
    """The table's per-word counts give the stems of every word written in every unit, names masked,
    each shown as first written (judged here word by word: the definition)."""
    memory = _memory(scripts)
    beats = prose = 0
    for ref in memory.scripts():
        passages = memory.passages(np.arange(memory.n_passages))
        passages = [p for p in passages if p.script_id == ref.id]
        written = [WORD.findall(p.text) for p in passages]
        units, members = passage_units(passages, [len(w) for w in written])
        table = story_table(passages)
        assert table.units == units and table.members == members
        names = name_words(ref.cast) | frozenset({"alder", "bryony"})
        got = counted_words(table.vocabulary, table.counts, len(units), names)
        surface: dict[str, str] = {}
        for row, unit in enumerate(members):
            bag: Counter[str] = Counter()
            for word in (w for k in unit for w in written[k]):
                key, base = _word_key(word)
                if key is not None and not (word[0].isupper() and base in names):
                    bag[key] += 1
                    surface.setdefault(key, base)
            assert got.bag(row) == bag
        assert got.surface == surface and set(got.stems) == set(surface)
        assert list(got.columns) == [column_of(s) for s in got.stems]
        assert "alder" not in surface.values() and "maren" not in surface.values()
        assert _same_words(got, unit_words(written, members, names))
        beats += len(units) > len({u.scene for u in units}) and not ref.path.endswith(".txt")
        prose += ref.path.endswith(".txt") and len(units) > 1
    assert beats and prose  # a scene cut into beats and prose cut at paragraphs were both met
    assert STORY_UNIT_MAX_WORDS < 60 * 25


def test_the_index_keeps_each_scripts_story_table(tmp_path: Path, scripts: list[Path], monkeypatch) -> None:
    index = _index(tmp_path / "idx", scripts)
    assert _rows(index) == len(scripts)
    memory = _memory(scripts)

    def not_made_again(passages: object) -> StoryTable:
        raise AssertionError("a compare re-cut a script the index holds a story table for")

    monkeypatch.setattr(reader_module, "story_table", not_made_again)
    for ref in memory.scripts():
        assert same_table(index.story_table(ref.id), memory.story_table(ref.id))
    for ref in memory.scripts():  # the story side a compare uses: the same from both
        _same_side(
            reference_side(ReferenceCache(index), ref.id), reference_side(ReferenceCache(memory), ref.id)
        )


def _old_index(folder: Path, paths: list[Path], monkeypatch) -> Index:
    """An index written as simcheck wrote it before the story table."""
    old_schema = writer_module.SCHEMA[: writer_module.SCHEMA.index("CREATE TABLE story")]
    with monkeypatch.context() as patch:
        patch.setattr(writer_module, "SCHEMA", old_schema)
        patch.setattr(writer_module, "_insert_story", lambda db, sid, passages: None)
        patch.setattr(writer_module, "_copy_story", lambda db, sid, entry: True)
        index = _index(folder, paths)
    assert not index.segments[0].has_table("story") and _rows(index) == 0
    return index


def test_compact_writes_the_table_into_an_index_written_before_it(
    tmp_path: Path, scripts: list[Path], monkeypatch
) -> None:
    folder = str(tmp_path / "idx")
    index = _old_index(tmp_path / "idx", sorted(scripts), monkeypatch)
    info = CliRunner().invoke(cli, ["info", "--index", folder, "--verify"])
    assert info.exit_code == 0 and info.stdout.endswith("match their checksums)\n")
    assert info.stderr == (
        f"note: {len(scripts)} scripts have no story table (indexed by an older simcheck): compares make "
        "their story units again each time; simcheck index --compact writes it\n"
    )
    memory = _memory(sorted(scripts))
    for ref in memory.scripts():  # made from the passages, as before the table
        assert same_table(index.story_table(ref.id), memory.story_table(ref.id))
    # one segment in path order, yet rewritten: it lacked the table
    compacted = CliRunner().invoke(cli, ["index", "--compact", "--index", folder])
    assert compacted.exit_code == 0 and compacted.stdout == f"{folder}: compacted\n"
    assert CliRunner().invoke(cli, ["info", "--index", folder, "--verify"]).stderr == ""
    compacted = Index.open(tmp_path / "idx")
    assert _rows(compacted) == len(scripts) and compacted.verify().notes == ()
    assert not compacted.compact()
    for ref in memory.scripts():
        assert same_table(compacted.story_table(ref.id), memory.story_table(ref.id))


def test_a_segment_without_the_table_is_read_and_a_merge_adds_it(
    tmp_path: Path, scripts: list[Path], monkeypatch
) -> None:
    """A segment written before the table: its story is made from its passages, as before; a merge
    writes the table for the scripts it copies."""
    _old_index(tmp_path / "idx", scripts[:3], monkeypatch)
    index = Index.open(tmp_path / "idx", embedder=HashEmbedder(64))
    index.add(scripts[3:])
    reopened = Index.open(tmp_path / "idx")
    assert _rows(reopened) == len(scripts) - 3
    memory = _memory(scripts)
    for ref in memory.scripts():
        assert same_table(reopened.story_table(ref.id), memory.story_table(ref.id))
    assert reopened.compact()
    merged = Index.open(tmp_path / "idx")
    assert len(merged.segments) == 1 and _rows(merged) == len(scripts)
    for ref in memory.scripts():
        assert same_table(merged.story_table(ref.id), memory.story_table(ref.id))
    assert merged.verify().ok


def test_a_row_made_with_other_unit_cuts_is_not_used(
    tmp_path: Path, scripts: list[Path], monkeypatch
) -> None:
    index = _index(tmp_path / "idx", scripts)
    made: list[int] = []
    original = reader_module.story_table

    def counting(passages: list) -> StoryTable:  # type: ignore[type-arg]
        made.append(len(passages))
        return original(passages)

    monkeypatch.setattr(reader_module, "story_table", counting)
    monkeypatch.setattr(segment_module, "TABLE_KEY", "0:cut-otherwise")
    memory = _memory(scripts)
    for ref in memory.scripts():
        assert same_table(index.story_table(ref.id), memory.story_table(ref.id))
    assert len(made) == len(scripts)


def test_a_table_survives_its_row_and_a_damaged_row_is_named(scripts: list[Path]) -> None:
    memory = _memory(scripts)
    ref = next(r for r in memory.scripts() if r.path.endswith("long_night.fountain"))
    table = memory.story_table(ref.id)
    key, *values = encode(table)
    assert same_table(decode(values, ref.passages), table)
    assert any(u.speakers for u in table.units)  # speakers and shares come back exactly
    units, ends, members, vocabulary, count_ends, columns, counts, cast = values
    damaged = {
        "cut short": (units[:-3], ends, members, vocabulary, count_ends, columns, counts, cast),
        "differ in number": (units, ends, members, vocabulary, count_ends, columns, counts, "[]"),
        "names a passage": (units, ends, members, vocabulary, count_ends, columns, counts, cast),
        "outside the vocabulary": (units, ends, members, "word", count_ends, columns, counts, cast),
        "nested too deeply": (units, ends, members, vocabulary, count_ends, columns, counts, "[" * 100_000),
    }
    for problem, row in damaged.items():
        passages = 1 if problem == "names a passage" else ref.passages
        with pytest.raises(ValueError, match=problem):
            decode(row, passages)


def test_a_damaged_story_row_is_reported_as_a_damaged_index(
    tmp_path: Path, scripts: list[Path], monkeypatch
) -> None:
    index = _index(tmp_path / "idx", scripts[:2])
    monkeypatch.setattr(
        segment_module, "decode", lambda values, passages: (_ for _ in ()).throw(ValueError("cut short"))
    )
    with pytest.raises(Exception, match=f"{index.segments[0].name}/{DB} is damaged"):
        index.story_table(0)


def test_verify_names_a_story_row_that_does_not_decode(
    tmp_path: Path, scripts: list[Path], monkeypatch
) -> None:
    index = _index(tmp_path / "idx", scripts[:2])
    assert index.verify().ok
    monkeypatch.setattr(
        check_module, "decode", lambda values, passages: (_ for _ in ()).throw(ValueError("x"))
    )
    report = index.verify()
    assert not report.ok
    assert report.problems == tuple(
        f"{index.segments[0].name}/{DB}: story of script {k}: x" for k in range(2)
    )
