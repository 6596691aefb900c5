"""The story benchmark (benchmarks/story.py): its scoring of reports (fast, on hand-made report dicts)
and a smoke run of the part through the real entry point (tiny plan, the real model)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from benchmarks import story

SHARED = Path(__file__).resolve().parents[1].parent / "shared"


def _ref(path: str, level: str, story_data: Any = None) -> dict[str, Any]:
    ref: dict[str, Any] = {"path": path, "level": level, "allowed": False, "coverage": 0.1, "score": 0.5}
    if story_data is not None:
        ref["story"] = story_data
    return ref


def _link(d0: int, d1: int, scene: int, r0: int = 0, r1: int = 400) -> dict[str, Any]:
    return {
        "draft_scene": 1,
        "draft_unit": 1,
        "reference_scene": scene,
        "similarity": 0.4,
        "draft": {"start": d0, "end": d1, "line": 1},
        "reference": {"start": r0, "end": r1, "line": 1},
    }


PARAGRAPHS = [
    {"start": 0, "end": 500, "source": 0, "scenes": [1]},
    {"start": 502, "end": 1000, "source": 1, "scenes": [2, 3]},
    {"start": 1002, "end": 1500, "source": 2, "scenes": []},
]


def test_story_data_is_read_defensively() -> None:
    assert story.story_of({"path": "x"}) == {}
    assert story.story_of({"story": None}) == {}
    assert story.story_level({"story": {"level": "medium"}}) == "medium"
    assert story.story_level({"story": {}}) == "none"
    assert story.story_level(None) == "none"


def test_score_draft_right_play_first_and_chain_on_truth(tmp_path: Path) -> None:
    play = str(tmp_path / "play.fountain")
    chain = [_link(0, 400, 1), _link(600, 900, 4), _link(700, 1200, 3), _link(1100, 1400, 9)]
    report = {
        "references": [
            _ref(play, "medium", {"level": "high", "coverage": 0.8, "score": 0.9, "chain": chain}),
            _ref(str(tmp_path / "other.fountain"), "low"),
        ]
    }
    got = story.score_draft(report, play, PARAGRAPHS)
    assert got["rank"] == 1 and got["first"] and got["first_medium"]
    assert got["story_level"] == "high" and got["story_coverage"] == 0.8
    # link 1 on scene 1 (allowed 1): right; link 2 scene 4 (allowed 2, 3): wrong; link 3 spans paragraphs
    # 2 and 3 (allowed 2, 3): right; link 4 lies in a paragraph without truth: not counted
    assert (got["chain_links"], got["chain_with_truth"], got["chain_on_truth"]) == (4, 3, 2)


def test_score_draft_right_play_second_or_low_or_absent(tmp_path: Path) -> None:
    play = str(tmp_path / "play.fountain")
    other = str(tmp_path / "other.fountain")
    second = story.score_draft({"references": [_ref(other, "high"), _ref(play, "high")]}, play, PARAGRAPHS)
    assert second["rank"] == 2 and not second["first"] and not second["first_medium"]
    assert second["first_reference"] == other
    low = story.score_draft({"references": [_ref(play, "low")]}, play, PARAGRAPHS)
    assert low["first"] and not low["first_medium"] and low["story_level"] == "none"
    allowed = {"references": [{**_ref(play, "high"), "allowed": True}]}
    absent = story.score_draft(allowed, play, PARAGRAPHS)
    assert absent["rank"] is None and absent["level"] == "none" and absent["chain_links"] == 0


def test_pan_detections_add_story_links_to_the_evidence() -> None:
    evidence = {"draft": {"start": 0, "end": 300}, "reference": {"start": 1000, "end": 1300}, "kind": "fuzzy"}
    report = {
        "matches": [{"allowed": False, "evidence": [evidence]}],
        "references": [
            _ref("src.txt", "medium", {"chain": [_link(5000, 5600, 1, 9000, 9900)]}),
            _ref("old.txt", "low", {"chain": [{"draft_scene": 1}]}),  # a link without spans is skipped
        ],
    }
    found = story.pan_detections(report)
    assert [(d.this_start, d.this_end) for d in found["evidence"]] == [(0, 300)]
    assert [(d.this_start, d.this_end, d.src_start) for d in found["story"]] == [
        (0, 300, 1000),
        (5000, 5600, 9000),
    ]
    assert story.pan_detections({"matches": [], "references": [_ref("a", "low")]}) == {
        "evidence": [],
        "story": [],
    }


@pytest.mark.model
def test_story_part_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from benchmarks import pan
    from benchmarks.__main__ import main

    if not (SHARED / "dev" / "retellings" / "truth.json").is_file() or not pan.CORPUS.is_dir():
        pytest.skip("shared retellings or PAN corpus not found")
    monkeypatch.setattr(story, "QUICK_STORIES", ("comedy-of-errors",))
    monkeypatch.setattr(story, "QUICK_REFERENCES", ("plays/gutenberg/the-proposal.fountain",))
    monkeypatch.setattr(story, "QUICK_PAN", 1)
    out = tmp_path / "out"
    assert main(["story", "--quick", "--runs", "1", "--output", str(out)]) == 0
    md = (out / "RESULTS.md").read_text(encoding="utf-8")
    assert "## Story: retold plots found" in md
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))["sections"]["story"]["data"]
    kinds = data["retellings"]["kinds"]
    assert set(kinds) == set(story.sv.KINDS)
    assert all(row["on"]["drafts"] == 1 for row in kinds.values())
    # the retelling with its names and quotations: its play comes first (the quotations carry it)
    assert kinds["plain"]["on"]["first"] == 1
    assert kinds["plain"]["baseline_first"] == 1
    # innocent drafts (a screenplay, a retelling of a play not indexed): nothing at medium or above
    assert data["summary"]["controls_story_medium_high"] == 0
    assert data["summary"]["controls_refs_medium_high"] == 0
    assert set(data["pan"]["pairs"]) == {pan.PARTS[4], pan.PARTS[1]}
    assert data["cost"]["rows"][0]["on_s"] > 0


def test_pan_detections_take_the_reports_condensations() -> None:
    near = [
        {"draft": {"start": 0, "end": 200}, "reference": {"start": 0, "end": 200}, "kind": "semantic"},
        {"draft": {"start": 250, "end": 450}, "reference": {"start": 2500, "end": 2700}, "kind": "semantic"},
    ]
    condensed = {"draft": {"start": 0, "end": 450}, "reference": {"start": 0, "end": 2700}, "evidence": 2}
    report = {
        "matches": [{"allowed": False, "evidence": near}],
        "references": [{**_ref("src.txt", "medium"), "condensed": [condensed]}],
    }
    found = story.pan_detections(report)
    assert len(found["evidence"]) == 2  # item by item: two detections far apart on the source
    assert [(d.this_start, d.this_end, d.src_start, d.src_end) for d in found["story"]] == [(0, 450, 0, 2700)]
