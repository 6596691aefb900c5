from __future__ import annotations

import numpy as np
import pytest
from fakes import HashEmbedder
from handmade import build_script

from simcheck.model import ACTION, CHARACTER, DIALOGUE
from simcheck.search.memory import MemoryReferences
from simcheck.search.references import References
from simcheck.settings import IndexSettings
from simcheck.text.fingerprints import script_features

SETTINGS = IndexSettings(model="ignored", passage_max_words=40)

COMMON = "What are you doing here at this hour of the night, you should be asleep."


def _scripts():
    one = build_script(
        [
            (
                "INT. BAKERY - NIGHT",
                [
                    (ACTION, "Flour hangs in the air like snow while the ovens tick as they cool down."),
                    (CHARACTER, "ROSA"),
                    (DIALOGUE, COMMON),
                ],
            ),
            (
                "EXT. CANAL - DAWN",
                [(ACTION, "A barge loaded with red bicycles drifts under the stone bridge without a sound.")],
            ),
        ],
        path="/refs/bakery.fountain",
        title="Bakery",
    )
    two = build_script(
        [
            (
                "INT. OBSERVATORY - NIGHT",
                [
                    (CHARACTER, "ANTON"),
                    (DIALOGUE, COMMON),
                    (ACTION, "The telescope swings toward the comet as the dome groans open above them."),
                ],
            )
        ],
        path="/refs/observatory.fountain",
    )
    return [one, two]


def test_memory_references_implement_the_protocol() -> None:
    scripts = _scripts()
    refs: References = MemoryReferences.build(scripts, SETTINGS, HashEmbedder(32))
    assert refs.model_name == "hash-32" and refs.settings.model == "hash-32"
    assert refs.n_passages == 5
    listed = refs.scripts()
    assert [(s.id, s.path, s.scenes, s.passages) for s in listed] == [
        (0, "/refs/bakery.fountain", 2, 3),
        (1, "/refs/observatory.fountain", 1, 2),
    ]
    assert listed[0].cast == ("ROSA",) and listed[0].title == "Bakery"
    assert refs.load_script(1) is scripts[1]
    stored = refs.passages([0, 1, 2, 3, 4])
    assert [p.id for p in stored] == [0, 1, 2, 3, 4]
    for p in stored:
        script = scripts[p.script_id]
        assert script.text[p.start : p.end] == p.text
    assert refs.scene_passage_ids(0, 1).tolist() == [0, 1]
    assert refs.scene_passage_ids(0, 2).tolist() == [2]
    assert refs.scene_passage_ids(1, 1).tolist() == [3, 4]
    assert refs.scene_passage_ids(1, 9).tolist() == []
    with pytest.raises(KeyError):
        refs.passages([5])


def test_vectors_signatures_and_searches() -> None:
    scripts = _scripts()
    embedder = HashEmbedder(32)
    refs = MemoryReferences.build(scripts, SETTINGS, embedder)
    vectors = refs.vectors([1, 3])
    assert vectors.dtype == np.float32 and vectors.shape == (2, 32)
    assert np.allclose(vectors[0], vectors[1], atol=1e-3)  # same speech in both scripts
    expected = embedder.embed([COMMON])[0]
    assert np.allclose(vectors[0], expected, atol=1e-3)  # float16 storage
    sims, ids = refs.search_semantic(embedder.embed([COMMON]), 7)
    assert ids.shape == (1, 7) and set(ids[0, :2].tolist()) == {1, 3}
    assert sims[0, 0] > 0.99
    assert ids[0, 5:].tolist() == [-1, -1] and sims[0, 5] == -1.0

    signatures = refs.signatures([0, 1, 2, 3, 4])
    assert signatures.dtype == np.uint64 and signatures.shape == (5, 128)
    features = script_features(scripts[0], refs.settings)
    assert np.array_equal(signatures[:3], features.signatures)
    candidates = refs.search_lexical(signatures[[1]])
    assert candidates[0].tolist() == [1, 3]


def test_script_frequency_and_extra() -> None:
    scripts = _scripts()
    refs = MemoryReferences.build(scripts, SETTINGS, HashEmbedder(16))
    shared = script_features(scripts[0], refs.settings).shingle_hashes[1]  # the common speech
    own = script_features(scripts[0], refs.settings).shingle_hashes[0]
    assert set(refs.script_frequency(shared).tolist()) == {2}
    assert set(refs.script_frequency(own).tolist()) == {1}
    assert refs.script_frequency(np.array([12345], dtype=np.uint32)).tolist() == [0]
    assert refs.read_extra("calibration") is None
    bins = [1, 2]
    data = {"threshold": 0.5, "bins": bins}
    refs.write_extra("calibration", data)
    bins.append(3)  # the stored copy is not aliased
    assert refs.read_extra("calibration") == {"threshold": 0.5, "bins": [1, 2]}


def test_empty_reference_set() -> None:
    refs = MemoryReferences.build([], SETTINGS, HashEmbedder(8))
    assert refs.n_passages == 0 and refs.scripts() == ()
    sims, ids = refs.search_semantic(np.ones((2, 8), np.float32), 3)
    assert ids.tolist() == [[-1] * 3] * 2
    assert [c.size for c in refs.search_lexical(np.zeros((1, 128), np.uint64))] == [0]
