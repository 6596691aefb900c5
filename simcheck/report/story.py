"""The story finding of one reference as the report shows it, from ``simcheck.match.story``'s result.

``story_finding`` gives the chain of aligned units a level on the calibration's scale (the chain's
rarity, as for matches; a chain below *low* is not reported), places both sides of every link in the
writer's coordinates (``report.coords``), and keeps the opening lines of each unit for a reader to
compare (``STORY_EXCERPT_LINES``, at most ``STORY_EXCERPT_CHARS``; a prefix of the unit, its scene
heading left out, so line numbers stay true). A story finding is *allowed* when every reference unit on
its chain lies in allowlisted lines (a whole-script entry or ``PATH:FIRST-LAST``; quotes allow wording,
not a story). ``with_story`` folds the finding into the reference's result: level, coverage and score.

Ordering (deterministic): the chain by draft unit, then reference unit; characters by support (most
first), share, then the names.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from simcheck.match.allowlist import Allowlist
from simcheck.match.draft import RefScript
from simcheck.match.rarity import Calibration
from simcheck.match.story import StoryPair, StoryResult
from simcheck.model import SCENE_HEADING, Script
from simcheck.report.coords import Coordinates
from simcheck.report.model import CharacterLink, Location, ReferenceResult, StoryFinding, StoryLink
from simcheck.settings import STORY_EXCERPT_CHARS, STORY_EXCERPT_LINES, level_rank
from simcheck.text.units import StoryUnit


def story_finding(
    result: StoryResult,
    ref: RefScript,
    calibration: Calibration,
    draft: Coordinates,
    allowlist: Allowlist | None = None,
) -> StoryFinding | None:
    """The finding of one reference's story chain, or ``None`` when its rarity does not reach *low*
    (or the chain is empty)."""
    level = calibration.level(result.rarity)
    if level is None or not result.chain:
        return None
    reference = Coordinates(ref.script, ref.lines)
    pairs = sorted(result.chain, key=lambda p: (p.unit.number, p.reference_unit.number))
    chain = tuple(_link(pair, draft, reference) for pair in pairs)
    characters = tuple(
        CharacterLink(c.draft, c.reference, c.support, _unit(c.share))
        for c in sorted(result.characters, key=lambda c: (-c.support, -c.share, c.draft, c.reference))
    )
    allowed_by = _allowed_by(ref, reference, pairs, allowlist)
    coverage, reference_coverage = _unit(result.coverage), _unit(result.reference_coverage)
    return StoryFinding(
        score=max(coverage, reference_coverage),
        level=level,
        rarity=result.rarity,
        coverage=coverage,
        reference_coverage=reference_coverage,
        units=result.units,
        prose=result.prose,
        chain=chain,
        characters=characters,
        allowed=allowed_by is not None,
        allowed_by=allowed_by,
        background=result.background,
    )


@dataclass(frozen=True)
class _Part:
    """What one kind of evidence (the matches, or the story) says of a reference."""

    allowed: bool
    level: str
    coverage: float
    reference_coverage: float
    allowed_by: str | None

    @classmethod
    def of(cls, item: StoryFinding | ReferenceResult) -> _Part:
        return cls(item.allowed, item.level, item.coverage, item.reference_coverage, item.allowed_by)


def with_story(
    result: ReferenceResult | None, finding: StoryFinding | None, ref: RefScript
) -> ReferenceResult | None:
    """The reference's result with its story finding: the level is the higher of the two, coverage the
    larger (each measured on flagged evidence only when either is flagged); a reference with a story
    finding and no match is listed with ``scenes_matched`` 0."""
    if finding is None:
        return result
    parts = [_Part.of(finding)] + ([_Part.of(result)] if result is not None else [])
    counted = [p for p in parts if not p.allowed] or parts
    allowed = all(p.allowed for p in parts)
    coverage = max(p.coverage for p in counted)
    reference_coverage = max(p.reference_coverage for p in counted)
    entries = {e for p in parts for e in (p.allowed_by or "").split("; ") if e}
    base = result or ReferenceResult(
        path=ref.path,
        title=ref.title,
        score=0.0,
        level=finding.level,
        scenes_matched=0,
        coverage=0.0,
        sequence=0.0,
        scenes=len(ref.script.scenes),
    )
    return dataclasses.replace(
        base,
        score=max(coverage, reference_coverage),
        level=max((p.level for p in counted), key=level_rank),
        coverage=coverage,
        reference_coverage=reference_coverage,
        allowed=allowed,
        allowed_by="; ".join(sorted(entries)) if allowed and entries else None,
        story=finding,
    )


def _link(pair: StoryPair, draft: Coordinates, reference: Coordinates) -> StoryLink:
    draft_place, draft_text = _place(draft, pair.unit)
    ref_place, ref_text = _place(reference, pair.reference_unit)
    return StoryLink(
        draft_scene=pair.unit.scene,
        draft_unit=pair.unit.number,
        reference_scene=pair.reference_unit.scene,
        reference_unit=pair.reference_unit.number,
        similarity=_unit(pair.similarity),
        draft=draft_place,
        reference=ref_place,
        draft_heading=_heading(draft.script, pair.unit.scene),
        reference_heading=_heading(reference.script, pair.reference_unit.scene),
        draft_text=draft_text,
        reference_text=ref_text,
        draft_words=pair.unit.words,
        reference_words=pair.reference_unit.words,
        shared=tuple(pair.shared),
    )


def _place(coords: Coordinates, unit: StoryUnit) -> tuple[Location, str]:
    """Where a unit lies (its scene heading left out) and its opening lines as written."""
    start = _body_start(coords.script, unit)
    return coords.location(start, max(start, unit.end)), excerpt(coords.script.text, start, unit.end)


def _body_start(script: Script, unit: StoryUnit) -> int:
    """The unit's first offset that is not its scene heading (nor blank space around it)."""
    start = unit.start
    if 0 < unit.scene <= len(script.scenes):
        for element in script.scenes[unit.scene - 1].elements:
            if element.kind == SCENE_HEADING and element.start <= start < element.end:
                start = element.end
    while start < unit.end and script.text[start].isspace():
        start += 1
    return start if start < unit.end else unit.start


def excerpt(text: str, start: int, end: int) -> str:
    """The opening of ``text[start:end]``: up to ``STORY_EXCERPT_LINES`` non-blank lines, cut at a line end
    within ``STORY_EXCERPT_CHARS`` (a longer first line, such as a prose paragraph, at a word end).
    Always a prefix of ``text[start:end]``, trailing space removed."""
    body = text[start:end]
    out = 0
    lines = 0
    for line in body.splitlines(keepends=True):
        if out + len(line.rstrip()) > STORY_EXCERPT_CHARS:
            if out == 0:
                cut = line[:STORY_EXCERPT_CHARS]
                space = cut.rstrip().rfind(" ")
                out = space if space > STORY_EXCERPT_CHARS // 2 else len(cut)
            break
        out += len(line)
        if line.strip():
            lines += 1
            if lines >= STORY_EXCERPT_LINES:
                break
    return body[:out].rstrip()


def _heading(script: Script, scene: int) -> str | None:
    return script.scenes[scene - 1].heading if 0 < scene <= len(script.scenes) else None


def _allowed_by(
    ref: RefScript, reference: Coordinates, pairs: Sequence[StoryPair], allowlist: Allowlist | None
) -> str | None:
    """The allowlist entries covering every reference unit on the chain, or ``None``."""
    if not allowlist:
        return None
    entries: set[str] = set()
    for pair in pairs:
        unit = pair.reference_unit
        first = reference.lines.number(unit.start)
        last = reference.lines.number(max(unit.start, unit.end - 1))
        entry = allowlist.passage(ref.path, first, last, "", "")  # no text: quotes never allow a story
        if entry is None:
            return None
        entries.add(entry.text)
    return "; ".join(sorted(entries))


def _unit(value: float) -> float:
    """A measure clamped to [0, 1] (float rounding can put one a hair outside)."""
    return min(1.0, max(0.0, float(value)))
