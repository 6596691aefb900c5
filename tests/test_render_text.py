"""The terminal summary of a compare report."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from simcheck.render.text import render_text

SAMPLE = Path(__file__).parent / "data" / "report_sample.json"
ANSI = re.compile(r"\x1b\[[0-9;]*m")


def sample() -> dict[str, Any]:
    return dict(json.loads(SAMPLE.read_text(encoding="utf-8")))


def test_plain_text_has_no_ansi_codes_even_when_the_environment_forces_colour(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TTY_COMPATIBLE", "1")
    out = render_text(sample(), color=False, width=100)
    assert "\x1b" not in out
    assert "Salt and Signal" in out


def test_colour_output_uses_ansi_codes_and_says_the_same_words(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    coloured = render_text(sample(), color=True, width=100)
    assert ANSI.search(coloured)
    plain = render_text(sample(), color=False, width=100)
    assert ANSI.sub("", coloured).split() == plain.split()


def test_one_flagged_scene_among_many_reads_as_english() -> None:
    report = sample()
    first = report["matches"][0]["draft_scene"]
    report["matches"] = [m for m in report["matches"] if m["draft_scene"] == first]
    keep = {m["reference"] for m in report["matches"]}
    report["references"] = [r for r in report["references"] if r["path"] in keep]
    out = render_text(report, color=False, width=200)
    assert "1 of 8 draft scenes has passages unusually close to" in out


def test_summary_gives_the_finding_ranking_and_top_evidence() -> None:
    out = render_text(sample(), color=False, width=120)
    assert "Finding  HIGH  5 of 8 draft scenes have passages unusually close to 3 reference scripts." in out
    assert "3 draft scenes (2, 4, 7) share unusual wording and similar content with" in out
    assert "Evidence for a person to judge, not a verdict." in out
    # Ranked by coverage: The Keeper's Daughter (21%), Harbour Lights (6%), Fog Bank (3%).
    positions = [
        out.index(title) for title in ("1   The Keeper's Daughter", "2   Harbour Lights", "3   Fog Bank")
    ]
    assert positions == sorted(positions)
    table = out[out.index("References") : out.index("Top evidence")]
    assert "Sea Shanties" not in table
    # Top evidence: strongest first, with both passages, lines, kinds and the name mapping.
    evidence = out[out.index("Top evidence") :]
    assert evidence.index("HIGH  covers 93%  draft scene 4") < evidence.index(
        "HIGH  covers 90%  draft scene 7"
    )
    assert evidence.index("HIGH  covers 90%") < evidence.index("MEDIUM  covers 71%")
    assert "\u2194 The Keeper's Daughter scene 5 \u00b7 INT. LANTERN GALLERY - NIGHT" in evidence
    assert "names TOBIAS \u2192 HALVARD (2 speeches), ELSIE \u2192 MAREN (1 speech)" in evidence
    assert "verbatim 1.00 draft l.33 Keep the wick trimmed" in evidence
    assert "ref l.29   Keep the wick trimmed" in evidence
    assert "Allowed material (not flagged): Sea Shanties (public domain): draft scene 6" in out


def test_width_is_respected_and_lines_have_no_trailing_spaces() -> None:
    out = render_text(sample(), color=False, width=72)
    lines = out.splitlines()
    assert max(len(line) for line in lines) <= 72
    assert all(line == line.rstrip() for line in lines)


def test_script_text_is_printed_as_written_never_as_markup_or_escape_codes() -> None:
    report = sample()
    ev = report["matches"][2]["evidence"][0]
    ev["draft_text"] = "[bold red]not markup[/bold red] \x1b[31mred\x1b[0m :smile: <script>"
    out = render_text(report, color=False, width=140)
    assert "[bold red]not markup[/bold red] [31mred[0m :smile: <script>" in out
    assert "\x1b" not in out


def test_long_passages_are_cut_and_the_number_of_matches_is_said() -> None:
    report = sample()
    report["matches"][2]["evidence"][0]["draft_text"] = "word " * 200
    for n in (1, 8):
        report["matches"].append(dict(report["matches"][3], draft_scene=n))
    out = render_text(report, color=False, width=300)
    assert "word word\u2026" in out
    assert "Top evidence (5 of 7 matches)" in out


def test_pairwise_mode_warnings_and_rarity_are_shown() -> None:
    report = sample()
    report["index"] = {"path": None, "kind": "pairwise", "model": "all-MiniLM-L6-v2", "scripts": 5}
    report["warnings"] = ["Only 2 references: levels use the shipped calibration."]
    out = render_text(report, color=False, width=160)
    assert "compared directly (no index) \u00b7 model all-MiniLM-L6-v2 \u00b7 5 scripts" in out
    assert "  ! Only 2 references: levels use the shipped calibration." in out
    assert "unrelated scenes this close: rarer than 1 in 400 measured" in out  # 400 scenes measured


def test_empty_report_says_nothing_was_flagged() -> None:
    out = render_text({"draft": {"title": "Quiet"}, "references": [], "matches": []}, width=100)
    assert "No draft scene is unusually close to a reference script." in out
    assert "Top evidence" not in out and "HIGH" not in out
