"""Condensations (``simcheck.report.condense``): a short draft stretch whose evidence spreads over a much
longer reference stretch is grouped and shown; evidence of like lengths, far apart or allowlisted is not."""

from __future__ import annotations

from typing import Any

from simcheck.model import Script
from simcheck.read.plaintext import read_plaintext
from simcheck.render.html import render_html
from simcheck.render.text import render_text
from simcheck.render.view import build_view
from simcheck.report.condense import condensations, stretches
from simcheck.report.coords import Coordinates
from simcheck.report.model import Evidence, Location, Match
from simcheck.settings import CONDENSED_GAP_CHARS


def _script(path: str, lines: int) -> Script:
    """Plain prose of ``lines`` lines of about 40 characters each."""
    words = ("harbour", "lantern", "morning", "ledger", "window", "orchard", "kettle", "signal")
    text = "\n\n".join(
        f"Line {k} " + " ".join(words[(k + j) % len(words)] for j in range(4)) + "."
        for k in range(1, lines + 1)
    )
    return read_plaintext(path, text.encode("utf-8"))


def _evidence(draft: tuple[int, int], reference: tuple[int, int], allowed_by: str | None = None) -> Evidence:
    return Evidence(
        kind="semantic",
        similarity=0.8,
        draft=Location(draft[0], draft[1], 1),
        reference=Location(reference[0], reference[1], 1),
        draft_text="d",
        reference_text="r",
        allowed_by=allowed_by,
    )


def _match(*evidence: Evidence, allowed: bool = False) -> Match:
    return Match(
        draft_scene=1,
        reference="refs/ref.txt",
        reference_scene=1,
        score=0.5,
        level="low",
        lexical=0.0,
        semantic=0.8,
        names=(),
        evidence=evidence,
        allowed=allowed,
    )


def test_stretches_merge_near_spans_on_both_sides_only() -> None:
    spans = [(0, 100, 0, 100), (150, 250, 2000, 2100), (200, 300, 90_000, 90_100)]
    merged = stretches(spans, CONDENSED_GAP_CHARS)
    assert merged == [(0, 250, 0, 2100, 2), (200, 300, 90_000, 90_100, 1)]


def test_a_summary_stretch_is_one_condensation_with_lines() -> None:
    draft = Coordinates(_script("draft.txt", 40))
    reference = Coordinates(_script("ref.txt", 400))
    found = condensations(
        [_match(_evidence((100, 300), (200, 500))), _match(_evidence((320, 520), (2600, 3000)))],
        draft,
        reference,
    )
    assert len(found) == 1
    item = found[0]
    assert (item.draft.start, item.draft.end, item.reference.start, item.reference.end) == (
        100,
        520,
        200,
        3000,
    )
    assert item.evidence == 2
    assert item.draft.line <= item.draft_end_line and item.reference.line < item.reference_end_line


def test_like_lengths_far_apart_or_allowed_evidence_is_no_condensation() -> None:
    draft = Coordinates(_script("draft.txt", 40))
    reference = Coordinates(_script("ref.txt", 400))
    alike = [_match(_evidence((100, 300), (200, 400))), _match(_evidence((320, 520), (420, 620)))]
    assert condensations(alike, draft, reference) == ()
    alone = [_match(_evidence((100, 300), (200, 2000)))]  # one item is not spread over anything
    assert condensations(alone, draft, reference) == ()
    allowed = [
        _match(_evidence((100, 300), (200, 500))),
        _match(_evidence((320, 520), (2600, 3000), allowed_by="stock phrase")),
    ]
    assert condensations(allowed, draft, reference) == ()
    assert (
        condensations([_match(*allowed[0].evidence, *allowed[1].evidence, allowed=True)], draft, reference)
        == ()
    )


def _report_with(condensed: list[dict[str, Any]]) -> dict[str, Any]:
    evidence = {
        "kind": "semantic",
        "similarity": 0.8,
        "draft": {"start": 0, "end": 10, "line": 3},
        "reference": {"start": 0, "end": 10, "line": 9},
        "draft_text": "<b>draft</b>",
        "reference_text": "ref",
    }
    return {
        "schema_version": 2,
        "draft": {
            "path": "draft.txt",
            "title": "Draft",
            "scenes": [{"number": 1, "heading": None, "line": 1}],
        },
        "index": {"kind": "pairwise"},
        "references": [
            {
                "path": "ref.txt",
                "title": "Ref",
                "level": "medium",
                "score": 0.4,
                "coverage": 0.4,
                "condensed": condensed,
            }
        ],
        "matches": [
            {
                "draft_scene": 1,
                "reference": "ref.txt",
                "reference_scene": 1,
                "level": "medium",
                "score": 0.4,
                "evidence": [evidence],
            }
        ],
        "overall": {},
        "calibration": {},
    }


def test_the_reference_row_says_what_the_draft_condenses() -> None:
    condensed = [
        {
            "draft": {"start": 5, "end": 900, "line": 12},
            "reference": {"start": 0, "end": 9000, "line": 40},
            "draft_end_line": 30,
            "reference_end_line": 260,
            "evidence": 6,
        }
    ]
    report = _report_with(condensed)
    view = build_view(report)
    basis = view.basis(view.references[0])
    wanted = (
        "draft lines 12\u201330 echo the reference\u2019s lines 40\u2013260, a stretch 10 times as long "
        "(6 evidence passages)"
    )
    assert wanted in basis
    assert "the reference\u2019s lines 40\u2013260" in render_html(report)
    assert "lines 40\u2013260" in render_text(report, width=400)
    assert "echo" not in build_view(_report_with([])).basis(build_view(_report_with([])).references[0])
