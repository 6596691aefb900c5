"""Verify candidate scene pairs: align them and keep only what is evidence.

For every candidate pair of one reference script:

- **semantic**: the embeddings of the two scenes' passages are compared; passage pairs whose cosine
  is unusual among unrelated scripts (``SemanticNull.strength > 0``) are matched one-to-one, best
  first;
- **lexical**: the compared words of the two scenes are aligned (``align.align``, names masked).
  Spans found are aligned again with every word weighted by phrase commonness, so that stock
  phrases do not make spans (the weights are only computed where the unweighted alignment found
  something). A ``reworded`` span (shared vocabulary, few same-order runs: a paraphrase, a shuffle,
  a re-translation) counts like any other (it is what the words show); the report labels it for what
  it is, the same content in other words (``simcheck.report.pieces``). A span always
  belongs to one scene pair. Against a large index (``MIN_SCRIPTS`` scripts or more) a pair is
  aligned only when two of its passages look alike to MinHash (estimated Jaccard >=
  ``LEXICAL_SCREEN``): copying that matters shares far more word shingles than that, and aligning
  every noisy candidate of a long play would cost seconds. Pairwise mode aligns every pair.

Semantic evidence is found by ``simcheck.match.semantic``. Scores and rarity follow
(``simcheck.match.scoring``, ``simcheck.match.rarity``); a pair without evidence is dropped. Word
positions in pieces are local to their scene on each side; a reference scene that was not aligned is
measured in the words of its passages.
"""

from __future__ import annotations

import contextlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np
from threadpoolctl import threadpool_limits

from simcheck.match.align import align
from simcheck.match.allowlist import Allowlist
from simcheck.match.candidates import semantic_floors
from simcheck.match.draft import Probe, ReferenceCache, ReferenceSide, RefScript, reference_side
from simcheck.match.names import SpeechLink
from simcheck.match.rarity import Calibration
from simcheck.match.runs import common_runs
from simcheck.match.scoring import PairScore, Piece, score_pair, strengths
from simcheck.match.semantic import SemPiece, semantic_matches, semantic_pieces
from simcheck.settings import (
    LEXICAL_SCREEN,
    MIN_PIECE_WORDS,
    MIN_SCRIPTS,
    SCREEN_MIN_WORDS,
    SEMANTIC_EVIDENCE,
)
from simcheck.text.minhash import EMPTY
from simcheck.text.words import SceneWords


def small_matrix_mode() -> contextlib.AbstractContextManager[object]:
    """Single-threaded BLAS while verifying: thousands of small matrix products are 10-100x faster
    without OpenBLAS's thread start-up and spinning, above all on a busy machine."""
    return threadpool_limits(limits=1, user_api="blas")


@dataclass(frozen=True)
class LexPiece:
    kind: str  # verbatim | fuzzy | reworded
    similarity: float
    a0: int  # word indices local to the draft scene
    a1: int
    b0: int  # word indices local to the reference scene
    b1: int
    allowed_by: str | None = None


@dataclass(frozen=True)
class PairResult:
    script_id: int
    draft_scene: int
    reference_scene: int
    lexical: tuple[LexPiece, ...]
    semantic: tuple[SemPiece, ...]
    score: PairScore  # flagged evidence only (allowed pieces left out)
    rarity: float
    allowed_score: PairScore | None  # all evidence, when some of it is allowed
    allowed_rarity: float
    links: tuple[SpeechLink, ...]
    draft_strength: np.ndarray  # per word of the draft scene (flagged evidence)
    reference_strength: np.ndarray  # per word of the reference scene
    draft_strength_all: np.ndarray  # the same with allowed evidence included
    reference_strength_all: np.ndarray


@dataclass(frozen=True)
class VerifyOptions:
    min_verbatim: int
    min_fuzzy: int


def verify_script(
    probe: Probe,
    cache: ReferenceCache,
    script_id: int,
    pairs: Sequence[tuple[int, int]],
    calibration: Calibration,
    options: VerifyOptions,
    allowlist: Allowlist | None = None,
) -> list[PairResult]:
    """Evidence for the candidate ``(draft scene, reference scene)`` pairs of one reference script."""
    refs = cache.references
    side = reference_side(cache, script_id, sorted({r for _, r in pairs}))
    floors = semantic_floors(calibration, refs.n_passages, SEMANTIC_EVIDENCE)
    screen = len(refs.scripts()) >= MIN_SCRIPTS
    results: list[PairResult] = []
    for d, r in sorted(set(pairs)):
        mine = probe.scene_passages.get(d)
        rows = side.rows.get(r)
        if mine is None or rows is None or rows.size == 0:
            continue
        matches = semantic_matches(probe, mine, side, rows, calibration, floors, refs.n_passages)
        aligned = not screen or _looks_alike(
            probe.signatures[mine[probe.passage_lengths[mine] >= SCREEN_MIN_WORDS]],
            side.signatures[rows[side.lengths[rows] >= SCREEN_MIN_WORDS]],
        )
        if not matches and not aligned:
            continue
        words = cache.scene_words(script_id, r) if aligned else None
        lexical = _lexical(probe, cache, script_id, d, r, words, options) if words is not None else []
        semantic = semantic_pieces(probe, d, words, [side.stored[int(j)] for j in rows], matches)
        n_r = len(words.norms) if words is not None else _passage_words(side, rows)
        result = _pair_result(
            probe, cache, script_id, words, n_r, (d, r), lexical, semantic, calibration, allowlist
        )
        if result is not None:
            results.append(result)
    return results


def _passage_words(side: ReferenceSide, rows: np.ndarray) -> int:
    return int(side.lengths[rows].sum())


# --- lexical ----------------------------------------------------------------------------------


def _looks_alike(a: np.ndarray, b: np.ndarray) -> bool:
    """Does some passage pair have an estimated Jaccard of at least ``LEXICAL_SCREEN``?"""
    if a.size == 0 or b.size == 0:
        return False
    need = LEXICAL_SCREEN * a.shape[1]
    for i in range(a.shape[0]):
        if a[i][0] == EMPTY and np.all(a[i] == EMPTY):
            continue
        if int((b == a[i]).sum(axis=1).max()) >= need:
            return True
    return False


def _lexical(
    probe: Probe,
    cache: ReferenceCache,
    script_id: int,
    d: int,
    r: int,
    words: SceneWords,
    options: VerifyOptions,
) -> list[LexPiece]:
    """Aligned spans of one scene pair: unweighted first, weighted where something was found."""
    a0, a1 = probe.words.scene_range(d)
    a = probe.words.norms[a0:a1]
    b = words.norms
    if not a or not b:
        return []
    least, fuzzy = options.min_verbatim, options.min_fuzzy
    if not align(a, b, min_verbatim=least, min_fuzzy=fuzzy):  # weights only lower seeds and masses
        return []
    weights_a = probe.weights[a0:a1]
    weights_b = cache.scene_weights(script_id, r)
    spans = align(a, b, weights_a=weights_a, weights_b=weights_b, min_verbatim=least, min_fuzzy=fuzzy)
    return [
        LexPiece(span.kind, float(span.similarity), span.a_start, span.a_end, span.b_start, span.b_end)
        for span in spans
        if span.a_len >= MIN_PIECE_WORDS and span.b_len >= MIN_PIECE_WORDS
    ]


# --- one pair ---------------------------------------------------------------------------------


def _pair_result(
    probe: Probe,
    cache: ReferenceCache,
    script_id: int,
    words: SceneWords | None,
    n_r: int,
    key: tuple[int, int],
    lexical: list[LexPiece],
    semantic: list[SemPiece],
    calibration: Calibration,
    allowlist: Allowlist | None,
) -> PairResult | None:
    d, r = key
    d0, d1 = probe.words.scene_range(d)
    if allowlist and (lexical or semantic):
        ref = cache.get(script_id)
        if words is not None:
            lexical = [_allow_lex(p, probe, d0, ref, words, allowlist) for p in lexical]
        semantic = [_allow_sem(p, probe, ref, allowlist) for p in semantic]
    n_d = d1 - d0
    weights = probe.weights[d0:d1] if lexical else np.ones(n_d, dtype=np.float64)

    def pieces(flagged_only: bool) -> tuple[list[Piece], list[Piece]]:
        lex = [
            Piece(p.a0, p.a1, p.b0, p.b1, p.similarity)
            for p in lexical
            if not (flagged_only and p.allowed_by)
        ]
        sem = [
            Piece(p.a0, p.a1, p.b0, p.b1, p.strength) for p in semantic if not (flagged_only and p.allowed_by)
        ]
        return lex, sem

    lex, sem = pieces(True)
    score = score_pair(n_d, n_r, lex, sem, weights)
    rarity = calibration.evidence.rarity(score)
    allowed_score = None
    allowed_rarity = 0.0
    if any(p.allowed_by for p in lexical) or any(p.allowed_by for p in semantic):
        allowed_score = score_pair(n_d, n_r, *pieces(False), weights)
        allowed_rarity = calibration.evidence.rarity(allowed_score)
    if score.evidence_words <= 0 and (allowed_score is None or allowed_score.evidence_words <= 0):
        return None
    draft_strength, reference_strength = _cover(lex, sem, n_d, n_r)
    if allowed_score is not None:
        draft_all, reference_all = _cover(*pieces(False), n_d, n_r)
    else:
        draft_all, reference_all = draft_strength, reference_strength
    return PairResult(
        script_id=script_id,
        draft_scene=d,
        reference_scene=r,
        lexical=tuple(lexical),
        semantic=tuple(semantic),
        score=score,
        rarity=rarity,
        allowed_score=allowed_score,
        allowed_rarity=allowed_rarity,
        links=tuple(_links(probe, d0, words, lexical, semantic)),
        draft_strength=draft_strength,
        reference_strength=reference_strength,
        draft_strength_all=draft_all,
        reference_strength_all=reference_all,
    )


def _cover(lex: Sequence[Piece], sem: Sequence[Piece], n_d: int, n_r: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-word strength on both sides (the strongest piece covering each word)."""
    draft = np.maximum(
        strengths(n_d, ((p.a_start, p.a_end, p.strength) for p in lex)),
        strengths(n_d, ((p.a_start, p.a_end, p.strength) for p in sem)),
    )
    reference = np.maximum(
        strengths(n_r, ((p.b_start, p.b_end, p.strength) for p in lex)),
        strengths(n_r, ((p.b_start, p.b_end, p.strength) for p in sem)),
    )
    return draft, reference


def lexical_offsets(probe: Probe, d0: int, words: SceneWords, piece: LexPiece) -> tuple[int, int, int, int]:
    """Character offsets ``(draft start, draft end, reference start, reference end)`` of a lexical piece."""
    return (
        int(probe.words.starts[d0 + piece.a0]),
        int(probe.words.ends[d0 + piece.a1 - 1]),
        int(words.starts[piece.b0]),
        int(words.ends[piece.b1 - 1]),
    )


def _allow_lex(
    piece: LexPiece, probe: Probe, d0: int, ref: RefScript, words: SceneWords, allowlist: Allowlist
) -> LexPiece:
    ds, de, rs, re_ = lexical_offsets(probe, d0, words, piece)
    first, last = ref.lines.number(rs), ref.lines.number(max(re_ - 1, rs))
    entry = allowlist.passage(ref.path, first, last, probe.script.text[ds:de], ref.script.text[rs:re_])
    return piece if entry is None else replace(piece, allowed_by=entry.text)


def _allow_sem(piece: SemPiece, probe: Probe, ref: RefScript, allowlist: Allowlist) -> SemPiece:
    draft = probe.passages[piece.draft_passage]
    other = piece.reference_passage
    entry = allowlist.passage(
        ref.path,
        ref.lines.number(other.start),
        ref.lines.number(max(other.end - 1, other.start)),
        probe.script.text[draft.start : draft.end],
        ref.script.text[other.start : other.end],
    )
    return piece if entry is None else replace(piece, allowed_by=entry.text)


def _links(
    probe: Probe,
    d0: int,
    words: SceneWords | None,
    lexical: Sequence[LexPiece],
    semantic: Sequence[SemPiece],
) -> list[SpeechLink]:
    """Aligned speeches: word by word for lexical pieces (the words paired by their longest common
    subsequence), passage by passage for semantic ones."""
    weights: dict[tuple[int, int], float] = defaultdict(float)
    speakers_b: dict[int, str] = {}
    if words is not None:
        speakers_b.update(words.speakers)
        for piece in lexical:
            runs = common_runs(
                probe.words.norms[d0 + piece.a0 : d0 + piece.a1], words.norms[piece.b0 : piece.b1]
            )
            if not runs:
                continue
            a = np.concatenate([np.arange(i, i + size) for i, _, size in runs]) + piece.a0
            b = np.concatenate([np.arange(j, j + size) for _, j, size in runs]) + piece.b0
            units_a = probe.words.units[d0 + a]
            units_b = words.units[b]
            pairs, counts = np.unique(np.stack([units_a, units_b], axis=1), axis=0, return_counts=True)
            for (ua, ub), count in zip(pairs.tolist(), counts.tolist(), strict=True):
                weights[(ua, ub)] += count
    for sem in semantic:
        ua = int(probe.words.units[d0 + sem.a0])
        ub = sem.reference_passage.start  # a speech's passage: the speaker is on the passage
        if sem.reference_passage.speaker:
            speakers_b.setdefault(ub, sem.reference_passage.speaker)
        weights[(ua, ub)] += (sem.a1 - sem.a0) * sem.strength
    links: list[SpeechLink] = []
    for (ua, ub), weight in sorted(weights.items()):
        speaker_a = probe.words.speakers.get(ua)
        speaker_b = speakers_b.get(ub)
        if speaker_a and speaker_b:
            links.append(SpeechLink(ua, speaker_a, ub, speaker_b, float(weight)))
    return links
