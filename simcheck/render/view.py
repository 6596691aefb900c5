"""Read a compare report (the JSON dict) tolerantly into what both renderers show.

The renderers never compute scores: this module only reads the report's numbers, sorts and groups
them, counts scenes and words of evidence text, and words the overall finding in plain language.
Unknown extra fields are ignored; missing optional fields become ``None`` or empty. Story findings
(schema 2, ``references[].story``) are read by ``render.story``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from simcheck.render.condensed import CondensedView, condensed_phrase, read_condensed
from simcheck.render.fields import as_count, as_dict, as_float, as_int, as_list, as_str, level_of
from simcheck.render.passages import EvidenceView, NameView, read_evidence, read_names
from simcheck.render.story import StoryView, read_story
from simcheck.render.wording import plural, scene_list
from simcheck.settings import LEVELS, level_rank

KINDS = ("verbatim", "fuzzy", "semantic")
LEXICAL_KINDS = frozenset({"verbatim", "fuzzy"})
FINDINGS_SHOWN = 5  # per-reference sentences in the summary; the rest are counted
WHAT_IS_SHARED = {  # (lexical evidence, semantic evidence) -> what a reference's matches share, in words
    (True, True): "unusual wording and similar content",
    (True, False): "unusual wording",
    (False, True): "similar content in different words",
    (False, False): "unusual closeness",
}


@dataclass(frozen=True)
class MatchView:
    id: str
    draft_scene: int
    draft_heading: str | None
    draft_line: int | None
    reference: str
    reference_title: str
    reference_id: str
    reference_scene: int | None
    reference_heading: str | None
    score: float | None
    level: str
    lexical: float | None
    semantic: float | None
    names: tuple[NameView, ...]
    evidence: tuple[EvidenceView, ...]
    allowed: bool
    allowed_by: str | None = None
    rarity: float | None = None
    reference_line: int | None = None
    draft_page: int | None = None  # PDF drafts: page where the draft scene starts
    reference_page: int | None = None

    @property
    def kinds(self) -> tuple[str, ...]:
        """Evidence kinds present, in the fixed order verbatim, fuzzy, semantic (then unknown ones)."""
        present = {ev.kind for ev in self.evidence}
        return tuple(k for k in KINDS if k in present) + tuple(sorted(present - set(KINDS)))


@dataclass(frozen=True)
class ReferenceView:
    id: str
    path: str
    title: str
    score: float | None
    level: str
    scenes_matched: int | None
    coverage: float | None
    sequence: Any
    allowed: bool
    scene_count: int | None
    names: tuple[NameView, ...]
    sequence_scenes: int | None = None
    allowed_by: str | None = None
    story: StoryView | None = None
    condensed: tuple[CondensedView, ...] = ()

    @property
    def flagged_story(self) -> StoryView | None:
        """Its story finding when that is flagged (not allowed)."""
        return self.story if self.story is not None and not self.story.allowed else None


@dataclass(frozen=True)
class SceneView:
    number: int
    heading: str | None
    line: int | None
    page: int | None = None


@dataclass(frozen=True)
class ReportView:
    title: str
    draft_path: str
    draft_sha256: str
    generated_at: str | None
    simcheck_version: str
    schema_version: str
    index: Mapping[str, Any]
    model: str | None
    settings: Mapping[str, Any]
    scenes: tuple[SceneView, ...]
    references: tuple[ReferenceView, ...]  # not allowed, ranked by coverage
    allowed_references: tuple[ReferenceView, ...]
    matches: tuple[MatchView, ...]  # flagged (not allowed), by draft scene then score
    allowed_matches: tuple[MatchView, ...]
    findings: tuple[str, ...]
    headline: str
    top_level: str | None  # strongest level among flagged matches and references
    warnings: tuple[str, ...] = ()
    calibration: Mapping[str, Any] = field(default_factory=dict)
    draft_words: int | None = None

    @property
    def pairwise(self) -> bool:
        """Compared directly with scripts (``--against``) rather than with an on-disk index."""
        return self.index.get("kind") == "pairwise" or (bool(self.index) and not self.index.get("path"))

    @property
    def scene_count(self) -> int:
        return len(self.scenes)

    @property
    def calibration_samples(self) -> int | None:
        """How many unrelated scenes the levels were measured on (odds are never stated beyond it)."""
        samples = as_int(self.calibration.get("samples"))
        return samples if samples is not None and samples > 0 else None

    def basis(self, ref: ReferenceView) -> str:
        """What a reference's level rests on, in words: its strongest match and that match's evidence
        (``draft scene 10 ↔ scene 3: 67 words verbatim``), how many scenes matched, and the same-order
        chain when that is what raised the level."""
        own = [m for m in (self.allowed_matches if ref.allowed else self.matches) if m.reference == ref.path]
        story = ref.story if ref.story is not None and (ref.allowed or not ref.story.allowed) else None
        told = f"the story: {story.follows()}" if story is not None else ""
        if not own:
            return told
        top = max(own, key=lambda m: (level_rank(m.level), m.rarity or 0.0, m.score or 0.0, -m.draft_scene))
        text = f"draft scene {top.draft_scene} ↔ scene {top.reference_scene or '?'}"
        shared = evidence_words(top)
        if shared:
            text += f": {shared}"
        scenes = len({m.draft_scene for m in own})
        if scenes > 1:
            text = f"{scenes} scenes; strongest {text}"
        story_level = level_rank(story.level) if story is not None else 0
        if ref.sequence_scenes and level_rank(ref.level) > max(level_rank(top.level), story_level):
            text += f"; {ref.sequence_scenes} scenes in the same order"
        text += condensed_phrase(ref.condensed)
        return f"{text}; {told}" if told else text

    def finding_lines(self, limit: int = FINDINGS_SHOWN) -> list[str]:
        """The first ``limit`` per-reference findings, and one line that counts the rest."""
        lines = list(self.findings[:limit])
        rest = len(self.findings) - limit
        if rest > 0:
            lines.append(
                f"\u2026and {plural(rest, 'more reference script')} with flagged matches (see References)."
            )
        return lines

    def reference(self, path: str) -> ReferenceView | None:
        for ref in self.references + self.allowed_references:
            if ref.path == path:
                return ref
        return None

    def flagged_references(self) -> tuple[ReferenceView, ...]:
        """References with at least one flagged match or a flagged story finding, in ranking order."""
        paths = {m.reference for m in self.matches}
        return tuple(r for r in self.references if r.path in paths or r.flagged_story is not None)

    def story_references(self) -> tuple[ReferenceView, ...]:
        """References with a story finding: flagged ones in ranking order, then allowed ones."""
        flagged = tuple(r for r in self.references if r.flagged_story is not None)
        allowed = tuple(r for r in self.references + self.allowed_references if r.story and r.story.allowed)
        return flagged + allowed

    def matches_by_scene(self) -> list[tuple[SceneView, list[MatchView]]]:
        scenes = {s.number: s for s in self.scenes}
        groups: dict[int, list[MatchView]] = {}
        for match in self.matches:
            groups.setdefault(match.draft_scene, []).append(match)
        return [(scenes.get(n, SceneView(n, None, None)), groups[n]) for n in sorted(groups)]

    def strongest_by_scene(self) -> dict[int, MatchView]:
        """The highest-level, then highest-scoring flagged match of each draft scene."""
        best: dict[int, MatchView] = {}
        for match in self.matches:
            current = best.get(match.draft_scene)
            if current is None or _strength(match) > _strength(current):
                best[match.draft_scene] = match
        return best


def evidence_words(match: MatchView) -> str:
    """The draft words in a match's evidence, by kind: ``362 words fuzzy, 10 semantic``."""
    counts: dict[str, int] = {}
    passages: dict[str, int] = {}
    for ev in match.evidence:
        if ev.allowed_by and not match.allowed:
            continue
        counts[ev.kind] = counts.get(ev.kind, 0) + (ev.words or 0)
        passages[ev.kind] = passages.get(ev.kind, 0) + 1
    parts: list[str] = []
    for kind in [k for k in KINDS if k in passages] + sorted(set(passages) - set(KINDS)):
        if counts[kind]:
            parts.append(f"{counts[kind]:,} {kind}" if parts else f"{plural(counts[kind], 'word')} {kind}")
        else:
            parts.append(f"{plural(passages[kind], 'passage')} {kind}")
    return ", ".join(parts)


def _strength(match: MatchView) -> tuple[int, float]:
    return (level_rank(match.level), match.score if match.score is not None else -1.0)


def _sort_key_reference(ref: ReferenceView) -> tuple[bool, float, float, str]:
    """Allowed references last; then by coverage of the draft, score, and path."""
    coverage = ref.coverage if ref.coverage is not None else -1.0
    score = ref.score if ref.score is not None else -1.0
    return (ref.allowed, -coverage, -score, ref.path)


def build_view(report: Mapping[str, Any]) -> ReportView:
    """Everything the renderers show, read from a compare report dict."""
    draft = as_dict(report.get("draft"))
    index = as_dict(report.get("index"))
    settings = as_dict(report.get("settings"))

    scenes: dict[int, SceneView] = {}
    for item in as_list(draft.get("scenes")):
        scene = as_dict(item)
        number = as_int(scene.get("number"))
        if number is not None and number not in scenes:
            scenes[number] = SceneView(
                number, as_str(scene.get("heading")), as_int(scene.get("line")), as_int(scene.get("page"))
            )

    raw_matches = [as_dict(m) for m in as_list(report.get("matches"))]
    raw_references = [as_dict(r) for r in as_list(report.get("references"))]

    # References: the report's list, plus any path that only appears in matches.
    refs: dict[str, dict[str, Any]] = {}
    for ref in raw_references:
        path = as_str(ref.get("path"))
        if path is not None and path not in refs:
            refs[path] = ref
    for match in raw_matches:
        path = as_str(match.get("reference"))
        if path is not None and path not in refs:
            refs[path] = {"path": path}

    allowed_paths = {path for path, ref in refs.items() if ref.get("allowed") is True}
    max_ref_scene: dict[str, int] = {}
    for match in raw_matches:
        path = as_str(match.get("reference")) or ""
        number = as_int(match.get("reference_scene"))
        if number is not None:
            max_ref_scene[path] = max(max_ref_scene.get(path, 0), number)

    ref_views = []
    for path, ref in refs.items():
        ref_views.append(
            ReferenceView(
                id="",
                path=path,
                title=as_str(ref.get("title")) or path,
                score=as_float(ref.get("score")),
                level=level_of(ref.get("level")),
                scenes_matched=as_int(ref.get("scenes_matched")),
                coverage=as_float(ref.get("coverage")),
                sequence=ref.get("sequence"),
                allowed=path in allowed_paths,
                scene_count=(as_count(ref.get("scenes", ref.get("scene_count"))) or max_ref_scene.get(path)),
                names=read_names(ref.get("names")),
                sequence_scenes=as_int(ref.get("sequence_scenes")),
                allowed_by=as_str(ref.get("allowed_by")) or None,
                story=read_story(ref.get("story")),
                condensed=read_condensed(ref.get("condensed")),
            )
        )
    ref_views.sort(key=_sort_key_reference)
    ranked = [replace(r, id=f"r{i}") for i, r in enumerate(ref_views, start=1)]
    by_path = {r.path: r for r in ranked}
    rank_of = {r.path: i for i, r in enumerate(ranked)}

    matches: list[MatchView] = []
    for raw in raw_matches:
        path = as_str(raw.get("reference")) or ""
        ref_view = by_path.get(path)
        number = as_int(raw.get("draft_scene"))
        if number is None:
            continue
        scene_view = scenes.get(number)
        evidence = sorted(
            (read_evidence(e) for e in as_list(raw.get("evidence"))),
            key=lambda e: (e.draft_start if e.draft_start is not None else -1, e.draft_line or 0),
        )
        matches.append(
            MatchView(
                id="",
                draft_scene=number,
                draft_heading=as_str(raw.get("draft_scene_heading"))
                or (scene_view.heading if scene_view else None),
                draft_line=scene_view.line if scene_view else None,
                reference=path,
                reference_title=(
                    ref_view.title if ref_view else (as_str(raw.get("reference_title")) or path)
                ),
                reference_id=ref_view.id if ref_view else "",
                reference_scene=as_int(raw.get("reference_scene")),
                reference_heading=as_str(raw.get("reference_scene_heading")),
                score=as_float(raw.get("score")),
                level=level_of(raw.get("level")),
                lexical=as_float(raw.get("lexical")),
                semantic=as_float(raw.get("semantic")),
                names=read_names(raw.get("names")),
                evidence=tuple(evidence),
                allowed=raw.get("allowed") is True or path in allowed_paths,
                allowed_by=as_str(raw.get("allowed_by")) or None,
                rarity=as_float(raw.get("rarity")),
                reference_line=as_int(raw.get("reference_line")),
                draft_page=scene_view.page if scene_view else None,
                reference_page=as_int(raw.get("reference_page")),
            )
        )
    matches.sort(
        key=lambda m: (
            m.draft_scene,
            -(m.score if m.score is not None else -1.0),
            rank_of.get(m.reference, len(rank_of)),
            m.reference_scene or 0,
        )
    )
    matches = [replace(m, id=f"m{i}") for i, m in enumerate(matches, start=1)]
    flagged = tuple(m for m in matches if not m.allowed)
    allowed = tuple(m for m in matches if m.allowed)

    # Scenes: the draft's list, or as many as the matches name.
    if not scenes:
        top = max((m.draft_scene for m in matches), default=0)
        scenes = {n: SceneView(n, None, None) for n in range(1, top + 1)}
    else:
        for m in matches:
            if m.draft_scene not in scenes:
                scenes[m.draft_scene] = SceneView(m.draft_scene, m.draft_heading, None)

    references = tuple(r for r in ranked if not r.allowed)
    allowed_refs = tuple(r for r in ranked if r.allowed)
    scene_views = tuple(scenes[n] for n in sorted(scenes))
    findings, headline, top_level = _finding(references, flagged, len(scene_views), len(raw_references))

    model = as_str(index.get("model")) or as_str(as_dict(settings.get("index")).get("model"))
    return ReportView(
        title=as_str(draft.get("title")) or as_str(draft.get("path")) or "Untitled draft",
        draft_path=as_str(draft.get("path")) or "",
        draft_sha256=as_str(draft.get("sha256")) or "",
        generated_at=as_str(report.get("generated_at")),
        simcheck_version=as_str(report.get("simcheck_version")) or "unknown",
        schema_version=as_str(report.get("schema_version")) or "unknown",
        index=index,
        model=model,
        settings=settings,
        scenes=scene_views,
        references=references,
        allowed_references=allowed_refs,
        matches=flagged,
        allowed_matches=allowed,
        findings=findings,
        headline=headline,
        top_level=top_level,
        warnings=tuple(as_str(w) or "" for w in as_list(report.get("warnings")) if w),
        calibration=as_dict(report.get("calibration")),
        draft_words=as_int(draft.get("words")),
    )


def _finding(
    references: Sequence[ReferenceView], matches: Sequence[MatchView], scene_total: int, searched: int
) -> tuple[tuple[str, ...], str, str | None]:
    """Plain-words sentences: one per flagged reference (and one per flagged story finding), and a
    headline. Never a verdict."""
    stories = [r for r in references if r.flagged_story is not None]
    if not matches and not stories:
        headline = "No draft scene is unusually close to a reference script."
        return (), headline, None
    findings = []
    top_level = 0
    by_ref: dict[str, list[MatchView]] = {}
    for match in matches:
        by_ref.setdefault(match.reference, []).append(match)
    order = [r.path for r in references if r.path in by_ref]
    order += sorted(set(by_ref) - set(order))
    titles = {r.path: r for r in references}
    for path in order:
        group = by_ref[path]
        ref = titles.get(path)
        numbers = sorted({m.draft_scene for m in group})
        kinds = {ev.kind for m in group for ev in m.evidence}
        lexical = bool(kinds & LEXICAL_KINDS)
        semantic = "semantic" in kinds
        what = WHAT_IS_SHARED[(lexical, semantic)]
        level = max((m.level for m in group), key=level_rank)
        if ref is not None and level_rank(ref.level) > level_rank(level):
            story = ref.flagged_story
            if story is None or level_rank(story.level) < level_rank(ref.level):
                level = ref.level  # raised by the same-order chain of its matches (not by its story)
        top_level = max(top_level, level_rank(level))
        title = ref.title if ref else path
        verb = "shares" if len(numbers) == 1 else "share"
        findings.append(
            f"{plural(len(numbers), 'draft scene')} ({scene_list(numbers)}) {verb} {what} with "
            f"\u201c{title}\u201d ({level or 'unrated'})."
        )
    for ref in stories:
        story = ref.flagged_story
        assert story is not None
        top_level = max(top_level, level_rank(story.level))
        level = story.level or "unrated"
        findings.append(f"The story of \u201c{ref.title}\u201d: {story.follows()} ({level}).")
    if matches:
        scenes = len({m.draft_scene for m in matches})
        of = f" of {scene_total}" if scene_total >= scenes else ""
        verb = "has" if scenes == 1 else "have"
        noun = "scene" if (scene_total if of else scenes) == 1 else "scenes"  # "1 of 11 draft scenes has"
        headline = (
            f"{scenes}{of} draft {noun} {verb} passages unusually close to "
            f"{plural(len(by_ref), 'reference script')}."
        )
        if stories:
            headline += f" The draft also tells the story of {plural(len(stories), 'reference script')}."
    else:
        headline = (
            "No draft scene shares unusual wording with a reference script, but the draft tells the story "
            f"of {plural(len(stories), 'reference script')} in the same order."
        )
    level_name = LEVELS[top_level - 1] if top_level else None
    return tuple(findings), headline, level_name
