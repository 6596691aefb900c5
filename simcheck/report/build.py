"""Building the report of one draft from its verified scene pairs: matches, references, the summary.

Per reference script: which scene pairs are matches (their rarity reaches *low*, or they lie on an
unusual same-order chain), the evidence of each match as passages with exact offsets and line numbers,
coverage, sequence, character mapping and level (``simcheck.match.scoring`` defines every number).
Allowlisted evidence is shown as allowed. Each reference's story finding (``simcheck.match.story``,
shown by ``report.story``) joins it: the reference's level is the higher of the two, its coverage the
larger, and a reference whose story is unusually close is listed even without a match. Where a short
stretch of the draft has evidence spread over a much longer stretch of a reference, that evidence is
grouped as a condensation (``report.condense``).

Ordering (deterministic): matches by draft scene, then level (high first), score, reference path
and reference scene; references flagged first, then by level, coverage, score and path; evidence by
draft offset, then reference offset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck.match.allowlist import Allowlist
from simcheck.match.draft import Probe, ReferenceCache, RefScript
from simcheck.match.evidence import PairResult
from simcheck.match.names import SpeechLink, infer_names, renamed
from simcheck.match.rarity import Calibration
from simcheck.match.scoring import ChainLink, best_chain, chain_rarity, sequence_share
from simcheck.match.story import StoryResult
from simcheck.report.condense import condensations, find_echoes
from simcheck.report.coords import Coordinates
from simcheck.report.model import (
    NO_LEVEL,
    CalibrationInfo,
    DraftInfo,
    IndexInfo,
    Match,
    Overall,
    ReferenceResult,
    Report,
    SceneInfo,
)
from simcheck.report.pieces import match_evidence
from simcheck.report.story import story_finding, with_story
from simcheck.search.references import References
from simcheck.settings import CHAIN_MIN_RARITY, STORY_SUMMARY_SHOWN, CompareSettings, level_rank
from simcheck.version import __version__


@dataclass(frozen=True)
class Source:
    """Where the references came from, for the report's ``index`` section."""

    path: str | None
    kind: str  # "index" | "pairwise"
    manifest_sha256: str | None = None
    root: str | None = None  # the folder given to --against (see report.paths); None: from the index
    skipped: tuple[str, ...] = ()  # "path: problem" of what the walk skipped (links leading outside)


def build_report(
    probe: Probe,
    results: dict[int, list[PairResult]],
    cache: ReferenceCache,
    calibration: Calibration,
    settings: CompareSettings,
    source: Source,
    tests: int,
    warnings: tuple[str, ...] = (),
    story: Mapping[int, StoryResult] | None = None,
    allowlist: Allowlist | None = None,
) -> Report:
    """The report of ``probe`` from the verified scene pairs of each reference script (``results``) and
    the story results (``story``, by script id; see ``report.story``); ``tests``: how many scene chains
    could have been formed (paid for by ``scoring.chain_rarity``); ``allowlist``: what allows a story."""
    matches: list[Match] = []
    references: list[ReferenceResult] = []
    draft = Coordinates(probe.script, probe.lines)
    # only the chains that reach a level are shown: no other reference script is loaded for them
    stories = {k: s for k, s in (story or {}).items() if s.chain and calibration.level(s.rarity) is not None}
    for script_id in sorted(set(results) | set(stories)):
        ref = cache.get(script_id)
        ref_result = None
        if script_id in results:
            ref_matches, ref_result = _reference(
                probe, ref, results[script_id], calibration, tests, cache, draft
            )
            matches.extend(ref_matches)
        finding = None
        if script_id in stories:
            finding = story_finding(stories[script_id], ref, calibration, draft, allowlist)
        ref_result = with_story(ref_result, finding, ref)
        if ref_result is not None:
            references.append(ref_result)
    matches.sort(
        key=lambda m: (
            m.draft_scene,
            -level_rank(m.level),
            -round(m.score, 4),
            m.reference,
            m.reference_scene,
        )
    )
    references.sort(
        key=lambda r: (r.allowed, -level_rank(r.level), -round(r.coverage, 4), -round(r.score, 4), r.path)
    )
    refs = cache.references
    return Report(
        simcheck_version=__version__,
        settings={"index": dataclasses.asdict(refs.settings), "compare": dataclasses.asdict(settings)},
        index=_index_info(refs, source),
        draft=_draft_info(probe, draft),
        references=tuple(references),
        matches=tuple(matches),
        overall=_overall(probe, matches, references),
        calibration=CalibrationInfo(
            calibration.source, calibration.scene_samples, *calibration.thresholds, calibration.note
        ),
        warnings=warnings,
    )


def _index_info(references: References, source: Source) -> IndexInfo:
    scripts = references.scripts()
    return IndexInfo(
        path=source.path,
        kind=source.kind,
        model=references.model_name,
        scripts=len(scripts),
        scenes=sum(s.scenes for s in scripts),
        passages=references.n_passages,
        manifest_sha256=source.manifest_sha256,
    )


# --- per reference ----------------------------------------------------------------------------


def _reference(
    probe: Probe,
    ref: RefScript,
    results: list[PairResult],
    calibration: Calibration,
    tests: int,
    cache: ReferenceCache,
    draft: Coordinates,
) -> tuple[list[Match], ReferenceResult | None]:
    links = [
        ChainLink(r.draft_scene, r.reference_scene, r.rarity) for r in results if r.rarity >= CHAIN_MIN_RARITY
    ]
    chain = best_chain(links)
    chain_value = chain_rarity([link.weight for link in chain], tests) if len(chain) >= 2 else 0.0
    chain_level = calibration.level(chain_value) if len(chain) >= 2 else None
    on_chain = {(link.draft_scene, link.reference_scene) for link in chain} if chain_level else set()

    chosen: list[tuple[PairResult, Match]] = []
    coords = (draft, Coordinates(ref.script, ref.lines))
    for result in results:
        level = calibration.level(result.rarity)
        if level is None and (result.draft_scene, result.reference_scene) in on_chain:
            level = "low"
        allowed = False
        score, rarity = result.score, result.rarity
        if level is None and result.allowed_score is not None:
            level = calibration.level(result.allowed_rarity)
            allowed = level is not None
            score, rarity = result.allowed_score, result.allowed_rarity
        if level is not None:
            chosen.append((result, _match(probe, ref, cache, result, level, allowed, score, rarity, coords)))
    if not chosen:
        return [], None
    matches = [match for _, match in chosen]
    flagged = [m for m in matches if not m.allowed]
    counted = flagged or matches  # a flagged reference is measured on its flagged matches only
    level = max((m.level for m in counted), key=level_rank)
    if chain_level and flagged and level_rank(chain_level) > level_rank(level):
        level = chain_level
    draft_cover = np.zeros(len(probe.words), dtype=np.float64)
    ref_cover: dict[int, np.ndarray] = {}
    name_links: list[SpeechLink] = []
    for result, match in chosen:
        if match.allowed and flagged:
            continue
        d0, d1 = probe.words.scene_range(result.draft_scene)
        draft_strength, ref_strength = _strengths(result, include_allowed=match.allowed)
        np.maximum(draft_cover[d0:d1], draft_strength, out=draft_cover[d0:d1])
        scene_cover = ref_cover.setdefault(result.reference_scene, np.zeros_like(ref_strength))
        if scene_cover.shape == ref_strength.shape:
            np.maximum(scene_cover, ref_strength, out=scene_cover)
        elif ref_strength.sum() > scene_cover.sum():  # aligned and unaligned measures of one scene
            ref_cover[result.reference_scene] = ref_strength.copy()
        name_links.extend(result.links)
    coverage = float(draft_cover.mean()) if draft_cover.size else 0.0
    total = cache.total_words(ref.id)
    reference_coverage = sum(float(c.sum()) for c in ref_cover.values()) / total if total else 0.0
    matched_scenes = len({m.draft_scene for m in counted})
    counted_pairs = {(m.draft_scene, m.reference_scene) for m in counted}
    chain_matched = [link for link in chain if (link.draft_scene, link.reference_scene) in counted_pairs]
    allowed_by = sorted({m.allowed_by for m in matches if m.allowed_by})
    return matches, ReferenceResult(
        path=ref.path,
        title=ref.title,
        score=max(coverage, reference_coverage),
        level=level,
        scenes_matched=matched_scenes,
        coverage=coverage,
        sequence=sequence_share(chain_matched, matched_scenes),
        scenes=len(ref.script.scenes),
        reference_coverage=reference_coverage,
        sequence_scenes=len(chain_matched) if len(chain_matched) >= 2 else 0,
        allowed=not flagged,
        allowed_by="; ".join(allowed_by) if allowed_by and not flagged else None,
        names=renamed(infer_names(name_links)),  # PRUDHOE -> PRUDHOE says nothing: renamings only
        condensed=condensations(
            matches, *coords, find_echoes(probe, cache.references, ref.id, matches, calibration.semantic)
        ),
    )


def _strengths(result: PairResult, include_allowed: bool) -> tuple[np.ndarray, np.ndarray]:
    if include_allowed:
        return result.draft_strength_all, result.reference_strength_all
    return result.draft_strength, result.reference_strength


def _match(
    probe: Probe,
    ref: RefScript,
    cache: ReferenceCache,
    result: PairResult,
    level: str,
    allowed: bool,
    score: Any,
    rarity: float,
    coords: tuple[Coordinates, Coordinates],
) -> Match:
    draft_scene = probe.script.scenes[result.draft_scene - 1]
    ref_scene = ref.script.scenes[result.reference_scene - 1]
    words = cache.scene_words(ref.id, result.reference_scene) if result.lexical else None
    evidence = match_evidence(probe, words, result, *coords)
    allowed_by = None
    if allowed:
        entries = sorted({e.allowed_by for e in evidence if e.allowed_by})
        allowed_by = "; ".join(entries) if entries else None
    names = renamed(infer_names(result.links))
    return Match(
        draft_scene=result.draft_scene,
        reference=ref.path,
        reference_scene=result.reference_scene,
        score=score.score,
        level=level,
        lexical=score.lexical,
        semantic=score.semantic,
        names=names,
        evidence=evidence,
        allowed=allowed,
        allowed_by=allowed_by,
        draft_scene_heading=draft_scene.heading,
        reference_scene_heading=ref_scene.heading,
        reference_title=ref.title,
        reference_line=ref_scene.line,
        reference_page=coords[1].scene_page(result.reference_scene),
        rarity=rarity,
        evidence_words=score.evidence_words,
    )


# --- report pieces ----------------------------------------------------------------------------


def _draft_info(probe: Probe, coords: Coordinates) -> DraftInfo:
    script = probe.script
    bounds = probe.words.scene_bounds
    scenes = tuple(
        SceneInfo(
            number=scene.number,
            heading=scene.heading,
            start=scene.start,
            end=scene.end,
            line=scene.line,
            words=int(bounds[scene.number] - bounds[scene.number - 1]),
            page=coords.scene_page(scene.number),
            scene_number=scene.scene_number,
        )
        for scene in script.scenes
    )
    return DraftInfo(
        path=script.path,
        sha256=script.sha256,
        title=script.title,
        format=script.format,
        words=len(probe.words),
        scenes=scenes,
    )


def _overall(probe: Probe, matches: Sequence[Match], references: Sequence[ReferenceResult]) -> Overall:
    flagged = [m for m in matches if not m.allowed]
    flagged_refs = [r for r in references if not r.allowed]
    stories = [r for r in flagged_refs if r.story is not None and not r.story.allowed]
    level = max((r.level for r in flagged_refs), key=level_rank, default=NO_LEVEL)
    n_scenes = len(probe.script.scenes)
    ending = " This is evidence for a reader to judge, not a finding of copying."
    if not flagged and not stories:
        summary = f"No scene of the draft is unusually close to the references ({n_scenes} scenes checked)."
        if matches:
            summary += f" {len(matches)} allowed match{'es' if len(matches) != 1 else ''} shown separately."
    elif not flagged:
        summary = (
            f"No scene of the draft shares unusual wording with the references ({n_scenes} scenes checked), "
            f"but its story is unusually close to that of {_count(len(stories), 'reference')}; "
            f"highest level: {level}." + _story_sentences(stories) + ending
        )
    else:
        scenes = len({m.draft_scene for m in flagged})
        top = flagged_refs[0]
        summary = (
            f"{scenes} of {n_scenes} draft scenes have evidence of closeness to {len(flagged_refs)} "
            f"reference{'s' if len(flagged_refs) != 1 else ''}; highest level: {level}. "
            f"Closest: {_name(top)}, covering {top.coverage:.0%} of the draft"
            + (f", {top.sequence_scenes} scenes in the same order" if top.sequence_scenes >= 2 else "")
            + "."
            + _story_sentences(stories)
            + ending
        )
    return Overall(
        level=level,
        matches=len(matches),
        flagged=len(flagged),
        allowed=len(matches) - len(flagged),
        references=len(flagged_refs),
        summary=summary,
        stories=len(stories),
    )


def _story_sentences(references: Sequence[ReferenceResult]) -> str:
    """`` The story of “X”: 12 draft units follow 10 of its scenes in order (medium).`` per reference, in
    the references' order, the first ``STORY_SUMMARY_SHOWN``; the rest counted."""
    out = ""
    for ref in references[:STORY_SUMMARY_SHOWN]:
        story = ref.story
        assert story is not None
        units, scenes = story.draft_units, story.reference_scenes
        out += (
            f" The story of \u201c{_name(ref)}\u201d: {_count(units, 'draft unit')} "
            f"follow{'s' if units == 1 else ''} {scenes} of its scenes in order ({story.level})."
        )
    rest = len(references) - STORY_SUMMARY_SHOWN
    if rest > 0:
        out += f" The story of {_count(rest, 'more reference')} too."
    return out


def _name(ref: ReferenceResult) -> str:
    return ref.title or Path(ref.path).name


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"
