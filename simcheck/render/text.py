"""The compact terminal summary of a compare report, rendered with rich to a string.

Same ranking and wording as the HTML page (both read the report through ``view.build_view``), plus
the top evidence passages. Script text is always passed to rich as ``Text``, never as markup, so a
draft containing ``[bold]`` or escape sequences prints as written. ``color=False`` gives plain text
with no ANSI codes at all.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from io import StringIO
from typing import Any

from rich import box
from rich.console import Console, Group
from rich.padding import Padding
from rich.table import Table
from rich.text import Text

from simcheck.render.story import StoryView
from simcheck.render.view import MatchView, ReferenceView, ReportView, build_view
from simcheck.render.wording import (
    fmt_chance,
    fmt_generated,
    fmt_names,
    fmt_percent,
    fmt_score,
    fmt_sequence,
    fmt_story_chance,
    fmt_where,
    plural,
    with_date,
)
from simcheck.settings import level_rank

TOP_MATCHES = 5  # matches shown with their passages
TOP_EVIDENCE = 2  # passages shown per match
TOP_STORY_LINKS = 3  # links of a story chain shown with their opening lines (the HTML page shows all)
PASSAGE_CHARS = 220  # longer passages are cut with an ellipsis

LEVEL_STYLES = {
    "high": "bold white on red",
    "medium": "bold black on yellow",
    "low": "bold yellow",
    "allowed": "dim",
}
KIND_STYLES = {"verbatim": "bold magenta", "fuzzy": "bold cyan", "semantic": "italic blue"}
SHORT_NOTICE = "Closeness can come from coincidence, shared sources, stock phrases or allowed material."
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACE = re.compile(r"\s+")


def render_text(
    report: Mapping[str, Any], color: bool = False, width: int | None = None, generated_at: str | None = None
) -> str:
    """A terminal summary of a compare report; ANSI colour only when ``color`` is true.

    ``generated_at``: when the comparison ran, as for ``render_html``.
    """
    view = build_view(with_date(report, generated_at))
    buffer = StringIO()
    console = Console(
        file=buffer,
        force_terminal=color,
        color_system="auto" if color else None,
        no_color=not color,
        width=width,
        highlight=False,
        emoji=False,
        markup=False,
        soft_wrap=False,
    )
    console.print(_header(view))
    console.print(_finding(view))
    if view.references:
        console.print()
        console.print(_references(view))
    if view.story_references():
        console.print(_stories(view))
    if view.matches:
        console.print(_top_evidence(view))
    if view.allowed_matches:
        console.print(_allowed(view))
    console.print(
        Text("Full evidence side by side: simcheck compare DRAFT --format html", style="dim"),
    )
    return "\n".join(line.rstrip(" ") for line in buffer.getvalue().split("\n"))


def clean(text: str) -> str:
    """One line of script text for the terminal: control characters dropped, whitespace collapsed."""
    return _SPACE.sub(" ", _CONTROL.sub("", text)).strip()


def cut(text: str, limit: int = PASSAGE_CHARS) -> str:
    line = clean(text)
    return line if len(line) <= limit else line[: limit - 1].rstrip() + "\u2026"


def level_text(level: str) -> Text:
    word = (level or "unrated").upper()
    return Text(f" {word} ", style=LEVEL_STYLES.get(level, "bold"))


def _header(view: ReportView) -> Text:
    text = Text()
    text.append("simcheck similarity evidence: ", style="bold")
    text.append(clean(view.title), style="bold underline")
    text.append("\n")
    bits = []
    if view.draft_path:
        bits.append(view.draft_path)
    bits.append(plural(view.scene_count, "scene"))
    generated = fmt_generated(view.generated_at)
    if generated:
        bits.append(f"generated {generated}")
    text.append(clean(" \u00b7 ".join(bits)), style="dim")
    index = view.index
    where = []
    if view.pairwise:
        where.append("compared directly (no index)")
    elif index.get("path"):
        where.append(f"index {index.get('path')}")
    if view.model:
        where.append(f"model {view.model}")
    counts = [
        plural(value, key[:-1], key)
        for key, value in index.items()
        if key in ("scripts", "passages") and isinstance(value, int) and not isinstance(value, bool)
    ]
    where.extend(counts)
    if where:
        text.append("\n")
        text.append(clean(" \u00b7 ".join(where)), style="dim")
    return text


def _finding(view: ReportView) -> Padding:
    text = Text()
    text.append("Finding ", style="bold")
    if view.top_level:
        text.append_text(level_text(view.top_level))
        text.append(" ")
    text.append(clean(view.headline))
    for line in view.finding_lines():
        text.append("\n  \u2022 ")
        text.append(clean(line))
    if view.allowed_matches:
        text.append("\n  \u2022 ")
        text.append(
            f"{plural(len(view.allowed_matches), 'match', 'matches')} with allowed material, not flagged.",
            style="dim",
        )
    for warning in view.warnings:
        text.append("\n  ! ", style="bold yellow")
        text.append(clean(warning))
    text.append("\n")
    text.append("Evidence for a person to judge, not a verdict. ", style="bold")
    text.append(SHORT_NOTICE, style="dim")
    return Padding(text, (1, 0, 0, 0))


def _references(view: ReportView) -> Table:
    table = Table(
        title="References, ranked by coverage of the draft",
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        expand=False,
    )
    table.add_column("#", justify="right", no_wrap=True)
    table.add_column("Reference", overflow="fold", ratio=1)
    table.add_column("Level", no_wrap=True)
    table.add_column("Rests on", overflow="fold", ratio=1)
    table.add_column("Coverage", justify="right", no_wrap=True)
    table.add_column("Scenes", justify="right", no_wrap=True)
    table.add_column("Order", justify="right", no_wrap=True)
    for rank, ref in enumerate(view.references, start=1):
        name = Text(clean(ref.title), style="bold")
        if ref.title != ref.path:
            name.append("\n")
            name.append(clean(ref.path), style="dim")
        table.add_row(
            str(rank),
            name,
            level_text(ref.level),
            clean(view.basis(ref)),
            fmt_percent(ref.coverage),
            str(ref.scenes_matched) if ref.scenes_matched is not None else "-",
            fmt_sequence(ref.sequence),
        )
    return table


def _stories(view: ReportView) -> Group:
    items: list[Any] = [Padding(Text("Story", style="bold"), (1, 0, 0, 0))]
    for ref in view.story_references():
        assert ref.story is not None
        items.append(_story_block(ref, ref.story))
    return Group(*items)


def _story_block(ref: ReferenceView, story: StoryView) -> Padding:
    head = Text()
    head.append_text(level_text("allowed" if story.allowed else story.level))
    head.append(" the story of ", style="bold")
    head.append(clean(ref.title), style="bold")
    head.append(f": {story.follows()}")
    facts = (
        f"the chain spans {fmt_percent(story.coverage)} of the draft and "
        f"{fmt_percent(story.reference_coverage)} of the reference"
    )
    chance = fmt_story_chance(story.rarity, story.background)
    if chance:
        facts += f" \u00b7 unrelated scripts aligning this well: {chance}"
    if story.allowed_by:
        facts += f" \u00b7 allowed by {story.allowed_by}"
    parts = Text(clean(facts), style="dim")
    if story.characters:
        parts.append("\ncharacters ", style="dim")
        parts.append(
            clean(
                ", ".join(f"{c.draft} \u2194 {c.reference} ({c.together()})" for c in story.characters[:4])
                + (f", {len(story.characters) - 4} more" if len(story.characters) > 4 else "")
            )
        )
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold", ratio=1)
    unit = "passage" if story.prose else "unit"
    previous = None
    for link in story.chain[:TOP_STORY_LINKS]:
        pair = f"{unit} {link.draft_unit or '?'} \u2194 scene {link.reference_scene or '?'}"
        label = Text(pair, style="bold")
        label.append(f" {fmt_score(link.similarity)}", style="dim")
        shared = f"shared: {', '.join(link.shared)}" if link.shared else ""
        grid.add_row(label, "", Text(clean(shared), style="italic"))
        if previous is None or previous.draft_unit != link.draft_unit:  # a condensed unit is shown once
            grid.add_row("", _where("draft", fmt_where(link.draft_where, short=True)), cut(link.draft_text))
        if previous is None or previous.reference_unit != link.reference_unit:
            ref_where = _where("ref", fmt_where(link.reference_where, short=True))
            grid.add_row("", ref_where, cut(link.reference_text))
        previous = link
    rest = len(story.chain) - TOP_STORY_LINKS
    more = f"\u2026and {plural(rest, 'more link')} (see the HTML report)"
    tail = [Text(more, style="dim")] if rest > 0 else []
    return Padding(Group(head, Padding(Group(parts, grid, *tail), (0, 0, 0, 2))), (1, 0, 0, 0))


def _top_evidence(view: ReportView) -> Group:
    samples = view.calibration_samples
    ranked = sorted(
        view.matches,
        key=lambda m: (-level_rank(m.level), -(m.score if m.score is not None else -1.0), m.id),
    )
    shown = ranked[:TOP_MATCHES]
    title = Text("Top evidence", style="bold")
    if len(ranked) > len(shown):
        title.append(f" ({len(shown)} of {len(ranked)} matches)", style="dim")
    items: list[Any] = [Padding(title, (1, 0, 0, 0))]
    for match in shown:
        items.append(_match_block(match, samples))
    return Group(*items)


def _match_block(match: MatchView, samples: int | None) -> Padding:
    head = Text()
    head.append_text(level_text(match.level))
    head.append(f" covers {fmt_percent(match.score)}  ", style="bold")
    head.append(f"draft scene {match.draft_scene}", style="bold")
    if match.draft_heading:
        head.append(f" \u00b7 {clean(match.draft_heading)}")
    head.append("\n  \u2194 ")
    head.append(f"{clean(match.reference_title)} scene {match.reference_scene or '?'}", style="bold")
    if match.reference_heading:
        head.append(f" \u00b7 {clean(match.reference_heading)}")
    chance = fmt_chance(match.rarity, samples)
    rarity = f" \u00b7 unrelated scenes this close: {chance}" if chance else ""
    parts = Text(
        f"lexical {fmt_score(match.lexical)} \u00b7 semantic {fmt_score(match.semantic)}{rarity}"
        f" \u00b7 {plural(len(match.evidence), 'passage')}",
        style="dim",
    )
    if match.names:
        parts.append("\nnames ", style="dim")
        parts.append(clean(fmt_names(match.names, limit=3)))
    grid = Table.grid(padding=(0, 1))
    grid.add_column(no_wrap=True)
    grid.add_column(no_wrap=True, style="dim")
    grid.add_column(overflow="fold", ratio=1)
    for ev in _strongest_evidence(match):
        kind = Text(ev.kind + (" (reworded)" if ev.reworded else ""), style=KIND_STYLES.get(ev.kind, "bold"))
        if ev.similarity is not None:
            kind.append(f" {fmt_score(ev.similarity)}", style="dim")
        grid.add_row(kind, _where("draft", fmt_where(ev.draft_where, short=True)), cut(ev.draft_text))
        grid.add_row("", _where("ref", fmt_where(ev.reference_where, short=True)), cut(ev.reference_text))
    return Padding(Group(head, Padding(Group(parts, grid), (0, 0, 0, 2))), (1, 0, 0, 0))


def _where(side: str, place: str) -> str:
    return f"{side} {place}" if place else side


def _strongest_evidence(match: MatchView) -> list[Any]:
    order = {"verbatim": 0, "fuzzy": 1, "semantic": 2}
    ranked = sorted(
        match.evidence,
        key=lambda e: (order.get(e.kind, 3), -(e.similarity or 0.0), e.draft_start or 0),
    )
    return ranked[:TOP_EVIDENCE]


def _allowed(view: ReportView) -> Padding:
    text = Text("Allowed material (not flagged): ", style="bold dim")
    groups: dict[str, list[int]] = {}
    for match in view.allowed_matches:
        groups.setdefault(match.reference_title, []).append(match.draft_scene)
    parts = [
        f"{clean(title)}: draft {'scene' if len(set(s)) == 1 else 'scenes'} "
        f"{', '.join(str(n) for n in sorted(set(s)))}"
        for title, s in sorted(groups.items())
    ]
    text.append("; ".join(parts), style="dim")
    return Padding(text, (1, 0, 0, 0))
