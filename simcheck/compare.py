"""Compare drafts with references, scene by scene, and back every match with evidence.

``compare(draft, index=...)`` or ``compare(draft, against=[...])`` returns a ``Report``;
``Comparer`` does the same for several drafts sharing one loaded model, one set of references and
one calibration. The steps (each in its own module):

1. read the draft, cut it into passages (``passages.make_passages``), embed them (one batch for all
   drafts of a run) and compute their MinHash signatures (``probe.draft_probe``);
2. candidate scene pairs from the LSH and the FAISS index (``candidates.find_candidates``);
3. verification: token alignment and passage-embedding comparison per candidate
   (``verify.verify_script``), scores and rarity (``scoring``, ``calibration``);
4. matches: scene pairs whose rarity reaches *low*, plus scene pairs on an unusual same-order chain
   (``scoring.best_chain``); allowlisted evidence is shown as allowed (``allowlist``);
5. per reference: coverage, sequence, character mapping (``names``), level.

Ordering (deterministic): matches by draft scene, then level (high first), score, reference path
and reference scene; references flagged first, then by level, coverage, score and path; evidence by
draft offset, then reference offset.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from simcheck import __version__
from simcheck.calibration.load import Calibration, load_calibration
from simcheck.embed.embedder import Embedder
from simcheck.errors import IndexMismatch, UsageError
from simcheck.match.allowlist import Allowlist
from simcheck.match.candidates import find_candidates
from simcheck.match.draft import Probe, ReferenceCache, RefScript, draft_probe
from simcheck.match.evidence import (
    PairResult,
    VerifyOptions,
    lexical_offsets,
    small_matrix_mode,
    verify_script,
)
from simcheck.match.names import SpeechLink, infer_names
from simcheck.match.scoring import (
    CHAIN_MIN_RARITY,
    ChainLink,
    best_chain,
    chain_rarity,
    sequence_share,
    strengths,
)
from simcheck.model import Script
from simcheck.report.model import (
    NO_LEVEL,
    CalibrationInfo,
    DraftInfo,
    Evidence,
    IndexInfo,
    Location,
    Match,
    Overall,
    ReferenceResult,
    Report,
    SceneInfo,
    level_rank,
)
from simcheck.search.references import References
from simcheck.settings import LEVELS, CompareSettings, IndexSettings
from simcheck.text.words import SceneWords

COVERED_BY_LEXICAL = 0.2  # a semantic passage this much covered by lexical evidence is not listed again


@dataclass(frozen=True)
class Source:
    """Where the references came from, for the report's ``index`` section."""

    path: str | None
    kind: str  # "index" | "pairwise"
    manifest_sha256: str | None = None


class Comparer:
    """Compares drafts with one set of references; reuse it for several drafts."""

    def __init__(
        self,
        references: References,
        embedder: Embedder,
        settings: CompareSettings | None = None,
        source: Source | None = None,
        allowlist: Allowlist | None = None,
    ) -> None:
        if embedder.name != references.model_name:
            raise IndexMismatch(
                f"the references were embedded with {references.model_name}, not {embedder.name}: "
                f"compare with --model {references.model_name} or rebuild the index"
            )
        self.references = references
        self.embedder = embedder
        settings = settings or CompareSettings()
        self.settings = settings
        self.source = source or Source(None, "pairwise")
        if allowlist is None:
            allowlist = Allowlist.build(settings.allow, settings.allowlist_files)
        self.allowlist = allowlist
        self.cache = ReferenceCache(references)
        self._calibration: Calibration | None = None

    @property
    def calibration(self) -> Calibration:
        if self._calibration is None:
            self._calibration = load_calibration(self.references, self.settings)
        return self._calibration

    def compare_scripts(self, scripts: Sequence[Script]) -> list[Report]:
        """Reports for already-read drafts; all their passages are embedded in one batch."""
        from simcheck.text.passages import make_passages

        passages = [make_passages(script, self.references.settings) for script in scripts]
        texts = [p.text for group in passages for p in group]
        vectors = self.embedder.embed(texts) if texts else np.zeros((0, self.embedder.dimension), np.float32)
        reports: list[Report] = []
        offset = 0
        for script, group in zip(scripts, passages, strict=True):
            itself = [r for r in self.references.scripts() if script.sha256 and r.sha256 == script.sha256]
            warnings = tuple(f"{r.path} is the draft itself (same content): not compared" for r in itself)
            exclude = frozenset(r.id for r in itself)
            probe = draft_probe(
                script, group, vectors[offset : offset + len(group)], self.references, exclude
            )
            offset += len(group)
            reports.append(self.compare_probe(probe, warnings))
        return reports

    def compare_probe(self, probe: Probe, warnings: tuple[str, ...] = ()) -> Report:
        calibration = self.calibration
        settings = self.settings
        candidates = find_candidates(
            probe, self.references, calibration, settings.semantic_neighbours, settings.max_pairs_per_scene
        )
        options = VerifyOptions(settings.min_verbatim_tokens, settings.min_fuzzy_tokens)
        results: dict[int, list[PairResult]] = {}
        with small_matrix_mode():
            found_all = {
                script_id: verify_script(
                    probe, self.cache, script_id, pairs, calibration, options, self.allowlist or None
                )
                for script_id, pairs in candidates.items()
            }
        for script_id, found in found_all.items():
            if found:
                results[script_id] = found
        tests = max(1, len(candidates)) * max(1, len(probe.script.scenes))
        matches: list[Match] = []
        references: list[ReferenceResult] = []
        for script_id in sorted(results):
            ref = self.cache.get(script_id)
            ref_matches, ref_result = _reference(
                probe, ref, results[script_id], calibration, tests, self.cache
            )
            matches.extend(ref_matches)
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
        return Report(
            simcheck_version=__version__,
            settings={
                "index": dataclasses.asdict(self.references.settings),
                "compare": dataclasses.asdict(settings),
            },
            index=self._index_info(),
            draft=_draft_info(probe),
            references=tuple(references),
            matches=tuple(matches),
            overall=_overall(probe, matches, references),
            calibration=CalibrationInfo(
                source=calibration.source,
                samples=calibration.scene_samples,
                low=calibration.low,
                medium=calibration.medium,
                high=calibration.high,
                note=calibration.note,
            ),
            warnings=warnings,
        )

    def _index_info(self) -> IndexInfo:
        scripts = self.references.scripts()
        return IndexInfo(
            path=self.source.path,
            kind=self.source.kind,
            model=self.references.model_name,
            scripts=len(scripts),
            scenes=sum(s.scenes for s in scripts),
            passages=self.references.n_passages,
            manifest_sha256=self.source.manifest_sha256,
        )


# --- per reference ----------------------------------------------------------------------------


def _reference(
    probe: Probe,
    ref: RefScript,
    results: list[PairResult],
    calibration: Calibration,
    tests: int,
    cache: ReferenceCache,
) -> tuple[list[Match], ReferenceResult | None]:
    links = [
        ChainLink(r.draft_scene, r.reference_scene, r.rarity) for r in results if r.rarity >= CHAIN_MIN_RARITY
    ]
    chain = best_chain(links)
    chain_value = chain_rarity([link.weight for link in chain], tests) if len(chain) >= 2 else 0.0
    chain_level = calibration.level(chain_value) if len(chain) >= 2 else None
    on_chain = {(link.draft_scene, link.reference_scene) for link in chain} if chain_level else set()

    chosen: list[tuple[PairResult, Match]] = []
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
            chosen.append((result, _match(probe, ref, cache, result, level, allowed, score, rarity)))
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
        names=infer_names(name_links),
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
) -> Match:
    draft_scene = probe.script.scenes[result.draft_scene - 1]
    ref_scene = ref.script.scenes[result.reference_scene - 1]
    words = cache.scene_words(ref.id, result.reference_scene) if result.lexical else None
    evidence = _evidence(probe, ref, words, result)
    allowed_by = None
    if allowed:
        entries = sorted({e.allowed_by for e in evidence if e.allowed_by})
        allowed_by = "; ".join(entries) if entries else None
    names = infer_names(result.links)
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
        rarity=rarity,
        evidence_words=score.evidence_words,
    )


def _evidence(
    probe: Probe, ref: RefScript, words: SceneWords | None, result: PairResult
) -> tuple[Evidence, ...]:
    out: list[Evidence] = []
    d0, d1 = probe.words.scene_range(result.draft_scene)
    lexical_cover = strengths(d1 - d0, ((p.a0, p.a1, 1.0) for p in result.lexical))
    for piece in result.lexical:
        assert words is not None
        ds, de, rs, re_ = lexical_offsets(probe, d0, words, piece)
        out.append(
            Evidence(
                kind=piece.kind,
                similarity=piece.similarity,
                draft=Location(ds, de, probe.lines.line(ds)),
                reference=Location(rs, re_, ref.lines.line(rs)),
                draft_text=probe.script.text[ds:de],
                reference_text=ref.script.text[rs:re_],
                strength=piece.similarity,
                words=piece.a1 - piece.a0,
                draft_speaker=probe.words.speakers.get(int(probe.words.units[d0 + piece.a0])),
                reference_speaker=words.speakers.get(int(words.units[piece.b0])),
                allowed_by=piece.allowed_by,
            )
        )
    for sem in result.semantic:
        covered = float(lexical_cover[sem.a0 : sem.a1].mean()) if sem.a1 > sem.a0 else 0.0
        if covered >= COVERED_BY_LEXICAL:
            continue
        draft = probe.passages[sem.draft_passage]
        other = sem.reference_passage
        out.append(
            Evidence(
                kind="semantic",
                similarity=sem.cosine,
                draft=Location(draft.start, draft.end, probe.lines.line(draft.start)),
                reference=Location(other.start, other.end, ref.lines.line(other.start)),
                draft_text=probe.script.text[draft.start : draft.end],
                reference_text=ref.script.text[other.start : other.end],
                strength=sem.strength,
                words=sem.a1 - sem.a0,
                draft_speaker=draft.speaker,
                reference_speaker=other.speaker,
                allowed_by=sem.allowed_by,
            )
        )
    out.sort(key=lambda e: (e.draft.start, e.reference.start, e.kind, e.draft.end, e.reference.end))
    return tuple(out)


# --- report pieces ----------------------------------------------------------------------------


def _draft_info(probe: Probe) -> DraftInfo:
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
    level = max((r.level for r in flagged_refs), key=level_rank, default=NO_LEVEL)
    n_scenes = len(probe.script.scenes)
    if not flagged:
        summary = f"No scene of the draft is unusually close to the references ({n_scenes} scenes checked)."
        if matches:
            summary += f" {len(matches)} allowed match{'es' if len(matches) != 1 else ''} shown separately."
    else:
        scenes = len({m.draft_scene for m in flagged})
        top = flagged_refs[0]
        name = top.title or Path(top.path).name
        summary = (
            f"{scenes} of {n_scenes} draft scenes have evidence of closeness to {len(flagged_refs)} "
            f"reference{'s' if len(flagged_refs) != 1 else ''}; highest level: {level}. "
            f"Closest: {name}, covering {top.coverage:.0%} of the draft's words"
            + (f", {top.sequence_scenes} scenes in the same order" if top.sequence_scenes >= 2 else "")
            + ". This is evidence for a reader to judge, not a finding of copying."
        )
    return Overall(
        level=level,
        matches=len(matches),
        flagged=len(flagged),
        allowed=len(matches) - len(flagged),
        references=len(flagged_refs),
        summary=summary,
    )


# --- entry points -----------------------------------------------------------------------------


def open_references(
    index: str | Path | References | None,
    against: Sequence[str | Path],
    embedder: Embedder | None,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[References, Embedder, Source]:
    """The references (an index, or the ``against`` scripts in memory) and a matching embedder."""
    from simcheck.embed.embedder import load_embedder

    if against:
        if index is not None:
            raise UsageError("give either an index or scripts to compare against (--against), not both")
        from simcheck.search.memory import MemoryReferences

        scripts = [read_draft(path) for path in expand_paths(against)]
        embedder = embedder or load_embedder(IndexSettings().model)
        references: References = MemoryReferences.build(scripts, IndexSettings(), embedder, progress=progress)
        return references, embedder, Source(None, "pairwise")
    if index is not None and not isinstance(index, str | Path):
        references = index
        path = getattr(references, "path", None)
    else:
        from simcheck.index.store import Index
        from simcheck.settings import default_index_dir

        location = Path(index) if index is not None else default_index_dir()
        references = Index.open(location, embedder=embedder)
        path = location
    embedder = embedder or load_embedder(references.model_name)
    manifest = getattr(references, "manifest_sha256", None)
    if callable(manifest):
        manifest = manifest()
    return references, embedder, Source(str(path) if path is not None else None, "index", manifest)


def expand_paths(paths: Sequence[str | Path]) -> list[str]:
    """Files as given, and the supported script files inside folders (sorted, recursive)."""
    from simcheck.errors import InputError
    from simcheck.read import SUPPORTED_EXTENSIONS

    out: list[str] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                str(p) for p in path.rglob("*") if p.is_file() and p.suffix.lower() in SUPPORTED_EXTENSIONS
            )
            if not found:
                raise InputError(path, "no script files in this folder")
            out.extend(found)
        else:
            out.append(str(raw))
    return out


def read_draft(path: str) -> Script:
    """A draft or reference script read from ``path`` (``formats.read_script``)."""
    from simcheck.read import read_script

    return read_script(path)


def compare_many(
    draft_paths: Sequence[str | Path],
    *,
    index: str | Path | References | None = None,
    against: Sequence[str | Path] = (),
    settings: CompareSettings | None = None,
    embedder: Embedder | None = None,
) -> list[Report]:
    """Reports for several drafts, sharing the model, the references and the calibration."""
    scripts = [read_draft(str(path)) for path in draft_paths]
    references, embedder, source = open_references(index, against, embedder)
    comparer = Comparer(references, embedder, settings, source)
    return comparer.compare_scripts(scripts)


def compare(
    draft_path: str | Path,
    *,
    index: str | Path | References | None = None,
    against: Sequence[str | Path] = (),
    settings: CompareSettings | None = None,
    embedder: Embedder | None = None,
) -> Report:
    """Compare one draft with an index (default: ``settings.default_index_dir()``) or with scripts."""
    return compare_many([draft_path], index=index, against=against, settings=settings, embedder=embedder)[0]


__all__ = [
    "LEVELS",
    "Comparer",
    "Source",
    "compare",
    "compare_many",
    "expand_paths",
    "open_references",
    "read_draft",
]
