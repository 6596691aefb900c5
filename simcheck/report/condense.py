"""Condensations: where the draft tells a long stretch of a reference in a short one.

A summary, a synopsis or a scene that condenses several reference scenes leaves its evidence spread
thinly over the reference: each reworded sentence of the draft matches a passage here and there in a
stretch many times longer. Shown item by item, the evidence reads as scattered hits; grouped, it shows
what a reader needs to see: *these few draft lines have evidence all over those reference pages*.

The rule (thresholds in ``settings``): the reference's evidence items (of flagged matches, not
allowlisted) within ``CONDENSED_GAP_CHARS`` of each other on both sides form one stretch, repeatedly
until no two stretches are that near; a stretch condenses the reference when it rests on at least
``CONDENSED_MIN_EVIDENCE`` items, spans at least ``CONDENSED_MIN_CHARS`` of the draft, and its reference
side is at least ``CONDENSED_MIN_RATIO`` times longer than its draft side (set once, not tuned).

**Echoes.** Semantic evidence pairs passages one to one, so a summary sentence that tells five
reference paragraphs is evidence for one of them. An echo is another passage of the matched reference
scene that a draft passage holding semantic evidence resembles at a chance of at most
``CONDENSED_ECHO_CHANCE`` for one unrelated pair (the calibration's pair law, ``SemanticNull.chance``
with one passage), and that no evidence item already shows. Echoes join the stretches as evidence does,
but a condensation still needs at least one evidence item: echoes widen what evidence found, they never
find anything alone. A copy tells its partner, not the pages around it: verbatim and fuzzy evidence,
and reworded evidence whose two sides share at least ``CONDENSED_ECHO_MAX_DICE`` of their words (a
shuffled or lightly edited copy), have no echoes.

Measured on PAN 2013's summary part (a paragraph that summarises a whole source document; all 1,185
training pairs, ``python -m benchmarks story``): the evidence merged item by item scores plagdet 0.318
(recall 0.228: a summary's evidence covers a fifth of its source); with condensations, 0.523; with their
echoes, 0.717 (recall 0.587, precision 0.987). On 60 pairs of each other part
(``benchmarks.pan.choose_pairs(part, 60)``), evidence alone against evidence with condensations and
echoes: 0.895 -> 0.895 (no obfuscation), 0.849 -> 0.848 (random), 0.808 -> 0.805 (translation); on 120
more pairs of each, not used to choose the rules: 0.841 -> 0.848, 0.805 -> 0.803, 0.843 -> 0.844.
Without the shared-words rule echoes reached 0.735 on the summaries, but widened random-obfuscation
copies past their case (0.849 -> 0.836 and 0.805 -> 0.790); a looser chance (1e-3) reached 0.780 and
lost up to 0.04.

A condensation only groups evidence the report already shows, with the echoes that widen it: it adds
no level, score or coverage.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.match.draft import Probe
from simcheck.match.rarity import SemanticNull
from simcheck.report.coords import Coordinates
from simcheck.report.model import Condensation, Echo, Match
from simcheck.search.references import References
from simcheck.settings import (
    CONDENSED_ECHO_CHANCE,
    CONDENSED_ECHO_MAX_DICE,
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


@dataclass(frozen=True)
class EchoSpan:
    """A reference passage that a draft passage holding semantic evidence also resembles (see the
    module docstring): the draft passage's and the reference passage's character spans and cosine."""

    draft_start: int
    draft_end: int
    reference_start: int
    reference_end: int
    similarity: float


def find_echoes(
    probe: Probe, references: References, script_id: int, matches: Sequence[Match], semantic: SemanticNull
) -> tuple[EchoSpan, ...]:
    """The echoes of one reference's flagged semantic evidence (see the module docstring)."""
    shown = [
        (e.reference.start, e.reference.end)
        for m in matches
        if not m.allowed
        for e in m.evidence
        if e.allowed_by is None
    ]
    out: dict[tuple[int, int, int, int], EchoSpan] = {}
    for m in matches:
        if m.allowed:
            continue
        semantic_items = [
            e
            for e in m.evidence
            if e.allowed_by is None
            and e.kind == "semantic"
            and not (e.reworded and e.similarity >= CONDENSED_ECHO_MAX_DICE)
        ]
        if not semantic_items:
            continue
        ids = np.asarray(references.scene_passage_ids(script_id, m.reference_scene), dtype=np.int64)
        if ids.size == 0:
            continue
        stored = references.passages(ids)
        vectors = np.asarray(references.vectors(ids), dtype=np.float32)
        for i in probe.scene_passages.get(m.draft_scene, np.zeros(0, np.int64)):
            p = probe.passages[int(i)]
            if not any(p.start < e.draft.end and e.draft.start < p.end for e in semantic_items):
                continue
            cosines = vectors @ probe.vectors[int(i)]
            words = int(probe.passage_lengths[int(i)])
            for r, cos in zip(stored, cosines, strict=True):
                if any(r.start < d and c < r.end for c, d in shown):
                    continue
                if semantic.chance(float(cos), words, 1) > CONDENSED_ECHO_CHANCE:
                    continue
                key = (p.start, p.end, r.start, r.end)
                out[key] = EchoSpan(p.start, p.end, r.start, r.end, round(float(cos), 4))
    return tuple(out[k] for k in sorted(out))


def condensations(
    matches: Sequence[Match],
    draft: Coordinates,
    reference: Coordinates,
    echoes: Sequence[EchoSpan] = (),
) -> tuple[Condensation, ...]:
    """The condensations of one reference's matches (see the module docstring), in draft order."""
    spans = [
        (e.draft.start, e.draft.end, e.reference.start, e.reference.end)
        for m in matches
        if not m.allowed
        for e in m.evidence
        if e.allowed_by is None
    ]
    echo_spans = [(e.draft_start, e.draft_end, e.reference_start, e.reference_end) for e in echoes]
    out: list[Condensation] = []
    for a, b, c, d, _ in stretches(spans + echo_spans, CONDENSED_GAP_CHARS):
        items = sum(1 for s in spans if a <= s[0] and s[1] <= b and c <= s[2] and s[3] <= d)
        inside = [
            e
            for e in echoes
            if a <= e.draft_start and e.draft_end <= b and c <= e.reference_start and e.reference_end <= d
        ]
        if items < 1 or items + len(inside) < CONDENSED_MIN_EVIDENCE or b - a < CONDENSED_MIN_CHARS:
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
                echoes=tuple(
                    Echo(
                        draft.location(e.draft_start, e.draft_end),
                        reference.location(e.reference_start, e.reference_end),
                        e.similarity,
                    )
                    for e in inside
                ),
            )
        )
    return tuple(out)
