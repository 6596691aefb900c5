from __future__ import annotations

import errno
import fcntl
import json
import os
import re
from pathlib import Path

import numpy as np
import pytest
from fakes import HashEmbedder

import simcheck.index.build as index_module
import simcheck.index.pipeline as pipeline_module
import simcheck.index.writer as store_module
import simcheck.read.walk as walk_module
from simcheck.errors import IndexCorrupt, IndexLocked, IndexMismatch, IndexNotFound, IndexWriteError
from simcheck.index.layout import SEGMENT_FILES
from simcheck.index.store import Index
from simcheck.read import read_script
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import script_features

COMMON = "What are you doing here at this hour of the night, you should be asleep by now."

PLAY_A = (
    """Title: The Glass Harbour

INT. HARBOUR OFFICE - NIGHT

Rain runs down the tall windows while the harbour master counts the ships in a ledger.

MARGIT
(without looking up)
Seven ships went out this morning and only six have come back to the harbour.

TOMAS
The seventh will come. The wind turned against them near the northern rocks.

EXT. PIER - NIGHT

Lanterns swing on their hooks as the two of them walk to the very end of the pier.

MARGIT
"""
    + COMMON
    + """

TOMAS
I could ask you the same question, and you would give me the same answer.
"""
)

PLAY_B = (
    """Title: The Orchard Letters

INT. FARMHOUSE KITCHEN - DAY

Apples cover every surface of the kitchen, and a stack of unopened letters leans against the kettle.

HEDDA
"""
    + COMMON
    + """

OSKAR
I came for the letters my brother wrote before he left for the coast.

HEDDA
They stay here until he asks for them himself, with his own mouth.
"""
)

PLAY_C = """INT. OBSERVATORY - NIGHT

The great dome grinds open and a slice of winter sky appears above the old brass telescope.

ASTRID
If the comet is on time it will cross the eastern window before the clock strikes two.
"""


class CountingEmbedder(HashEmbedder):
    """HashEmbedder that records every text it was asked to embed."""

    def __init__(self, dimension: int = 32) -> None:
        super().__init__(dimension)
        self.seen: list[str] = []

    def embed(self, texts, progress=None):
        self.seen.extend(texts)
        return super().embed(texts, progress)


@pytest.fixture
def refs(tmp_path: Path) -> Path:
    folder = tmp_path / "refs"
    (folder / "sub").mkdir(parents=True)
    (folder / "harbour.fountain").write_text(PLAY_A, encoding="utf-8")
    (folder / "sub" / "orchard.fountain").write_text(PLAY_B, encoding="utf-8")
    (folder / "notes.md").write_text("not a script, ignored by extension")
    return folder


def _new_index(tmp_path: Path, embedder: HashEmbedder | None = None) -> Index:
    return Index.create(tmp_path / "idx", IndexSettings(), embedder or CountingEmbedder())


def test_add_indexes_folders_and_implements_references(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    summary = index.add([refs])
    harbour, orchard = str(refs / "harbour.fountain"), str(refs / "sub" / "orchard.fountain")
    assert summary.added == (harbour, orchard) and summary.skipped == () and summary.changed
    assert (summary.scripts, summary.scenes) == (2, 3)
    expected = [script_features(read_script(p), index.settings) for p in (harbour, orchard)]
    assert summary.passages == index.n_passages == sum(len(f.passages) for f in expected)

    reopened = Index.open(tmp_path / "idx")
    scripts = reopened.scripts()
    assert [(s.id, s.path, s.title) for s in scripts] == [
        (0, harbour, "The Glass Harbour"),
        (1, orchard, "The Orchard Letters"),
    ]
    assert scripts[0].cast == ("MARGIT", "TOMAS")
    assert reopened.load_script(0) == read_script(harbour)
    text = read_script(harbour).text
    stored = reopened.passages(range(scripts[0].passages))
    assert [p.text for p in stored] == [p.text for p in expected[0].passages]
    assert all(text[p.start : p.end] == p.text or p.kind == "window" for p in stored)
    assert np.array_equal(
        reopened.signatures(range(reopened.n_passages))[: len(stored)], expected[0].signatures
    )
    assert reopened.scene_passage_ids(0, 2).tolist() == [p.id for p in stored if p.scene == 2]

    # search: the line both plays share is found lexically and semantically in both
    common_ids = [p.id for p in reopened.passages(range(reopened.n_passages)) if p.text == COMMON]
    assert len(common_ids) == 2
    assert reopened.search_lexical(reopened.signatures(common_ids[:1]))[0].tolist() == common_ids
    sims, ids = reopened.search_semantic(reopened.vectors(common_ids[:1]), 2)
    assert sorted(ids[0].tolist()) == common_ids and sims[0].min() > 0.99
    common_hashes = script_features(read_script(harbour), index.settings).shingle_hashes
    counts = reopened.script_frequency(np.concatenate(common_hashes))
    assert counts.max() == 2 and counts.min() == 1


def test_rerun_without_change_reads_and_embeds_nothing(tmp_path: Path, refs: Path, monkeypatch) -> None:
    embedder = CountingEmbedder()
    index = _new_index(tmp_path, embedder)
    index.add([refs])
    generation = index.info().generation
    embedder.seen.clear()
    monkeypatch.setattr(pipeline_module, "read_script", lambda path: pytest.fail(f"re-read {path}"))
    summary = index.add([refs])
    assert not summary.changed and summary.unchanged == 2 and summary.embedded == 0
    assert embedder.seen == [] and index.info().generation == generation


def test_changed_file_reembeds_only_new_passages_and_deleted_file_is_dropped(
    tmp_path: Path, refs: Path
) -> None:
    embedder = CountingEmbedder()
    index = _new_index(tmp_path, embedder)
    index.add([refs])
    embedder.seen.clear()
    harbour = refs / "harbour.fountain"
    new_line = "The lighthouse keeper swears he saw a seventh mast without any sails at all."
    harbour.write_text(
        PLAY_A.replace(
            "The seventh will come. The wind turned against them near the northern rocks.", new_line
        )
    )
    (refs / "observatory.fountain").write_text(PLAY_C)
    (refs / "sub" / "orchard.fountain").unlink()
    summary = index.add([refs])
    assert summary.updated == (str(harbour),)
    assert summary.added == (str(refs / "observatory.fountain"),)
    assert summary.removed == (str(refs / "sub" / "orchard.fountain"),)
    observatory = script_features(read_script(refs / "observatory.fountain"), index.settings)
    assert sorted(embedder.seen) == sorted([new_line] + [p.text for p in observatory.passages])
    harbour_passages = len(script_features(read_script(harbour), index.settings).passages)
    assert summary.embedded == len(embedder.seen) and summary.reused == harbour_passages - 1
    assert [s.path for s in index.scripts()] == [str(harbour), str(refs / "observatory.fountain")]
    assert index.verify().ok


def test_index_content_does_not_depend_on_the_order_of_runs_once_compacted(
    tmp_path: Path, refs: Path
) -> None:
    one = Index.create(tmp_path / "one", IndexSettings(), HashEmbedder(16))
    one.add([refs])
    two = Index.create(tmp_path / "two", IndexSettings(), HashEmbedder(16))
    two.add([refs / "sub" / "orchard.fountain"])
    two.add([refs / "harbour.fountain"])
    assert [s.path for s in two.scripts()] == [
        str(refs / "sub" / "orchard.fountain"),
        str(refs / "harbour.fountain"),
    ]
    assert two.info().segments == 2 and not one.compact()  # one build: one segment, in path order
    assert two.compact() and two.info().segments == 1
    ids = range(one.n_passages)
    assert one.passages(ids) == two.passages(ids)
    assert np.array_equal(one.signatures(ids), two.signatures(ids))
    assert np.array_equal(one.vectors(ids), two.vectors(ids))
    arrays = ("signatures.npy", "vectors.f16.npy", "band_keys.npy", "shingles.npy", "shingle_counts.npy")
    assert all(
        one.manifest["segments"][0]["files"][n] == two.manifest["segments"][0]["files"][n] for n in arrays
    )


def test_remove(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    index.add([refs])
    summary = index.remove([refs / "sub", tmp_path / "never-indexed.fountain"])
    assert summary.removed == (str(refs / "sub" / "orchard.fountain"),)
    assert summary.not_indexed == (str(tmp_path / "never-indexed.fountain"),)
    assert summary.scripts == 1 and [s.path for s in Index.open(tmp_path / "idx").scripts()] == [
        str(refs / "harbour.fountain")
    ]
    assert index.remove([refs / "sub"]).removed == ()


def test_unreadable_files_are_reported_and_the_rest_indexed(tmp_path: Path, refs: Path, monkeypatch) -> None:
    (refs / "broken.fdx").write_bytes(b"<?xml version='1.0'?><FinalDraft><Content><Paragraph")
    (refs / "empty.fountain").write_bytes(b"")
    (refs / "loop").symlink_to(refs, target_is_directory=True)  # a folder link back to its parent
    (refs / "dangling.fountain").symlink_to(tmp_path / "nowhere.fountain")
    vanishing = refs / "vanishing.fountain"
    vanishing.write_text(PLAY_C)
    real_hash = walk_module.hash_file

    def hash_then_vanish(path: str) -> tuple[int, str]:
        if path == str(vanishing):
            vanishing.unlink()
        return real_hash(path)

    monkeypatch.setattr(index_module, "hash_file", hash_then_vanish)
    index = _new_index(tmp_path)
    summary = index.add([refs])
    problems = {s.path: s.problem for s in summary.skipped}
    assert set(problems) == {
        str(refs / "broken.fdx"),
        str(refs / "empty.fountain"),
        str(refs / "loop"),
        str(refs / "dangling.fountain"),
        str(vanishing),
    }
    assert problems[str(vanishing)] == "disappeared while indexing"
    assert problems[str(refs / "loop")] == "symbolic link loop"
    assert all("\n" not in p for p in problems.values())
    assert [s.path for s in index.scripts()] == [
        str(refs / "harbour.fountain"),
        str(refs / "sub" / "orchard.fountain"),
    ]


def test_file_that_becomes_unreadable_keeps_its_indexed_version(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    index.add([refs])
    (refs / "harbour.fountain").write_bytes(b"\x00\x01\x02 binary garbage \xff\xfe")
    summary = index.add([refs])
    assert [s.path for s in summary.skipped] == [str(refs / "harbour.fountain")]
    assert not summary.changed and summary.scripts == 2


def test_missing_index_and_model_or_settings_mismatch(tmp_path: Path, refs: Path) -> None:
    with pytest.raises(IndexNotFound) as missing:
        Index.open(tmp_path / "nothing")
    assert str(missing.value) == (
        f"no index at {tmp_path / 'nothing'}: "
        f"create one with `simcheck index PATH --index {tmp_path / 'nothing'}`"
    )
    _new_index(tmp_path).add([refs])
    with pytest.raises(IndexMismatch) as model:
        Index.open(tmp_path / "idx", model="all-MiniLM-L6-v2")
    assert str(model.value) == (
        f"index {tmp_path / 'idx'} was built with model hash-32, not all-MiniLM-L6-v2: use --model hash-32, "
        "or build a new index with --model all-MiniLM-L6-v2 and another --index"
    )
    with pytest.raises(IndexMismatch) as settings:
        Index.open(tmp_path / "idx", settings=IndexSettings(shingle_words=4))
    assert str(settings.value) == (
        f"index {tmp_path / 'idx'} was built with other settings: shingle_words=3 (asked 4); "
        "rebuild it into a new --index"
    )
    with pytest.raises(IndexMismatch):
        Index.create(tmp_path / "idx", IndexSettings(), HashEmbedder(16))
    with pytest.raises(IndexMismatch):
        Index.open(tmp_path / "idx", embedder=HashEmbedder(32).__class__(48))


@pytest.mark.parametrize("name", ["signatures.npy", "vectors.f16.npy", "meta.sqlite"])
def test_truncated_file_is_index_corrupt_naming_it(tmp_path: Path, refs: Path, name: str) -> None:
    index = _new_index(tmp_path)
    index.add([refs])
    target = index.segments[0].dir / name
    data = target.read_bytes()
    target.write_bytes(data[: len(data) // 2])
    with pytest.raises(IndexCorrupt) as error:
        Index.open(tmp_path / "idx")
    assert str(error.value) == (
        f"index {tmp_path / 'idx'} is corrupt: seg-000001/{name} is truncated or damaged "
        f"({len(data) // 2} bytes, expected {len(data)}); rebuild the index"
    )


def test_damaged_bytes_are_found_by_verify(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    index.add([refs])
    target = index.segments[0].dir / "vectors.f16.npy"
    data = bytearray(target.read_bytes())
    data[-3] ^= 0xFF
    target.write_bytes(bytes(data))
    report = Index.open(tmp_path / "idx").verify()
    assert not report.ok
    assert report.problems == ("seg-000001/vectors.f16.npy: checksum mismatch (damaged or modified)",)
    (tmp_path / "idx" / "manifest.json").write_text("{ not json")
    with pytest.raises(IndexCorrupt, match=re.escape("is corrupt: manifest.json cannot be read")):
        Index.open(tmp_path / "idx")


def test_second_writer_fails_with_index_locked(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    with open(tmp_path / "idx" / "lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another writer holds the lock
        with pytest.raises(IndexLocked) as error:
            index.add([refs])
    assert str(error.value) == (
        f"index {tmp_path / 'idx'} is being written by another simcheck process; "
        "wait for it to finish or use another --index"
    )
    assert index.add([refs]).scripts == 2  # free again


def _snapshot(folder: Path) -> tuple[str, int, list[str]]:
    index = Index.open(folder)
    return index.info().generation, index.n_passages, [s.path for s in index.scripts()]


def test_disk_full_during_write_leaves_previous_index_intact(tmp_path: Path, refs: Path, monkeypatch) -> None:
    index = _new_index(tmp_path)
    index.add([refs / "harbour.fountain"])
    before = _snapshot(tmp_path / "idx")

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(store_module.np, "save", full)
    with pytest.raises(IndexWriteError) as error:
        index.add([refs])
    assert str(error.value) == (
        f"cannot write index {tmp_path / 'idx'}: no space left on the device "
        "(free some space, then run again); the previous index is unchanged"
    )
    monkeypatch.undo()
    assert _snapshot(tmp_path / "idx") == before
    assert Index.open(tmp_path / "idx").verify().ok
    assert sorted(p.name for p in (tmp_path / "idx").iterdir()) == ["lock", "manifest.json", "seg-000001"]


def test_interruption_mid_build_leaves_previous_index_usable(tmp_path: Path, refs: Path) -> None:
    class Interrupted(HashEmbedder):
        def embed(self, texts, progress=None):
            raise KeyboardInterrupt

    _new_index(tmp_path).add([refs / "harbour.fountain"])
    before = _snapshot(tmp_path / "idx")
    index = Index.open(tmp_path / "idx", embedder=Interrupted(32))
    with pytest.raises(KeyboardInterrupt):
        index.add([refs])
    assert _snapshot(tmp_path / "idx") == before
    # a run killed outright leaves a temporary folder behind: the next writer cleans it up
    (tmp_path / "idx" / "seg-000002.tmp-99999").mkdir()
    (tmp_path / "idx" / "seg-000002").mkdir()  # renamed, never committed
    (tmp_path / "idx" / "manifest.json.tmp-99999").write_text("{")
    assert Index.open(tmp_path / "idx", embedder=HashEmbedder(32)).add([refs]).scripts == 2
    assert not [p for p in (tmp_path / "idx").iterdir() if ".tmp-" in p.name]
    assert Index.open(tmp_path / "idx").verify().ok


def test_kill_between_generation_rename_and_manifest_swap(tmp_path: Path, refs: Path, monkeypatch) -> None:
    index = _new_index(tmp_path)
    index.add([refs / "harbour.fountain"])
    before = _snapshot(tmp_path / "idx")

    def killed(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(store_module.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        index.add([refs])
    monkeypatch.undo()
    assert _snapshot(tmp_path / "idx") == before
    assert Index.open(tmp_path / "idx").add([refs]).scripts == 2


def test_extra_documents(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    assert index.read_extra("calibration") is None
    index.write_extra("calibration", {"thresholds": [0.5, 0.7]})
    assert Index.open(tmp_path / "idx").read_extra("calibration") == {"thresholds": [0.5, 0.7]}
    assert Index.open(tmp_path / "idx").verify().ok  # extras are not part of the checksums
    with pytest.raises(ValueError):
        index.write_extra("../escape", {})
    (index.path / "extra" / "calibration.json").write_text("{ damaged")
    assert index.read_extra("calibration") is None


def test_manifest_records_model_settings_counts_and_checksums(tmp_path: Path, refs: Path) -> None:
    index = _new_index(tmp_path)
    index.add([refs])
    manifest = json.loads((tmp_path / "idx" / "manifest.json").read_text())
    assert manifest["model"] == "hash-32" and manifest["dimension"] == 32
    assert manifest["settings"]["num_perm"] == 128 and manifest["settings"]["shingle_words"] == 3
    assert manifest["counts"] == {"scripts": 2, "scenes": 3, "passages": index.n_passages}
    [segment] = manifest["segments"]
    assert set(segment["files"]) == {*SEGMENT_FILES, "vectors.f16.npy"}  # the vectors once, as float16
    assert all(re.fullmatch(r"[0-9a-f]{32}", f["xxh3"]) for f in segment["files"].values())
    assert segment["faiss"] == {"type": "flat"} and segment["counts"] == manifest["counts"]


def test_ivf_index_above_the_flat_limit(tmp_path: Path, refs: Path, monkeypatch) -> None:
    import simcheck.search.vectors as vectors

    monkeypatch.setattr(vectors, "FLAT_MAX_PASSAGES", 4)
    monkeypatch.setattr(vectors, "IVF_MIN_PER_LIST", 2)
    index = _new_index(tmp_path)
    index.add([refs])
    assert index.info().faiss["type"] == "ivf"
    reopened = Index.open(tmp_path / "idx")
    probe = reopened.vectors([3])
    sims, ids = reopened.search_semantic(probe, 1)
    assert ids[0, 0] == 3 and sims[0, 0] > 0.99
    assert reopened.verify().ok


def test_folder_given_through_a_symlink(tmp_path: Path, refs: Path) -> None:
    link = tmp_path / "refs-link"
    link.symlink_to(refs, target_is_directory=True)
    index = _new_index(tmp_path)
    assert index.add([link]).added == (str(refs / "harbour.fountain"), str(refs / "sub" / "orchard.fountain"))
    (refs / "harbour.fountain").unlink()
    assert index.add([link]).removed == (str(refs / "harbour.fountain"),)
    assert index.remove([link / "sub"]).removed == (str(refs / "sub" / "orchard.fountain"),)


def test_index_and_memory_references_agree(tmp_path: Path, refs: Path) -> None:
    from simcheck.search.memory import MemoryReferences

    index = _new_index(tmp_path, HashEmbedder(32))
    index.add([refs])
    paths = [s.path for s in index.scripts()]
    memory = MemoryReferences.build([read_script(p) for p in paths], IndexSettings(), HashEmbedder(32))
    ids = np.arange(index.n_passages)
    assert memory.n_passages == index.n_passages
    assert [(p.script_id, p.scene, p.kind, p.start, p.end, p.text) for p in memory.passages(ids)] == [
        (p.script_id, p.scene, p.kind, p.start, p.end, p.text) for p in index.passages(ids)
    ]
    assert np.array_equal(memory.signatures(ids), index.signatures(ids))
    assert np.array_equal(memory.vectors(ids), index.vectors(ids))
    probe = index.vectors([1, 4])
    assert np.array_equal(memory.search_semantic(probe, 3)[1], index.search_semantic(probe, 3)[1])
    hashes = np.concatenate(script_features(read_script(paths[0]), index.settings).shingle_hashes)
    assert index.script_frequency(hashes).max() == 2  # the shared speech
    assert np.array_equal(memory.script_frequency(hashes), index.script_frequency(hashes))
