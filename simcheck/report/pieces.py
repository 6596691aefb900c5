"""The evidence of one match as a reader sees it: passages side by side, labelled by what they share.

Each lexical piece of a verified scene pair becomes one or more ``Evidence`` items:

- a piece longer than ``EVIDENCE_MAX_WORDS`` words on either side is cut into line-level
  correspondences (``match.runs.line_pieces``: whole lines of the draft with the lines of the reference
  their words align with), so that a reader sees which lines answer which; a cut-out stretch sharing
  fewer than ``MIN_PIECE_WORDS`` aligned words (a line the draft added) is left out;
- each item is labelled by what it shares: ``verbatim`` when its words are the same words as written
  (names included); ``fuzzy`` when they are the same words lightly edited (a renamed character, a
  changed word: at least ``FUZZY_MIN_RUN_SHARE`` of them in same-order runs); else ``semantic`` with
  ``reworded`` set: the same content in other words, found through shared vocabulary. Its similarity
  is the multiset Dice coefficient of its (name-masked) words.

Semantic pieces become one item each (the cosine, at most 1), unless lexical pieces already cover
``COVERED_BY_LEXICAL`` of their words (a reworded stretch is shown once, as itself: its extent is
what was found, and what the PAN benchmark scores). Every item carries the coordinates of its source format
(``report.coords``). Scores and levels are not changed here: they come from the pieces as verified.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from simcheck.match.align import REWORDED
from simcheck.match.draft import Probe
from simcheck.match.evidence import LexPiece, PairResult
from simcheck.match.runs import common_runs, dice, in_order_share, line_pieces
from simcheck.match.scoring import strengths
from simcheck.model import Lines
from simcheck.report.coords import Coordinates
from simcheck.report.model import Evidence
from simcheck.settings import (
    ALIGN_NGRAM,
    COVERED_BY_LEXICAL,
    EVIDENCE_MAX_WORDS,
    FUZZY_MIN_RUN_SHARE,
    MIN_PIECE_WORDS,
)
from simcheck.text.tokens import fold
from simcheck.text.words import SceneWords


def match_evidence(
    probe: Probe,
    words: SceneWords | None,
    result: PairResult,
    draft: Coordinates,
    reference: Coordinates,
) -> tuple[Evidence, ...]:
    """The evidence items of one verified scene pair, sorted by draft offset, then reference offset."""
    out: list[Evidence] = []
    d0, d1 = probe.words.scene_range(result.draft_scene)
    lexical_cover = strengths(d1 - d0, ((p.a0, p.a1, 1.0) for p in result.lexical))
    for piece in result.lexical:
        assert words is not None
        out.extend(_lexical_items(probe, d0, words, piece, draft, reference))
    for sem in result.semantic:
        covered = float(lexical_cover[sem.a0 : sem.a1].mean()) if sem.a1 > sem.a0 else 0.0
        if covered >= COVERED_BY_LEXICAL:
            continue
        passage = probe.passages[sem.draft_passage]
        other = sem.reference_passage
        out.append(
            Evidence(
                kind="semantic",
                similarity=min(1.0, sem.cosine),  # float32 rounding can put a cosine just above 1
                draft=draft.location(passage.start, passage.end),
                reference=reference.location(other.start, other.end),
                draft_text=probe.script.text[passage.start : passage.end],
                reference_text=reference.script.text[other.start : other.end],
                strength=sem.strength,
                words=sem.a1 - sem.a0,
                draft_speaker=passage.speaker,
                reference_speaker=other.speaker,
                allowed_by=sem.allowed_by,
            )
        )
    out.sort(key=lambda e: (e.draft.start, e.reference.start, e.kind, e.draft.end, e.reference.end))
    return tuple(out)


def _lexical_items(
    probe: Probe,
    d0: int,
    words: SceneWords,
    piece: LexPiece,
    draft: Coordinates,
    reference: Coordinates,
) -> list[Evidence]:
    a0, a1 = d0 + piece.a0, d0 + piece.a1
    norms_a, norms_b = probe.words.norms[a0:a1], words.norms[piece.b0 : piece.b1]
    starts_a, ends_a = probe.words.starts[a0:a1], probe.words.ends[a0:a1]
    starts_b, ends_b = words.starts[piece.b0 : piece.b1], words.ends[piece.b0 : piece.b1]
    if len(norms_a) <= EVIDENCE_MAX_WORDS and len(norms_b) <= EVIDENCE_MAX_WORDS:
        parts = [(0, len(norms_a), 0, len(norms_b))]
    else:
        cuts_a = _line_starts(draft.lines, starts_a)
        cuts_b = _line_starts(reference.lines, starts_b)
        parts = [
            part
            for part in line_pieces(norms_a, norms_b, cuts_a, cuts_b, EVIDENCE_MAX_WORDS)
            if _aligned(norms_a, norms_b, part) >= MIN_PIECE_WORDS
        ]
    text_a, text_b = probe.script.text, reference.script.text
    items: list[Evidence] = []
    for x0, x1, y0, y1 in parts:
        ds, de = int(starts_a[x0]), int(ends_a[x1 - 1])
        rs, re_ = int(starts_b[y0]), int(ends_b[y1 - 1])
        same = _surface(text_a, starts_a[x0:x1], ends_a[x0:x1]) == _surface(
            text_b, starts_b[y0:y1], ends_b[y0:y1]
        )
        kind = _label(norms_a[x0:x1], norms_b[y0:y1], same)
        items.append(
            Evidence(
                kind="semantic" if kind == REWORDED else kind,
                similarity=1.0 if kind == "verbatim" else dice(norms_a[x0:x1], norms_b[y0:y1]),
                draft=draft.location(ds, de),
                reference=reference.location(rs, re_),
                draft_text=text_a[ds:de],
                reference_text=text_b[rs:re_],
                strength=piece.similarity,
                words=x1 - x0,
                draft_speaker=probe.words.speakers.get(int(probe.words.units[a0 + x0])),
                reference_speaker=words.speakers.get(int(words.units[piece.b0 + y0])),
                allowed_by=piece.allowed_by,
                reworded=kind == REWORDED,
            )
        )
    return items


def _label(a: Sequence[str], b: Sequence[str], same: bool) -> str:
    """``verbatim`` (the same words as written: ``same``), ``fuzzy`` (lightly edited) or ``reworded``."""
    if same:
        return "verbatim"
    return "fuzzy" if in_order_share(a, b, ALIGN_NGRAM) >= FUZZY_MIN_RUN_SHARE else REWORDED


def _line_starts(lines: Lines, starts: np.ndarray) -> list[int]:
    """Positions (in the token list) of the tokens that start a new line of the text."""
    numbers = [lines.number(int(s)) for s in starts]
    return [k for k in range(1, len(numbers)) if numbers[k] != numbers[k - 1]]


def _aligned(a: Sequence[str], b: Sequence[str], part: tuple[int, int, int, int]) -> int:
    x0, x1, y0, y1 = part
    return sum(size for _, _, size in common_runs(a[x0:x1], b[y0:y1]))


def _surface(text: str, starts: np.ndarray, ends: np.ndarray) -> list[str]:
    """The words as written (folded, names not masked)."""
    return [fold(text[int(s) : int(e)]) for s, e in zip(starts, ends, strict=True)]
