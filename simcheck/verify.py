"""Verify candidate scene pairs: align them and keep only what is evidence.

For one reference script, the draft scenes and reference scenes of its candidate pairs are aligned in
one call (``align.align`` over the concatenated compared words, names masked, each word weighted by
phrase commonness so stock phrases do not make spans). Spans are cut at scene boundaries on both
sides, so each piece belongs to one scene pair. Then, for every candidate pair, the embeddings of the
two scenes' passages are compared; passage pairs whose cosine is unusual among unrelated scripts
(``SemanticNull.strength > 0``) are matched one-to-one, best first. Scores and rarity follow
(``simcheck.scoring``, ``simcheck.calibration``); a pair without evidence is dropped.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simcheck.align import VERBATIM, align
from simcheck.allowlist import Allowlist
from simcheck.calibration import SEMANTIC_EVIDENCE, Calibration, length_bin
from simcheck.candidates import semantic_floors
from simcheck.names import SpeechLink
from simcheck.probe import Probe, ReferenceCache, RefScript
from simcheck.references import StoredPassage
from simcheck.scoring import PairScore, Piece, score_pair, strengths

MIN_PIECE_WORDS = 3  # a span cut at a scene boundary keeps pieces of at least this many words per side


@dataclass(frozen=True)
class LexPiece:
    kind: str  # verbatim | fuzzy
    similarity: float
    a0: int  # word indices in the draft's ScriptWords
    a1: int
    b0: int  # word indices in the reference's ScriptWords
    b1: int
    allowed_by: str | None = None


@dataclass(frozen=True)
class SemPiece:
    draft_passage: int  # index into probe.passages
    reference_passage: StoredPassage
    a0: int
    a1: int
    b0: int
    b1: int
    cosine: float
    strength: float
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
    draft_scenes = sorted({d for d, _ in pairs})
    ref_scenes = sorted({r for _, r in pairs})
    ref = cache.get(script_id, ref_scenes)
    lexical = _lexical_pieces(probe, ref, draft_scenes, ref_scenes, options)
    by_pair: dict[tuple[int, int], list[LexPiece]] = defaultdict(list)
    for piece in lexical:
        by_pair[(probe.words.scene_of(piece.a0), ref.words.scene_of(piece.b0))].append(piece)
    semantic = _semantic_pieces(probe, cache, ref, sorted(set(pairs) | set(by_pair)), calibration)
    results: list[PairResult] = []
    for key in sorted(set(by_pair) | set(semantic)):
        result = _pair_result(
            probe, ref, key, by_pair.get(key, []), semantic.get(key, []), calibration, allowlist
        )
        if result is not None:
            results.append(result)
    return results


# --- lexical ----------------------------------------------------------------------------------


def _concat(words_bounds: np.ndarray, scenes: Sequence[int]) -> np.ndarray:
    parts = [np.arange(words_bounds[s - 1], words_bounds[s], dtype=np.int64) for s in scenes]
    return np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)


def _runs(scene_ids: np.ndarray) -> list[tuple[int, int]]:
    """``[start, end)`` runs of equal values."""
    if scene_ids.size == 0:
        return []
    cuts = np.flatnonzero(np.diff(scene_ids) != 0) + 1
    bounds = [0, *cuts.tolist(), int(scene_ids.size)]
    return list(zip(bounds[:-1], bounds[1:], strict=True))


def _project(x: int, a0: int, a1: int, b0: int, b1: int, exact: bool) -> int:
    if exact:
        return b0 + (x - a0)
    return b0 + int(round((x - a0) * (b1 - b0) / max(a1 - a0, 1)))


def _lexical_pieces(
    probe: Probe,
    ref: RefScript,
    draft_scenes: Sequence[int],
    ref_scenes: Sequence[int],
    options: VerifyOptions,
) -> list[LexPiece]:
    da = _concat(probe.words.scene_bounds, draft_scenes)
    rb = _concat(ref.words.scene_bounds, ref_scenes)
    if da.size == 0 or rb.size == 0:
        return []
    a_norms = probe.words.norms
    b_norms = ref.words.norms
    spans = align(
        [a_norms[i] for i in da],
        [b_norms[i] for i in rb],
        weights_a=probe.weights[da],
        weights_b=ref.weights[rb],
        min_verbatim=options.min_verbatim,
        min_fuzzy=options.min_fuzzy,
    )
    a_scene = np.searchsorted(probe.words.scene_bounds, da, side="right")
    b_scene = np.searchsorted(ref.words.scene_bounds, rb, side="right")
    pieces: list[LexPiece] = []
    for span in spans:
        exact = span.kind == VERBATIM
        for x0, x1 in _runs(a_scene[span.a_start : span.a_end]):
            xa0, xa1 = span.a_start + x0, span.a_start + x1
            yb0 = _project(xa0, span.a_start, span.a_end, span.b_start, span.b_end, exact)
            yb1 = _project(xa1, span.a_start, span.a_end, span.b_start, span.b_end, exact)
            for y0, y1 in _runs(b_scene[yb0:yb1]):
                pb0, pb1 = yb0 + y0, yb0 + y1
                pa0 = _project(pb0, yb0, yb1, xa0, xa1, exact)
                pa1 = _project(pb1, yb0, yb1, xa0, xa1, exact)
                if pa1 - pa0 < MIN_PIECE_WORDS or pb1 - pb0 < MIN_PIECE_WORDS:
                    continue
                pieces.append(
                    LexPiece(
                        kind=span.kind,
                        similarity=float(span.similarity),
                        a0=int(da[pa0]),
                        a1=int(da[pa1 - 1]) + 1,
                        b0=int(rb[pb0]),
                        b1=int(rb[pb1 - 1]) + 1,
                    )
                )
    return pieces


# --- semantic ---------------------------------------------------------------------------------


def _semantic_pieces(
    probe: Probe,
    cache: ReferenceCache,
    ref: RefScript,
    pairs: Sequence[tuple[int, int]],
    calibration: Calibration,
) -> dict[tuple[int, int], list[SemPiece]]:
    refs = cache.references
    n_total = refs.n_passages
    scene_passages = probe.scene_passages()
    ref_scenes = sorted({r for _, r in pairs})
    ref_ids = {r: refs.scene_passage_ids(ref.id, r) for r in ref_scenes}
    all_ids = np.concatenate([ref_ids[r] for r in ref_scenes]) if ref_scenes else np.zeros(0, np.int64)
    if all_ids.size == 0:
        return {}
    vectors = np.asarray(refs.vectors(all_ids), dtype=np.float32)
    stored = refs.passages(all_ids)
    row_of = {int(pid): k for k, pid in enumerate(all_ids)}
    floors = semantic_floors(calibration, n_total, SEMANTIC_EVIDENCE)
    out: dict[tuple[int, int], list[SemPiece]] = {}
    for d, r in pairs:
        mine = scene_passages.get(d)
        theirs = ref_ids.get(r)
        if mine is None or theirs is None or theirs.size == 0:
            continue
        rows = [row_of[int(pid)] for pid in theirs]
        sims = probe.vectors[mine] @ vectors[rows].T
        words = probe.passage_lengths[mine]
        floor = floors[[length_bin(int(w)) for w in words]]
        ii, jj = np.nonzero(sims >= floor[:, None])
        if ii.size == 0:
            continue
        order = np.lexsort((jj, ii, -sims[ii, jj]))
        used_a: set[int] = set()
        used_b: set[int] = set()
        pieces: list[SemPiece] = []
        for k in order:
            i, j = int(ii[k]), int(jj[k])
            if i in used_a or j in used_b:
                continue
            cosine = float(sims[i, j])
            strength = calibration.semantic.strength(cosine, int(words[i]), n_total)
            if strength <= 0.0:
                continue
            used_a.add(i)
            used_b.add(j)
            passage = stored[rows[j]]
            b0, b1 = ref.words.word_range(passage.start, passage.end)
            a0, a1 = (int(x) for x in probe.passage_words[mine[i]])
            if a1 <= a0 or b1 <= b0:
                continue
            pieces.append(SemPiece(int(mine[i]), passage, a0, a1, b0, b1, cosine, strength))
        if pieces:
            out[(d, r)] = sorted(pieces, key=lambda p: (p.a0, p.b0))
    return out


# --- one pair ---------------------------------------------------------------------------------


def _pair_result(
    probe: Probe,
    ref: RefScript,
    key: tuple[int, int],
    lexical: list[LexPiece],
    semantic: list[SemPiece],
    calibration: Calibration,
    allowlist: Allowlist | None,
) -> PairResult | None:
    d, r = key
    if allowlist:
        lexical = [_allow_lex(p, probe, ref, allowlist) for p in lexical]
        semantic = [_allow_sem(p, probe, ref, allowlist) for p in semantic]
    d0, d1 = probe.words.scene_range(d)
    r0, r1 = ref.words.scene_range(r)
    weights = probe.weights[d0:d1]

    def pieces(flagged_only: bool) -> tuple[list[Piece], list[Piece]]:
        lex = [
            Piece(p.a0 - d0, p.a1 - d0, p.b0 - r0, p.b1 - r0, p.similarity)
            for p in lexical
            if not (flagged_only and p.allowed_by)
        ]
        sem = [
            Piece(p.a0 - d0, p.a1 - d0, p.b0 - r0, p.b1 - r0, p.strength)
            for p in semantic
            if not (flagged_only and p.allowed_by)
        ]
        return lex, sem

    lex, sem = pieces(True)
    score = score_pair(d1 - d0, r1 - r0, lex, sem, weights)
    rarity = calibration.evidence.rarity(score)
    allowed_score = None
    allowed_rarity = 0.0
    if any(p.allowed_by for p in lexical) or any(p.allowed_by for p in semantic):
        all_lex, all_sem = pieces(False)
        allowed_score = score_pair(d1 - d0, r1 - r0, all_lex, all_sem, weights)
        allowed_rarity = calibration.evidence.rarity(allowed_score)
    if score.evidence_words <= 0 and (allowed_score is None or allowed_score.evidence_words <= 0):
        return None
    draft_strength, reference_strength = _cover(lex, sem, d1 - d0, r1 - r0)
    if allowed_score is not None:
        draft_all, reference_all = _cover(*pieces(False), d1 - d0, r1 - r0)
    else:
        draft_all, reference_all = draft_strength, reference_strength
    return PairResult(
        script_id=ref.id,
        draft_scene=d,
        reference_scene=r,
        lexical=tuple(lexical),
        semantic=tuple(semantic),
        score=score,
        rarity=rarity,
        allowed_score=allowed_score,
        allowed_rarity=allowed_rarity,
        links=tuple(_links(probe, ref, lexical, semantic)),
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


def _allow_lex(piece: LexPiece, probe: Probe, ref: RefScript, allowlist: Allowlist) -> LexPiece:
    ds, de = probe.words.offsets(piece.a0, piece.a1)
    rs, re_ = ref.words.offsets(piece.b0, piece.b1)
    entry = allowlist.passage(
        ref.path,
        ref.lines.line(rs),
        ref.lines.line(max(re_ - 1, rs)),
        probe.script.text[ds:de],
        ref.script.text[rs:re_],
    )
    return piece if entry is None else LexPiece(**{**piece.__dict__, "allowed_by": entry.text})


def _allow_sem(piece: SemPiece, probe: Probe, ref: RefScript, allowlist: Allowlist) -> SemPiece:
    draft = probe.passages[piece.draft_passage]
    other = piece.reference_passage
    entry = allowlist.passage(
        ref.path,
        ref.lines.line(other.start),
        ref.lines.line(max(other.end - 1, other.start)),
        probe.script.text[draft.start : draft.end],
        ref.script.text[other.start : other.end],
    )
    return piece if entry is None else SemPiece(**{**piece.__dict__, "allowed_by": entry.text})


def _links(
    probe: Probe, ref: RefScript, lexical: Sequence[LexPiece], semantic: Sequence[SemPiece]
) -> list[SpeechLink]:
    """Aligned speeches: word-by-word for lexical pieces, passage-by-passage for semantic ones."""
    weights: dict[tuple[int, int], float] = defaultdict(float)
    for piece in lexical:
        a = np.arange(piece.a0, piece.a1)
        b = piece.b0 + ((a - piece.a0) * (piece.b1 - piece.b0)) // max(piece.a1 - piece.a0, 1)
        units_a = probe.words.units[a]
        units_b = ref.words.units[np.minimum(b, piece.b1 - 1)]
        pairs, counts = np.unique(np.stack([units_a, units_b], axis=1), axis=0, return_counts=True)
        for (ua, ub), count in zip(pairs.tolist(), counts.tolist(), strict=True):
            weights[(ua, ub)] += count
    for sem in semantic:
        ua = int(probe.words.units[sem.a0])
        ub = int(ref.words.units[sem.b0])
        weights[(ua, ub)] += (sem.a1 - sem.a0) * sem.strength
    links: list[SpeechLink] = []
    for (ua, ub), weight in sorted(weights.items()):
        speaker_a = probe.words.speakers.get(ua)
        speaker_b = ref.words.speakers.get(ub)
        if speaker_a and speaker_b:
            links.append(SpeechLink(ua, speaker_a, ub, speaker_b, float(weight)))
    return links
