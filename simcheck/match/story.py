"""Story proximity: the same plot, characters and order of events, told in other words.

``judge_story`` aligns the draft's story units (``simcheck.text.units``) with the scenes of candidate
references found through the index, scores each chain against unrelated references, and infers which
draft character plays which reference character from the structure of the aligned story.

The method, stage by stage (constants in ``simcheck.settings``, ``STORY_*``):

1. **Unit features, names masked.** (a) A vector per unit: the mean of the stored embeddings of the
   passages inside it (the draft's own passage vectors, the index's for references): nothing is
   embedded at compare time and the index format is unchanged. (b) A bag of content words: folded,
   lightly stemmed (``seeds.stem``), stop words, numbers and character names dropped (a screenplay's
   cast; in prose the name-like words of ``units.prose_names``), weighted ``(1 + log tf) * idf`` with
   the IDF over the reference units loaded for this comparison.
2. **Candidates through the index**, never all pairs: each draft unit vector is searched among the
   passages (``search_semantic``); every script gets, per unit, its best cosine above the unit's
   ``STORY_NEIGHBOURS``-th, summed over units; the top ``STORY_CANDIDATES`` scripts are aligned, plus
   the scripts the other layers matched (``also``).
3. **Background**: ``STORY_BACKGROUND`` scripts, a content-keyed sample (the smallest keyed hashes of
   their sha256) of all the references but the draft itself, so the cost does not grow with the
   references. Each draft unit's similarities are turned into z-scores against the background's units
   (a unit about a generic trope, a wedding, a duel, is similar to everything and gets no credit for
   it); the two features' z-scores are averaged (weight ``STORY_VECTOR_WEIGHT``: the content words carry
   most of it, see settings) and standardised again; then, per script, each draft unit's median z over
   that script is subtracted (``centre_blocks``: same idiom is not same story).
4. **Order-aware local alignment** (Smith-Waterman with condensation) over ``min(z, STORY_Z_CAP) -
   STORY_OFFSET``: a chain links draft units to reference units in the same order; a draft unit may
   tell several consecutive reference units and the reverse (``STORY_CONDENSE`` each extra link),
   units skipped cost ``STORY_SKIP_DRAFT`` / ``STORY_SKIP_REFERENCE`` each. Only cells above the offset
   add, and one cell adds at most ``STORY_Z_CAP - STORY_OFFSET``: many weak links in order add up, one
   shared trope stays small.
5. **Rarity**: the draft is aligned with every background script in the same pass; an exponential tail
   (``rarity.Tail``) is fitted to their chain scores (a script is never in its own null, so a small
   index can use all its other scripts): where its tail starts and how much of the null lies beyond,
   the decay itself fixed (``STORY_MIN_BETA`` = ``STORY_MAX_BETA``: see settings), and a chain's
   rarity is ``-log10(chance * live references)`` (the chance that an unrelated script aligns this well,
   for all the references searched): the scale, and so the levels, of every other match. Too few
   background scripts (``STORY_MIN_BACKGROUND``; pairwise comparison, a tiny index) use the shipped
   tail measured on the corpus (``STORY_DEFAULT_TAIL``).
6. **Characters from structure**: along the chain, the presence profiles of draft and reference
   characters (their shares of each linked unit) are compared (``cast_pairs``); pairs are assigned
   one-to-one, most alike first. Names are never compared.
"""

from __future__ import annotations

import hashlib
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import numpy as np

from simcheck.match.draft import Probe, ReferenceCache
from simcheck.match.rarity import Calibration, Tail
from simcheck.match.story_align import align_all, traceback
from simcheck.match.story_features import (
    StorySide,
    centre_blocks,
    column_of,
    draft_side,
    lexical_similarity,
    reference_side,
    standardise,
    terms,
)
from simcheck.search.references import References
from simcheck.settings import (
    MAX_RARITY,
    STORY_BACKGROUND,
    STORY_CANDIDATES,
    STORY_CAST_MIN_SUPPORT,
    STORY_DEFAULT_TAIL,
    STORY_MAX_BETA,
    STORY_MAX_SHARED,
    STORY_MIN_BACKGROUND,
    STORY_MIN_BETA,
    STORY_NEIGHBOURS,
    STORY_OFFSET,
    STORY_VECTOR_WEIGHT,
    STORY_Z_CAP,
    CompareSettings,
)
from simcheck.text.units import StoryUnit

_SAMPLE_KEY = b"simcheck-story-background"


@dataclass(frozen=True)
class StoryPair:
    """One link of an aligned chain: a draft unit and the reference unit (scene or beat) it tells."""

    unit: StoryUnit  # of the draft
    reference_unit: StoryUnit  # of the reference
    similarity: float  # in [0, 1]: how alike their content is with names masked
    shared: tuple[str, ...]  # the content words both share, most telling first


@dataclass(frozen=True)
class CastPair:
    """A draft character inferred to play a reference character, from the aligned story."""

    draft: str
    reference: str
    support: int  # chain links where both are present
    share: float  # in [0, 1]: support / links where either is present


@dataclass(frozen=True)
class StoryResult:
    """The story finding of one reference script (no level yet: the report gives it)."""

    script_id: int
    rarity: float  # -log10 chance that an unrelated reference aligns this well, for all references tested
    chain: tuple[StoryPair, ...]  # in draft order
    characters: tuple[CastPair, ...]
    units: int  # story units of the draft
    prose: bool  # the draft was cut as prose
    coverage: float  # share of the draft's words in units on the chain
    reference_coverage: float  # share of the reference's words in scenes on the chain
    score: float = 0.0  # the chain's alignment score (z units above the offset, less gaps)
    background: int = 0  # unrelated scripts whose chains made the null (0: the shipped tail was used)


# --- candidates and background ---------------------------------------------------------------------


def story_candidates(draft: StorySide, references: References, exclude: frozenset[int]) -> list[int]:
    """The scripts whose passages lie nearest the draft's unit vectors, best first (see the module)."""
    live = (
        np.flatnonzero(np.linalg.norm(draft.vectors, axis=1) > 0) if draft.vectors.size else np.zeros(0, int)
    )
    if live.size == 0 or references.n_passages == 0:
        return []
    k = min(references.n_passages, STORY_NEIGHBOURS)
    sims, ids = references.search_semantic(draft.vectors[live], k)
    wanted = np.unique(ids[ids >= 0])
    script_of = dict(zip(wanted.tolist(), (p.script_id for p in references.passages(wanted)), strict=True))
    votes: dict[int, float] = {}
    for row in range(ids.shape[0]):
        valid = ids[row] >= 0
        if not valid.any():
            continue
        floor = float(sims[row][valid].min())
        best: dict[int, float] = {}
        for sim, pid in zip(sims[row][valid].tolist(), ids[row][valid].tolist(), strict=True):
            script_id = script_of[pid]
            if script_id not in exclude and sim > best.get(script_id, floor):
                best[script_id] = sim
        for script_id, sim in best.items():
            votes[script_id] = votes.get(script_id, 0.0) + sim - floor
    return [s for s, _v in sorted(votes.items(), key=lambda item: (-item[1], item[0]))]


def background_sample(references: References, skip: set[int], count: int) -> list[int]:
    """``count`` scripts outside ``skip``: those with the smallest keyed hash of their content."""

    def key(sha: str, script_id: int) -> bytes:
        return hashlib.blake2b(f"{sha}:{script_id if not sha else ''}".encode(), key=_SAMPLE_KEY).digest()

    ranked = sorted((key(s.sha256, s.id), s.id) for s in references.scripts() if s.id not in skip)
    return [script_id for _key, script_id in ranked[:count]]


# --- characters -----------------------------------------------------------------------------------


def cast_pairs(links: Sequence[tuple[StoryUnit, StoryUnit]]) -> tuple[CastPair, ...]:
    """Draft character -> reference character from co-presence along the chain.

    Each character has a presence profile over the chain's links (its share of each unit: speech, or
    name mentions in prose); a pair's score is the cosine of the two profiles, so the protagonists
    present in every link pair up, and a minor character pairs with the one present in the same few
    links. (Subtracting the co-presence expected by chance, tried first, cancelled the protagonists:
    on the renamed Hamlet retelling it paired the prince with Claudius.) Pairs present together in at
    least ``STORY_CAST_MIN_SUPPORT`` links are assigned one-to-one, best first. Names are never read."""
    together: dict[tuple[str, str], float] = {}
    draft_norm: dict[str, float] = {}
    reference_norm: dict[str, float] = {}
    support: Counter[tuple[str, str]] = Counter()
    either_d: Counter[str] = Counter()
    either_r: Counter[str] = Counter()
    for unit, ref in links:
        for d, wd in zip(unit.speakers, unit.presence, strict=False):
            draft_norm[d] = draft_norm.get(d, 0.0) + wd * wd
            either_d[d] += 1
            for r, wr in zip(ref.speakers, ref.presence, strict=False):
                together[(d, r)] = together.get((d, r), 0.0) + wd * wr
                support[(d, r)] += 1
        for r, wr in zip(ref.speakers, ref.presence, strict=False):
            reference_norm[r] = reference_norm.get(r, 0.0) + wr * wr
            either_r[r] += 1
    scored = []
    for (d, r), value in together.items():
        if support[(d, r)] >= STORY_CAST_MIN_SUPPORT:
            cosine = value / math.sqrt(draft_norm[d] * reference_norm[r])
            scored.append((cosine, d, r))
    scored.sort(key=lambda item: (-item[0], item[1], item[2]))
    out: list[CastPair] = []
    used_d: set[str] = set()
    used_r: set[str] = set()
    for _cosine, d, r in scored:
        if d in used_d or r in used_r:
            continue
        used_d.add(d)
        used_r.add(r)
        both = support[(d, r)]
        either = either_d[d] + either_r[r] - both
        out.append(CastPair(d, r, both, both / either if either else 0.0))
    out.sort(key=lambda pair: (-pair.support, -pair.share, pair.draft))
    return tuple(out)


# --- the judge -----------------------------------------------------------------------------------


def judge_story(
    probe: Probe,
    references: References,
    cache: ReferenceCache,
    calibration: Calibration,
    settings: CompareSettings,
    also: Iterable[int] = (),
) -> dict[int, StoryResult]:
    """Story findings of ``probe`` by reference script id; ``also``: script ids to consider besides
    the candidates the index proposes (those with lexical or semantic matches)."""
    draft = draft_side(probe)
    if not draft.units:
        return {}
    exclude = probe.exclude_scripts
    known = {s.id for s in references.scripts()}
    ranked = story_candidates(draft, references, exclude)
    candidates = ranked[:STORY_CANDIDATES]
    for script_id in sorted(set(also)):
        if script_id in known and script_id not in exclude and script_id not in candidates:
            candidates.append(script_id)
    if not candidates:
        return {}
    background = background_sample(references, set(exclude), STORY_BACKGROUND)
    scripts = candidates + [s for s in background if s not in set(candidates)]
    sides = [reference_side(cache, s) for s in scripts]
    keep = [k for k, side in enumerate(sides) if side.units]
    scripts = [scripts[k] for k in keep]
    sides = [sides[k] for k in keep]
    if not scripts:
        return {}
    is_background = np.asarray([s in set(background) for s in scripts], dtype=bool)
    scores, segment, columns, idf = similarity_matrix(draft, sides, is_background)
    h, b = align_all(scores, segment)
    best = np.zeros(len(scripts))
    if h.size:
        np.maximum.at(best, segment, h.max(axis=0))
    live = max(1, len(known - set(exclude)))
    out: dict[int, StoryResult] = {}
    for k, script_id in enumerate(scripts):
        if script_id not in candidates or best[k] <= 0:
            continue
        others = is_background.copy()
        others[k] = False  # a script is never part of its own null
        rarity = chain_rarity(float(best[k]), best[others], live)
        lo, hi = columns[k]
        cells = traceback(h, b, scores, lo, hi)
        result = result_of(script_id, rarity, float(best[k]), cells, lo, draft, sides[k], scores, idf)
        measured = int(others.sum())
        out[script_id] = replace(result, background=measured if measured >= STORY_MIN_BACKGROUND else 0)
    return out


def chain_rarity(score: float, null: np.ndarray, live: int) -> float:
    """-log10 of the chance that one of ``live`` unrelated scripts aligns with the draft at least as
    well: the tail of the background's chain scores ``null`` (or the shipped one when too few)."""
    if null.size >= STORY_MIN_BACKGROUND:
        tail = Tail.of(null, STORY_MIN_BETA, STORY_MAX_BETA)
    else:
        tail = default_tail()
    chance = tail.chance(score) * live
    if chance >= 1.0:
        return 0.0
    return MAX_RARITY if chance <= 0 else min(MAX_RARITY, -math.log10(chance))


def default_tail() -> Tail:
    u, share, beta = STORY_DEFAULT_TAIL
    return Tail((u,), STORY_MIN_BETA, u, share, max(beta, STORY_MIN_BETA))


def similarity_matrix(
    draft: StorySide, sides: Sequence[StorySide], is_background: np.ndarray
) -> tuple[np.ndarray, np.ndarray, list[tuple[int, int]], dict[int, float]]:
    """The alignment scores ``min(z, cap) - offset`` (draft units x all reference units), the script
    index of each column and each script's column range."""
    columns: list[tuple[int, int]] = []
    start = 0
    for side in sides:
        columns.append((start, start + len(side.units)))
        start += len(side.units)
    segment = np.concatenate([np.full(len(side.units), k, np.int64) for k, side in enumerate(sides)])
    background_cols = np.flatnonzero(is_background[segment])
    dim = draft.vectors.shape[1]
    ref_vectors = np.concatenate(
        [
            side.vectors if side.vectors.shape[1] == dim else np.zeros((len(side.units), dim), np.float32)
            for side in sides
        ]
    )
    vector_sim = draft.vectors.astype(np.float64) @ ref_vectors.astype(np.float64).T
    lexical_sim, idf = lexical_similarity(terms(draft), [terms(side) for side in sides])
    combined = STORY_VECTOR_WEIGHT * standardise(vector_sim, background_cols) + (
        1.0 - STORY_VECTOR_WEIGHT
    ) * standardise(lexical_sim, background_cols)
    z = centre_blocks(standardise(combined, background_cols), columns)
    return np.minimum(z, STORY_Z_CAP) - STORY_OFFSET, segment, columns, idf


def result_of(
    script_id: int,
    rarity: float,
    score: float,
    cells: list[tuple[int, int]],
    lo: int,
    draft: StorySide,
    side: StorySide,
    scores: np.ndarray,
    idf: dict[int, float],
) -> StoryResult:
    chain: list[StoryPair] = []
    for i, j in cells:
        unit, ref = draft.units[i], side.units[j - lo]
        z = scores[i, j] + STORY_OFFSET
        chain.append(
            StoryPair(
                unit,
                ref,
                float(min(1.0, max(0.0, z / STORY_Z_CAP))),
                shared_words(draft.words.bag(i), side.words.bag(j - lo), draft.words.surface, idf),
            )
        )
    draft_words = sum(u.words for u in draft.units) or 1
    ref_words = sum(u.words for u in side.units) or 1
    covered = {i for i, _ in cells}
    ref_covered = {j - lo for _, j in cells}
    return StoryResult(
        script_id=script_id,
        rarity=rarity,
        chain=tuple(chain),
        characters=cast_pairs([(p.unit, p.reference_unit) for p in chain]),
        units=len(draft.units),
        prose=draft.prose,
        coverage=sum(draft.units[i].words for i in covered) / draft_words,
        reference_coverage=sum(side.units[j].words for j in ref_covered) / ref_words,
        score=score,
    )


def shared_words(
    a: Counter[str], b: Counter[str], surface: dict[str, str], idf: dict[int, float]
) -> tuple[str, ...]:
    """The content words of both bags, rarest among the reference units first (ties: more often)."""
    common = sorted(
        (w for w in a if w in b), key=lambda w: (-idf.get(column_of(w), 0.0), -min(a[w], b[w]), w)
    )
    return tuple(surface.get(w, w) for w in common[:STORY_MAX_SHARED])


__all__ = ["CastPair", "StoryPair", "StoryResult", "judge_story"]
