"""A fast smoke run of the benchmark suite (tiny samples, the real model) so that it cannot rot.

It goes through the real entry point (``benchmarks.__main__.main``) with a tiny plan: one short play
indexed, two planted cases (verbatim, renamed), one innocent short screenplay, one parse run; then
two PAN pairs through ``benchmarks.pan.run``. The published numbers come from
``python -m benchmarks all``, never from here.
"""

from __future__ import annotations

import json
import multiprocessing
from pathlib import Path

import pytest

from benchmarks import context
from benchmarks.__main__ import main

SHARED = Path(__file__).resolve().parents[1].parent / "shared"
PLAYS = SHARED / "corpus" / "plays"

pytestmark = pytest.mark.model


def _tiny_plan() -> context.Plan:
    gutenberg = PLAYS / "gutenberg"
    return context.Plan(
        references=(gutenberg / "the-proposal.fountain",),
        held_out=(PLAYS / "shakespeare" / "macbeth.fountain",),
        per_obfuscation=1,
        obfuscations=("verbatim", "renamed"),
        translation_pairs=(),
        innocent_plays=(SHARED / "corpus" / "screenplays" / "ascent-to-guru-peak.fountain",),
    )


def test_suite_smoke(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    if not PLAYS.is_dir():
        pytest.skip(f"shared corpus not found at {PLAYS}")
    monkeypatch.setattr(context, "quick_plan", _tiny_plan)
    out = tmp_path / "out"
    code = main(["planted", "innocent", "parse", "--quick", "--runs", "1", "--output", str(out)])
    assert code == 0
    md = (out / "RESULTS.md").read_text(encoding="utf-8")
    for title in ("Planted copies", "Innocent drafts", "Parse throughput", "Embedding throughput on GPU"):
        assert f"## {title}" in md
    assert "- Command: `python -m benchmarks planted innocent parse --quick --runs 1" in md
    assert "- Machine: " in md and "CPU" in md
    data = json.loads((out / "results.json").read_text(encoding="utf-8"))["sections"]
    systems = data["planted"]["data"]["systems"]
    # a verbatim copy of five or more speeches must be found by simcheck and by copydetect
    assert systems["simcheck >= low"]["per_obfuscation"]["verbatim"] == {"detected": 1, "cases": 1}
    assert systems["copydetect k=50"]["per_obfuscation"]["verbatim"] == {"detected": 1, "cases": 1}
    assert set(systems) >= {"simcheck >= high", "semantic baseline cos >= 0.7", "copydetect k=25"}
    totals = data["innocent"]["data"]["totals"]
    assert totals["scenes"] >= 1 and totals["words"] > 500
    assert data["parse"]["data"]["files"] >= 80 and data["parse"]["data"]["mb_per_s"] > 0


def test_pan_smoke() -> None:
    from benchmarks import pan

    if not pan.CORPUS.is_dir():
        pytest.skip(f"PAN corpus not found at {pan.CORPUS}")
    # this process may already run torch (the test above): fork would hang the worker, spawn it clean
    method = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method("spawn", force=True)
    try:
        # the lexical "align" detector keeps this fast (no model load in the worker); the suite's
        # simcheck detector is compare(against=...), covered by the compare tests
        result = pan.run(quick=True, sample=2, parts=("02-no-obfuscation",), workers=1, detector="align")
    finally:
        multiprocessing.set_start_method(method, force=True)
    assert result["title"] and result["markdown"]
    scores = result["data"]["scores"]  # type: ignore[index]
    for system in ("simcheck", "baseline"):  # pan.py files the detector's scores under "simcheck"
        part = scores[system]["02-no-obfuscation"]
        assert 0.0 <= part["plagdet"] <= 1.0
    # two verbatim copies: any working detector finds something
    assert scores["simcheck"]["02-no-obfuscation"]["recall"] > 0
