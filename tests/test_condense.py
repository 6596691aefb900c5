"""Condensations (``simcheck.report.condense``): a short draft stretch whose evidence spreads over a much
longer reference stretch is grouped and shown; evidence of like lengths, far apart or allowlisted is not."""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from simcheck.calibration.load import default_calibration
from simcheck.match.draft import Probe
from simcheck.model import Passage, Script
from simcheck.read.plaintext import read_plaintext
from simcheck.render.html import render_html
from simcheck.render.text import render_text
from simcheck.render.view import build_view
from simcheck.report.condense import EchoSpan, condensations, find_echoes, stretches
from simcheck.report.coords import Coordinates
from simcheck.report.model import Evidence, Location, Match
from simcheck.search.references import StoredPassage
from simcheck.settings import CONDENSED_ECHO_CHANCE, CONDENSED_ECHO_MAX_DICE, CONDENSED_GAP_CHARS


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


# --- echoes ------------------------------------------------------------------------------------


class _Refs:
    """The three ``References`` calls ``find_echoes`` makes, over explicit passages and vectors."""

    def __init__(self, passages: list[StoredPassage], vectors: np.ndarray) -> None:
        self._passages, self._vectors = passages, vectors

    def scene_passage_ids(self, script_id: int, scene: int) -> np.ndarray:
        return np.asarray([p.id for p in self._passages if p.scene == scene], dtype=np.int64)

    def passages(self, ids: Any) -> list[StoredPassage]:
        return [self._passages[int(i)] for i in ids]

    def vectors(self, ids: Any) -> np.ndarray:
        return self._vectors[np.asarray(ids, dtype=np.int64)]


def _unit(cosine: float, axis: int) -> np.ndarray:
    """A unit vector at ``cosine`` to the first axis, leaning on ``axis``."""
    v = np.zeros(8, dtype=np.float32)
    v[0], v[axis] = cosine, math.sqrt(1 - cosine**2)
    return v


def _echo_case(kind: str = "semantic") -> tuple[Probe, _Refs, list[Match], float]:
    """A draft passage (0-300) with one evidence item against reference passage 0 (0-400); reference
    passages 1-3 at the echo threshold + 0.05, below it, and at it but inside the evidence's span."""
    semantic = default_calibration("test").semantic
    text = "a summary sentence of sixty words " * 10
    words = len(text.split())
    threshold = semantic.threshold(words, 1, -math.log10(CONDENSED_ECHO_CHANCE))
    draft = Passage(scene=1, kind="action", start=0, end=300, line=1, text=text)
    probe = Probe(
        read_plaintext("draft.txt", text.encode()),
        [draft],
        _unit(1.0, 1)[None, :],
        np.zeros((1, 4), dtype=np.uint64),
        words=lambda: pytest.fail("words not needed"),
        weights=lambda w: pytest.fail("weights not needed"),
    )
    spans = [(0, 400), (1000, 1400), (2000, 2400), (100, 350)]
    stored = [
        StoredPassage(i, 7, 1, "action", a, b, 1 + i * 10, text, None) for i, (a, b) in enumerate(spans)
    ]
    near = min(0.99, threshold + 0.05)
    cosines = [min(0.999, near + 0.1), near, threshold - 0.1, near]
    refs = _Refs(stored, np.stack([_unit(c, 2 + i) for i, c in enumerate(cosines)]))
    evidence = dataclasses.replace(_evidence((0, 300), (0, 400)), kind=kind)
    return probe, refs, [_match(evidence)], near


def test_echoes_are_the_other_reference_passages_the_evidence_passage_resembles() -> None:
    probe, refs, matches, near = _echo_case()
    semantic = default_calibration("test").semantic
    echoes = find_echoes(probe, refs, 7, matches, semantic)
    assert [(e.reference_start, e.reference_end) for e in echoes] == [(1000, 1400)]
    assert echoes[0].similarity == pytest.approx(near, abs=1e-3)
    assert find_echoes(probe, refs, 7, [_match(*matches[0].evidence, allowed=True)], semantic) == ()
    assert find_echoes(probe, refs, 7, _echo_case(kind="verbatim")[2], semantic) == ()  # copies echo nothing


def test_reworded_evidence_echoes_only_when_it_shares_few_of_its_words() -> None:
    probe, refs, matches, _ = _echo_case()
    semantic = default_calibration("test").semantic

    def reworded(dice: float) -> list[Match]:
        return [_match(dataclasses.replace(matches[0].evidence[0], reworded=True, similarity=dice))]

    # a summary shares some of its words with what it tells: its other passages echo
    summary = find_echoes(probe, refs, 7, reworded(CONDENSED_ECHO_MAX_DICE - 0.1), semantic)
    assert [(e.reference_start, e.reference_end) for e in summary] == [(1000, 1400)]
    # a shuffled copy shares most of them: it tells its partner, not the pages around it
    assert find_echoes(probe, refs, 7, reworded(CONDENSED_ECHO_MAX_DICE), semantic) == ()


def test_a_summary_with_one_evidence_item_condenses_with_its_echoes() -> None:
    draft = Coordinates(_script("draft.txt", 40))
    reference = Coordinates(_script("ref.txt", 400))
    matches = [_match(_evidence((100, 400), (200, 500)))]
    echoes = [EchoSpan(100, 400, 1800, 2100, 0.61), EchoSpan(100, 400, 3300, 3600, 0.6)]
    assert condensations(matches, draft, reference) == ()
    (item,) = condensations(matches, draft, reference, echoes)
    assert (item.reference.start, item.reference.end, item.evidence) == (200, 3600, 1)
    assert [(e.reference.start, e.similarity) for e in item.echoes] == [(1800, 0.61), (3300, 0.6)]
    assert item.echoes[0].reference.line > item.reference.line
    far = [EchoSpan(100, 400, 80_000, 80_300, 0.6)]  # beyond the gap: not part of the stretch
    assert condensations(matches, draft, reference, far) == ()


def test_the_reference_row_counts_the_echoes() -> None:
    echo = {
        "draft": {"start": 5, "end": 300, "line": 12},
        "reference": {"start": 4000, "end": 4300, "line": 150},
    }
    condensed = [
        {
            "draft": {"start": 5, "end": 300, "line": 12},
            "reference": {"start": 0, "end": 4300, "line": 40},
            "draft_end_line": 14,
            "reference_end_line": 160,
            "evidence": 1,
            "echoes": [
                {**echo, "similarity": 0.6},
                {**echo, "reference": {"start": 2000, "end": 2300, "line": 90}, "similarity": 0.62},
                {**echo, "reference": {"start": 4400, "end": 4500, "line": 150}, "similarity": 0.61},
            ],
        }
    ]
    basis = build_view(_report_with(condensed)).basis(build_view(_report_with(condensed)).references[0])
    assert (
        "(1 evidence passage; the same draft lines resemble 3 more reference passages there, "
        "at lines 90 and 150)" in basis
    )
