"""Condensations: where the draft tells a long stretch of a reference in a short one.

A summary, a synopsis or a scene that condenses several reference scenes leaves its evidence spread
thinly over the reference: each reworded sentence of the draft matches a passage here and there in a
stretch many times longer. Shown item by item, the evidence reads as scattered hits; grouped, it shows
what a reader needs to see: *these few draft lines have evidence all over those reference pages*.

The rule (thresholds in ``settings``): the reference's evidence items (of flagged matches, not
allowlisted) within ``CONDENSED_GAP_CHARS`` of each other on both sides form one stretch, repeatedly
until no two stretches are that near; a stretch condenses the reference when it rests on at least
``CONDENSED_MIN_EVIDENCE`` items, spans at least ``CONDENSED_MIN_CHARS`` of the draft, and its reference
side is at least ``CONDENSED_MIN_RATIO`` times longer than its draft side (set once, not tuned). Measured
on PAN 2013's summary part (a paragraph that summarises a whole source document; all 1,185 training
pairs): the evidence merged item by item scores plagdet 0.318 (recall 0.228: a summary's evidence
covers a fifth of its source); with its condensations, 0.523 (recall 0.375, granularity 1.24 -> 1.05),
and parts 1-4 are unchanged (``python -m benchmarks story``).

A condensation only groups evidence the report already shows: it adds no level, score or coverage.
"""

from __future__ import annotations

from collections.abc import Sequence

from simcheck.report.coords import Coordinates
from simcheck.report.model import Condensation, Match
from simcheck.settings import (
    CONDENSED_GAP_CHARS,
    CONDENSED_MIN_CHARS,
    CONDENSED_MIN_EVIDENCE,
    CONDENSED_MIN_RATIO,
)

Stretch = tuple[int, int, int, int, int]  # draft start, draft end, reference start, reference end, items


def stretches(spans: Sequence[tuple[int, int, int, int]], gap: int) -> list[Stretch]:
    """Spans (draft start, end, reference start, end) within ``gap`` characters of each other on both
    sides merged, until no two are that near; each with the number of spans it holds."""
    merged: list[Stretch] = sorted((a, b, c, d, 1) for a, b, c, d in spans)
    changed = True
    while changed:
        changed = False
        out: list[Stretch] = []
        for item in merged:
            for k, prev in enumerate(out):
                if _near(prev[0], prev[1], item[0], item[1], gap) and _near(
                    prev[2], prev[3], item[2], item[3], gap
                ):
                    out[k] = (
                        min(prev[0], item[0]),
                        max(prev[1], item[1]),
                        min(prev[2], item[2]),
                        max(prev[3], item[3]),
                        prev[4] + item[4],
                    )
                    changed = True
                    break
            else:
                out.append(item)
        merged = sorted(out)
    return merged


def _near(s1: int, e1: int, s2: int, e2: int, gap: int) -> bool:
    return s2 - e1 <= gap and s1 - e2 <= gap


def condensations(
    matches: Sequence[Match], draft: Coordinates, reference: Coordinates
) -> tuple[Condensation, ...]:
    """The condensations of one reference's matches (see the module docstring), in draft order."""
    spans = [
        (e.draft.start, e.draft.end, e.reference.start, e.reference.end)
        for m in matches
        if not m.allowed
        for e in m.evidence
        if e.allowed_by is None
    ]
    out: list[Condensation] = []
    for a, b, c, d, items in stretches(spans, CONDENSED_GAP_CHARS):
        if items < CONDENSED_MIN_EVIDENCE or b - a < CONDENSED_MIN_CHARS:
            continue
        if d - c < CONDENSED_MIN_RATIO * (b - a):
            continue
        out.append(
            Condensation(
                draft=draft.location(a, b),
                reference=reference.location(c, d),
                draft_end_line=draft.lines.number(max(a, b - 1)),
                reference_end_line=reference.lines.number(max(c, d - 1)),
                evidence=items,
            )
        )
    return tuple(out)
