"""The report's two pictures as inline SVG: the draft's scene strip and each reference's scene map.

A reference with a story finding has its chain drawn on its map: outlined cells joined by a line, a
diagonal where the draft follows its scenes in order (for a prose draft, cut into units rather than
scenes, the map's columns are the draft's units).

Every text that comes from a script (headings, titles) is escaped, also inside ``<title>`` tooltips.
Shapes carry a level class (coloured by the stylesheet) and, in the strip, a height per level, so
the pictures read without colour too.
"""

from __future__ import annotations

from simcheck.render.escape import esc
from simcheck.render.story import StoryView
from simcheck.render.view import MatchView, ReferenceView, ReportView
from simcheck.render.wording import fmt_score
from simcheck.settings import LEVELS, level_rank


def level_class(level: str) -> str:
    return f"lv-{level}" if level in LEVELS else "lv-unrated"


def tick_labels(count: int, step: int) -> list[int]:
    """Scene numbers to label: every one, odd ones for a step of 2, else 1 and multiples of ``step``."""
    if step <= 2:
        return list(range(1, count + 1, step))
    return [1] + [n for n in range(step, count + 1, step)]


def tick_step(count: int, max_labels: int) -> int:
    """The smallest 1-2-5 step that keeps at most ``max_labels`` tick labels."""
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000):
        if count / step <= max_labels:
            return step
    return max(1, count // max_labels)


DEFS = (
    '<svg class="defs" width="0" height="0" aria-hidden="true" focusable="false">'
    '<defs><pattern id="hatch" width="5" height="5" patternUnits="userSpaceOnUse" '
    'patternTransform="rotate(45)"><rect width="5" height="5" fill="#eceff3"/>'
    '<line x1="0" y1="0" x2="0" y2="5" stroke="#8a93a0" stroke-width="2"/></pattern></defs></svg>'
)

_STRIP_HEIGHT = {"high": 1.0, "medium": 0.64, "low": 0.34}


def scene_strip(view: ReportView) -> str:
    """One bar per draft scene, coloured and sized by its strongest flagged match; links to the evidence."""
    count = view.scene_count
    if count == 0:
        return ""
    width = 1000.0
    bar_h = 44.0
    top = 6.0
    step_w = width / count
    gap = min(2.0, step_w * 0.18)
    strongest = view.strongest_by_scene()
    allowed_scenes = {m.draft_scene for m in view.allowed_matches}
    parts = [
        f'<svg class="strip" viewBox="0 0 {width:.0f} {top + bar_h + 24:.0f}" role="img" '
        f'aria-labelledby="strip-title">',
        f'<title id="strip-title">{esc(_strip_caption(view, strongest))}</title>',
        f'<line class="grid-line" x1="0" y1="{top + bar_h:.1f}" x2="{width:.0f}" y2="{top + bar_h:.1f}"/>',
    ]
    for i, scene in enumerate(view.scenes):
        x = i * step_w
        match = strongest.get(scene.number)
        heading = f" \u00b7 {scene.heading}" if scene.heading else ""
        if match is not None:
            level = match.level
            frac = _STRIP_HEIGHT.get(level, 0.3)
            cls = level_class(level)
            tip = (
                f"Draft scene {scene.number}{heading}\nStrongest match: {level or 'unrated'} "
                f"{fmt_score(match.score)} with {match.reference_title}, scene {match.reference_scene or '?'}"
            )
            href = f"#scene-{scene.number}"
        elif scene.number in allowed_scenes:
            frac, cls, href = 0.3, "lv-allowed", "#allowed"
            tip = f"Draft scene {scene.number}{heading}\nOnly allowed material matches"
        else:
            frac, cls, href = 0.08, "lv-none", ""
            tip = f"Draft scene {scene.number}{heading}\nNo match"
        h = bar_h * frac
        rect = (
            f'<rect class="sc {cls}" x="{x + gap / 2:.2f}" y="{top + bar_h - h:.2f}" '
            f'width="{max(step_w - gap, 0.6):.2f}" height="{h:.2f}"><title>{esc(tip)}</title></rect>'
        )
        parts.append(f'<a href="{esc(href)}">{rect}</a>' if href else rect)
    for number in tick_labels(count, tick_step(count, 20)):
        x = min(max((number - 0.5) * step_w, 12.0), width - 14.0)
        parts.append(
            f'<text x="{x:.1f}" y="{top + bar_h + 17:.1f}" font-size="13" '
            f'text-anchor="middle">{number}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def _strip_caption(view: ReportView, strongest: dict[int, MatchView]) -> str:
    flagged = len(strongest)
    return (
        f"The draft's {view.scene_count} scenes in order; {flagged} have a flagged match. Taller and darker "
        "bars are stronger matches (high, medium, low)."
    )


def scene_map(view: ReportView, ref: ReferenceView) -> str:
    """Draft scenes (across) by reference scenes (down), one cell per scene pair with a match.

    Cells are shaded by the match score; matched scenes in the same order form a diagonal. The story
    chain, if any, is drawn over them as outlined cells joined by a line; for a prose draft the columns
    are its story units and only the chain is drawn (its matches all lie in its one scene).
    """
    story = ref.story
    by_unit = story is not None and story.prose
    matches = [] if by_unit else [m for m in view.matches + view.allowed_matches if m.reference == ref.path]
    chain = _chain_cells(ref, by_unit)
    if by_unit:
        assert story is not None
        cols = max(story.units or 1, max((x for x, _, _ in chain), default=1))
    else:
        cols = max(view.scene_count, max((m.draft_scene for m in matches), default=1))
        cols = max(cols, max((x for x, _, _ in chain), default=1))
    rows = max(ref.scene_count or 0, max((m.reference_scene or 1 for m in matches), default=1))
    rows = max(rows, max((y for _, y, _ in chain), default=1))
    cell = max(3.0, min(24.0, 520.0 / max(cols, rows)))
    mark = max(cell, 6.0)  # a match stays visible however many scenes there are
    left, top = 46.0, 30.0
    grid_w, grid_h = cols * cell, rows * cell
    width, height = left + grid_w + 8, top + grid_h + 8
    across = "draft unit" if by_unit else "draft scene"
    label = (
        f"Scene map of the draft against {ref.title}: {len(matches)} matched scene pairs"
        + (f", a story chain of {len(chain)} links" if chain else "")
        + f". Across: {across}s; down: reference scenes."
    )
    parts = [
        f'<svg viewBox="0 0 {width:.0f} {height:.0f}" width="{width:.0f}" height="{height:.0f}" role="img" '
        f'aria-label="{esc(label)}">',
        f'<text x="{left:.0f}" y="12" font-size="11">{across} \u2192</text>',
        f'<text x="8" y="{top:.0f}" font-size="11" transform="rotate(90 8 {top:.0f})">'
        "reference scene \u2192</text>",
        f'<rect class="grid-bg" x="{left:.0f}" y="{top:.0f}" width="{grid_w:.1f}" height="{grid_h:.1f}"/>',
    ]
    cstep = tick_step(cols, max(2, int(grid_w // 24)))
    rstep = tick_step(rows, max(2, int(grid_h // 22)))
    for number in tick_labels(cols, cstep):
        x = left + (number - 0.5) * cell
        parts.append(
            f'<text x="{x:.1f}" y="{top - 5:.0f}" font-size="10" text-anchor="middle">{number}</text>'
        )
    for number in tick_labels(rows, rstep):
        y = top + (number - 0.5) * cell + 3.5
        parts.append(f'<text x="{left - 5:.0f}" y="{y:.1f}" font-size="10" text-anchor="end">{number}</text>')
    for number in range(cstep, cols, cstep):
        gx = left + number * cell
        parts.append(_line(gx, top, gx, top + grid_h))
    for number in range(rstep, rows, rstep):
        gy = top + number * cell
        parts.append(_line(left, gy, left + grid_w, gy))
    # strongest first drawn last, so it stays on top where cells overlap
    for match in sorted(matches, key=lambda m: (level_rank(m.level), m.score or 0.0)):
        if match.reference_scene is None:
            continue
        x = left + (match.draft_scene - 0.5) * cell - mark / 2
        y = top + (match.reference_scene - 0.5) * cell - mark / 2
        score = match.score if match.score is not None else 0.5
        opacity = 0.35 + 0.65 * min(max(score, 0.0), 1.0)
        cls = "lv-allowed" if match.allowed else level_class(match.level)
        status = "allowed" if match.allowed else (match.level or "unrated")
        tip = (
            f"Draft scene {match.draft_scene} \u2194 {ref.title} scene {match.reference_scene}\n"
            f"{status}, score {fmt_score(match.score)} (lexical {fmt_score(match.lexical)}, "
            f"semantic {fmt_score(match.semantic)})"
        )
        target = "#" + match.id
        parts.append(
            f'<a href="{esc(target)}"><rect class="cell {cls}" x="{x:.2f}" y="{y:.2f}" width="{mark:.2f}" '
            f'height="{mark:.2f}" fill-opacity="{opacity:.2f}"><title>{esc(tip)}</title></rect></a>'
        )
    if chain and story is not None:
        parts.append(_chain(ref, story, chain, left, top, cell, mark, across))
    parts.append("</svg>")
    return "".join(parts)


def _chain_cells(ref: ReferenceView, by_unit: bool) -> list[tuple[int, int, int]]:
    """The story chain's cells (column, reference scene, first link number), in draft order, once each."""
    if ref.story is None:
        return []
    cells: dict[tuple[int, int], int] = {}
    for k, link in enumerate(ref.story.chain, start=1):
        x = link.draft_unit if by_unit else link.draft_scene
        if x is not None and link.reference_scene is not None:
            cells.setdefault((x, link.reference_scene), k)
    return [(x, y, k) for (x, y), k in cells.items()]


def _chain(
    ref: ReferenceView,
    story: StoryView,
    cells: list[tuple[int, int, int]],
    left: float,
    top: float,
    cell: float,
    mark: float,
    across: str,
) -> str:
    """The chain over the map: a line through its cells in draft order, each cell outlined and linked to
    its row in the story section."""
    cls = "lv-allowed" if story.allowed else level_class(story.level)
    centres = [(left + (x - 0.5) * cell, top + (y - 0.5) * cell) for x, y, _ in cells]
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in centres)
    parts = [f'<g class="chain {cls}"><polyline class="chain-line" points="{points}"/>']
    for (x, y, k), (cx, cy) in zip(cells, centres, strict=True):
        link = story.chain[k - 1]
        tip = (
            f"Story: {across} {x} \u2194 {ref.title} scene {y}\n"
            f"{story.level or 'unrated'} chain, content similarity {fmt_score(link.similarity)}"
            + (f"\nshared: {', '.join(link.shared)}" if link.shared else "")
        )
        parts.append(
            f'<a href="#story-{esc(ref.id)}-{k}"><rect class="chain-cell" x="{cx - mark / 2:.2f}" '
            f'y="{cy - mark / 2:.2f}" width="{mark:.2f}" height="{mark:.2f}"><title>{esc(tip)}</title>'
            "</rect></a>"
        )
    parts.append("</g>")
    return "".join(parts)


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return f'<line class="grid-line" x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}"/>'


def coverage_bar(value: float | None, level: str) -> str:
    """A small horizontal bar for a reference's coverage of the draft (0..1)."""
    width = 110.0
    frac = min(max(value or 0.0, 0.0), 1.0)
    filled = max(width * frac, 1.5) if frac > 0 else 0.0
    return (
        f'<svg width="{width:.0f}" height="10" viewBox="0 0 {width:.0f} 10" aria-hidden="true">'
        f'<rect class="bar-bg" width="{width:.0f}" height="10" rx="2"/>'
        f'<rect class="bar {level_class(level)}" width="{filled:.1f}" height="10" rx="2"/></svg>'
    )
