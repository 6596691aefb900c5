"""Index format 2: segments, tombstones, merges, compaction, format 1 indexes, resuming after a crash."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder
from test_story_table import same_table

import simcheck.index.builder as builder_module
import simcheck.index.merge as merge_module
import simcheck.index.pipeline as pipeline_module
import simcheck.index.writer as writer_module
from simcheck.compare import Comparer, compare
from simcheck.errors import IndexWriteError
from simcheck.index.store import Index
from simcheck.read import read_script
from simcheck.search.memory import MemoryReferences
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import script_features

FIXTURES = Path(__file__).parent / "fixtures" / "compare"
NAMES = ("keepers_daughter", "orchard_debts", "night_shift", "bakery")
V1 = Path(__file__).parent / "data" / "index-v1"


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    folder = tmp_path / "refs"
    folder.mkdir()
    for name in NAMES:
        shutil.copy(FIXTURES / f"{name}.fountain", folder / f"{name}.fountain")
    return folder


def _paths(refs: Path) -> list[Path]:
    return sorted(refs.glob("*.fountain"))


def _index(path: Path) -> Index:
    return Index.create(path, IndexSettings(), HashEmbedder(64))


def _agree(index: Index, memory: MemoryReferences) -> None:
    """Everything a compare reads through the References protocol is the same."""
    ids = np.arange(index.n_passages)
    assert memory.n_passages == index.n_passages
    assert [(s.id, s.path, s.passages) for s in index.scripts()] == [
        (s.id, s.path, s.passages) for s in memory.scripts()
    ]
    assert [(p.id, p.script_id, p.scene, p.text) for p in index.passages(ids)] == [
        (p.id, p.script_id, p.scene, p.text) for p in memory.passages(ids)
    ]
    assert np.array_equal(index.vectors(ids), memory.vectors(ids))
    assert np.array_equal(index.signatures(ids), memory.signatures(ids))
    probe = memory.vectors(ids[::3])
    sims, found = index.search_semantic(probe, 7)
    msims, mfound = memory.search_semantic(probe, 7)
    assert np.array_equal(sims, msims)
    for row in range(len(probe)):  # the same neighbours; which of several tied at the k-th place may differ
        above = msims[row] > msims[row, -1]
        assert set(found[row][above]) == set(mfound[row][above])
        assert np.all(np.diff(sims[row]) <= 0)
    signatures = memory.signatures(ids[::2])
    assert all(
        np.array_equal(a, b)
        for a, b in zip(index.search_lexical(signatures), memory.search_lexical(signatures), strict=True)
    )
    hashes = np.concatenate(
        [h for s in memory._scripts for h in script_features(s, memory.settings).shingle_hashes]
    )
    assert np.array_equal(index.script_frequency(hashes), memory.script_frequency(hashes))
    for script in memory.scripts():
        for scene in range(1, script.scenes + 1):
            assert np.array_equal(
                index.scene_passage_ids(script.id, scene), memory.scene_passage_ids(script.id, scene)
            )
        assert index.load_script(script.id) == memory.load_script(script.id)
        assert same_table(index.story_table(script.id), memory.story_table(script.id))


def _memory(paths: list[Path]) -> MemoryReferences:
    return MemoryReferences.build([read_script(p) for p in paths], IndexSettings(), HashEmbedder(64))


def test_each_add_writes_a_segment_and_searches_span_them(tmp_path: Path, refs: Path) -> None:
    index = _index(tmp_path / "idx")
    paths = _paths(refs)
    for path in paths:
        index.add([path])
    assert index.info().segments == len(paths)
    _agree(Index.open(tmp_path / "idx"), _memory(paths))


def test_an_add_does_not_rewrite_other_segments(tmp_path: Path, refs: Path) -> None:
    index = _index(tmp_path / "idx")
    paths = _paths(refs)
    index.add(paths[:3])
    first = index.segments[0].dir
    before = {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in first.iterdir()}
    summary = index.add(paths)
    assert summary.added == (str(paths[3]),) and summary.unchanged == 3 and summary.segments == 1
    assert {p.name: (p.stat().st_ino, p.stat().st_mtime_ns) for p in first.iterdir()} == before
    assert [s.name for s in index.segments] == ["seg-000001", "seg-000002"]


def test_remove_is_a_tombstone_and_ids_stay_dense(tmp_path: Path, refs: Path) -> None:
    index = _index(tmp_path / "idx")
    paths = _paths(refs)
    index.add(paths[:2])
    index.add(paths[2:])
    files = {p.name: p.stat().st_mtime_ns for p in index.segments[0].dir.iterdir()}
    summary = index.remove([paths[0]])
    assert summary.removed == (str(paths[0]),)
    assert {p.name: p.stat().st_mtime_ns for p in index.segments[0].dir.iterdir()} == files  # untouched
    assert index.manifest["segments"][0]["deleted"] == [0]
    assert index.info().removed_scripts == 1
    reopened = Index.open(tmp_path / "idx")
    _agree(reopened, _memory(paths[1:]))
    assert reopened.verify().ok
    assert reopened.compact() and reopened.info().segments == 1 and reopened.info().removed_scripts == 0
    _agree(Index.open(tmp_path / "idx"), _memory(paths[1:]))


def test_a_changed_file_replaces_its_old_version_in_one_commit(tmp_path: Path, refs: Path) -> None:
    index = _index(tmp_path / "idx")
    paths = _paths(refs)
    index.add([refs])
    edited = paths[1]
    edited.write_text(
        edited.read_text() + "\nINT. NEW ROOM - DAY\n\nA brand new scene appears here at the end.\n"
    )
    summary = index.add([refs])
    assert summary.updated == (str(edited),) and summary.reused > 0
    order = [p for p in paths if p != edited] + [edited]  # the new version lives in the new segment
    _agree(Index.open(tmp_path / "idx"), _memory(order))


def test_small_segments_at_the_end_are_merged_without_changing_ids(
    tmp_path: Path, refs: Path, monkeypatch
) -> None:
    monkeypatch.setattr(merge_module, "MERGE_FACTOR", 3)
    index = _index(tmp_path / "idx")
    paths = _paths(refs)
    index.add(paths[:1])
    index.add(paths[1:2])
    assert index.info().segments == 2
    before = Index.open(tmp_path / "idx")
    ids = np.arange(before.n_passages)
    old = (before.passages(ids), before.vectors(ids))
    index.add(paths[2:3])  # the third small segment: the three are merged, in their order
    assert [s.name for s in index.segments] == ["seg-000004"]
    assert index.passages(ids) == old[0] and np.array_equal(index.vectors(ids), old[1])
    _agree(Index.open(tmp_path / "idx"), _memory(paths[:3]))


def test_a_build_is_cut_into_segments_and_a_crash_loses_at_most_one(
    tmp_path: Path, refs: Path, monkeypatch
) -> None:
    class Counting(HashEmbedder):
        seen: list[str] = []

        def embed(self, texts, progress=None):
            Counting.seen.extend(texts)
            return super().embed(texts, progress)

    monkeypatch.setattr(builder_module, "SEGMENT_PASSAGES", 1)  # a segment per script
    real_write = writer_module.write_segment
    calls = []

    def crash_on_third(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise KeyboardInterrupt  # killed while writing the third segment
        return real_write(*args, **kwargs)

    monkeypatch.setattr(builder_module, "write_segment", crash_on_third)
    index = Index.create(tmp_path / "idx", IndexSettings(), Counting(64))
    with pytest.raises(KeyboardInterrupt):
        index.add([refs])
    committed = Index.open(tmp_path / "idx")
    assert [s.path for s in committed.scripts()] == [str(p) for p in _paths(refs)[:2]]
    assert committed.verify().ok
    monkeypatch.setattr(builder_module, "write_segment", real_write)
    Counting.seen.clear()
    summary = Index.open(tmp_path / "idx", embedder=Counting(64)).add([refs])  # the re-run resumes
    assert summary.unchanged == 2 and len(summary.added) == 2
    resumed = {
        t
        for p in _paths(refs)[2:]
        for t in (x.text for x in script_features(read_script(p), IndexSettings()).passages)
    }
    assert set(Counting.seen) <= resumed  # nothing committed before the crash is embedded again
    _agree(Index.open(tmp_path / "idx"), _memory(_paths(refs)))


def test_workers_read_in_parallel_and_build_the_same_index(tmp_path: Path, refs: Path, monkeypatch) -> None:
    monkeypatch.setattr(pipeline_module, "PARALLEL_MIN_FILES", 2)
    one = _index(tmp_path / "one")
    one.add([refs], workers=1)
    two = _index(tmp_path / "two")
    two.add([refs], workers=2)
    assert one.manifest_sha256 == two.manifest_sha256  # byte for byte the same files
    _agree(two, _memory(_paths(refs)))


def test_identical_builds_have_the_same_manifest_checksum(tmp_path: Path, refs: Path) -> None:
    one = _index(tmp_path / "one")
    one.add([refs])
    two = _index(tmp_path / "two")
    two.add([refs])
    assert json.loads((tmp_path / "one" / "manifest.json").read_text())["created"]
    assert one.manifest_sha256 == two.manifest_sha256
    two.remove([_paths(refs)[0]])
    assert one.manifest_sha256 != two.manifest_sha256


def test_a_failed_write_keeps_the_committed_segments(tmp_path: Path, refs: Path, monkeypatch) -> None:
    index = _index(tmp_path / "idx")
    index.add(_paths(refs)[:2])

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(writer_module.np, "save", full)
    with pytest.raises(IndexWriteError):
        index.add([refs])
    monkeypatch.undo()
    reopened = Index.open(tmp_path / "idx")
    assert len(reopened.scripts()) == 2 and reopened.verify().ok
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["lock", "manifest.json", "seg-000001"]


def test_a_format_1_index_opens_compares_and_takes_new_segments(tmp_path: Path) -> None:
    folder = tmp_path / "v1"
    shutil.copytree(V1 / "index", folder)
    index = Index.open(folder)
    assert index.info().format_version == 1 and index.info().segments == 1
    assert index.verify().ok
    # the same report as the same scripts held in memory (the index written by simcheck 0764885)
    draft = FIXTURES / "salt_and_signal.fountain"
    report = compare(draft, index=folder, embedder=HashEmbedder(64)).to_dict()
    scripts = [index.load_script(s.id) for s in index.scripts()]
    memory = MemoryReferences.build(scripts, IndexSettings(), HashEmbedder(64))
    pairwise = Comparer(memory, HashEmbedder(64)).compare_scripts([read_script(draft)])[0].to_dict()
    assert report["matches"] and report["matches"] == pairwise["matches"]
    assert report["references"] == pairwise["references"]
    # writing to it keeps the format 1 folder as its first segment
    before = [s.path for s in index.scripts()]
    summary = Index.open(folder, embedder=HashEmbedder(64)).add([FIXTURES / "bakery.fountain"])
    assert summary.added == (str((FIXTURES / "bakery.fountain").resolve()),)
    reopened = Index.open(folder)
    assert reopened.info().format_version == 2
    assert [s.name for s in reopened.segments] == ["gen-000002", "seg-000003"]
    assert [s.path for s in reopened.scripts()] == [*before, summary.added[0]]
    assert reopened.verify().ok
    scripts = sorted((reopened.load_script(s.id) for s in reopened.scripts()), key=lambda s: s.path)
    assert reopened.compact() and [s.name for s in Index.open(folder).segments] == ["seg-000004"]
    memory = MemoryReferences.build(scripts, IndexSettings(), HashEmbedder(64))
    _agree(Index.open(folder), memory)


def test_segments_of_a_large_index_get_ivf_and_keep_their_vectors_exactly(
    tmp_path: Path, refs: Path, monkeypatch
) -> None:
    import simcheck.search.vectors as vectors

    monkeypatch.setattr(vectors, "FLAT_MAX_PASSAGES", 20)  # "large" from 20 passages on
    monkeypatch.setattr(vectors, "IVF_MIN_SEGMENT", 10)
    monkeypatch.setattr(vectors, "IVF_MIN_PER_LIST", 2)
    monkeypatch.setattr(builder_module, "SEGMENT_PASSAGES", 1)  # a segment per script
    index = _index(tmp_path / "idx")
    index.add([refs])
    kinds = [s.meta["faiss"]["type"] for s in index.segments]
    assert kinds.count("ivf") >= 2 and {"vectors.faiss"} <= set(index.segments[-1].meta["files"])
    memory = _memory(_paths(refs))
    ids = np.arange(index.n_passages)
    assert np.array_equal(index.vectors(ids), memory.vectors(ids))  # float16 in the IVF, read back exactly
    reopened = Index.open(tmp_path / "idx")
    assert reopened.verify().ok
    last = reopened.scripts()[-1]
    own = np.asarray([p.id for p in reopened.passages(ids) if p.script_id == last.id])
    sims, found = reopened.search_semantic(reopened.vectors(own), 1)
    assert np.array_equal(found[:, 0], own) or np.all(sims[:, 0] > 0.999)
    reopened.remove([last.path])
    gone = set(own.tolist())
    after = Index.open(tmp_path / "idx")
    _sims, found = after.search_semantic(memory.vectors(list(gone)), 5)
    assert after.n_passages == index.n_passages - len(gone) and found.max() < after.n_passages
