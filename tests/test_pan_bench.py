"""benchmarks/pan.py: PAN detections, the align detector, and the official evaluator on a toy corpus."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from benchmarks import pan

SRC_TEXT = (
    "Harbour records from the old customs house list every cargo that came ashore.\n"
    "Barrels of salted fish arrived each autumn from the northern islands, and the clerks noted the "
    "weight of every barrel in brown ink, with the captain's name and the price paid at the quay. "
    "In bad years the ledger shows more debts than sales.\n"
    "The building later became a school and then a museum of nets and ropes."
)
COPIED = (
    "Barrels of salted fish arrived each autumn from the northern islands, and the clerks noted the "
    "weight of every barrel in brown ink, with the captain's name and the price paid at the quay."
)
SUSP_TEXT = (
    "My grandmother kept bees on the hill above the village and sold honey at the Saturday market.\n"
    + COPIED
    + "\nShe never wrote anything down, and the recipes for her mead died with her in the spring."
)
SUSP, SRC = "suspicious-document00001.txt", "source-document00002.txt"

needs_evaluator = pytest.mark.skipif(
    not pan.EVALUATOR.is_file(), reason=f"official PAN evaluator not found at {pan.EVALUATOR}"
)


def truth_xml(this: tuple[int, int], source: tuple[int, int]) -> str:
    return (
        f'<document reference="{SUSP}">\n'
        f'<feature name="plagiarism" obfuscation="none" this_offset="{this[0]}" this_length="{this[1]}" '
        f'source_reference="{SRC}" source_offset="{source[0]}" source_length="{source[1]}" />\n'
        "</document>\n"
    )


def test_detections_xml_has_the_pan_fields() -> None:
    xml = pan.detections_xml(SUSP, SRC, [pan.Detection(120, 920, 4000, 4790)])
    root = ET.fromstring(xml)
    assert root.tag == "document" and root.get("reference") == SUSP
    (feature,) = list(root)
    assert feature.attrib == {
        "name": "detected-plagiarism",
        "this_offset": "120",
        "this_length": "800",
        "source_reference": SRC,
        "source_offset": "4000",
        "source_length": "790",
    }
    assert pan.pair_xml_name(SUSP, SRC) == "suspicious-document00001-source-document00002.xml"


def test_merge_detections_joins_neighbours_and_drops_crumbs() -> None:
    dets = [
        pan.Detection(0, 300, 1000, 1300),
        pan.Detection(350, 700, 1320, 1650),  # close on both sides: merged
        pan.Detection(5000, 5400, 100, 500),  # far on the source side: kept apart
        pan.Detection(9000, 9040, 9000, 9040),  # too short: dropped
    ]
    assert pan.merge_detections(dets, gap=100, min_chars=150) == [
        pan.Detection(0, 700, 1000, 1650),
        pan.Detection(5000, 5400, 100, 500),
    ]


def test_align_detector_finds_the_copied_paragraph() -> None:
    this = SUSP_TEXT.index(COPIED)
    source = SRC_TEXT.index(COPIED)
    dets = pan.detect_align(SUSP_TEXT, SRC_TEXT)
    # the copy runs from its first word to its last word (the final full stop is not a word)
    assert dets == [pan.Detection(this, this + len(COPIED) - 1, source, source + len(COPIED) - 1)]
    assert pan.detect_align(SUSP_TEXT.split("\n")[0], SRC_TEXT) == []


@needs_evaluator
def test_official_evaluator_scores_written_detections(tmp_path: Path) -> None:
    this = SUSP_TEXT.index(COPIED)
    source = SRC_TEXT.index(COPIED)
    truth, det, half = tmp_path / "truth", tmp_path / "det", tmp_path / "half"
    for folder in (truth, det, half):
        folder.mkdir()
    (truth / pan.pair_xml_name(SUSP, SRC)).write_text(truth_xml((this, len(COPIED)), (source, len(COPIED))))
    pan.write_detections(det, SUSP, SRC, pan.detect_align(SUSP_TEXT, SRC_TEXT))
    scores = pan.evaluate(truth, det)
    assert scores["precision"] == 1.0 and scores["granularity"] == 1.0
    assert scores["recall"] > 0.99 and scores["plagdet"] > 0.99
    # half of the copy, detected twice over: recall 0.5, granularity 2
    mid = len(COPIED) // 2
    pan.write_detections(
        half,
        SUSP,
        SRC,
        [pan.Detection(this, this + mid // 2, source, source + mid // 2)]
        + [pan.Detection(this + mid // 2, this + mid, source + mid // 2, source + mid)],
    )
    scores = pan.evaluate(truth, half)
    assert scores["recall"] == pytest.approx(0.5, abs=0.01)
    assert scores["precision"] == 1.0 and scores["granularity"] == 2.0


@pytest.mark.skipif(not pan.CORPUS.is_dir(), reason=f"PAN corpus not found at {pan.CORPUS}")
def test_sample_is_fixed_and_drawn_from_the_pairs() -> None:
    part = "03-random-obfuscation"
    first = pan.choose_pairs(part, 5)
    assert first == pan.choose_pairs(part, 5) and len(set(first)) == 5
    assert set(first) <= set(pan.read_pairs(part))
    assert len(pan.read_pairs(part)) == 1000


@needs_evaluator
@pytest.mark.skipif(not pan.CORPUS.is_dir(), reason=f"PAN corpus not found at {pan.CORPUS}")
def test_run_on_one_pair_with_the_baseline() -> None:
    result = pan.run(quick=True, sample=1, detector="align", parts=("02-no-obfuscation",), workers=1)
    data = result["data"]
    assert isinstance(data, dict)
    scores = data["scores"]["simcheck"]["02-no-obfuscation"]
    base = data["scores"]["baseline"]["02-no-obfuscation"]
    assert scores["recall"] > 0.9 and scores["precision"] > 0.5  # a verbatim copy
    assert 0.0 <= base["plagdet"] <= 1.0
    assert "python -m benchmarks.pan --sample 1 --detector align" in str(result["markdown"])
