"""The story section of the HTML report: per reference, the aligned chain side by side.

Each reference with a story finding gets one card: its level in words, how much of each story the
chain spans, the mapped characters with their support, then one row per link: the draft unit (its
scene heading and opening lines) beside the reference scene it tells, the content words both share
marked with ``<mark>``. Renders the view model only; every text is escaped with ``escape.esc``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from simcheck.match.seeds import stem
from simcheck.render.cards import passage_html
from simcheck.render.escape import esc
from simcheck.render.story import StoryLinkView, StoryView
from simcheck.render.svg import level_class
from simcheck.render.view import ReferenceView, ReportView
from simcheck.render.wording import fmt_percent, fmt_score, fmt_story_chance, fmt_where, plural
from simcheck.text.tokens import fold

DOT = " \u00b7 "
_WORD = re.compile(r"[\w']+")
NO_LINKS = '<p class="muted">The report lists no links for this chain.</p>'
LEVEL_WORDS = {
    "high": "high: a chain this long and this close is very rare between unrelated scripts",
    "medium": "medium: a chain this long and this close is rare between unrelated scripts",
    "low": "low: a chain like this is unusual between unrelated scripts, but it happens",
}


def story_section(view: ReportView) -> str:
    refs = view.story_references()
    if not refs:
        return ""
    cards = "".join(_card(view, ref) for ref in refs)
    return (
        '<section class="block" id="story" aria-labelledby="story-h">'
        '<h2 id="story-h">The story, side by side</h2>'
        '<p class="note">Draft units (scenes, long scenes cut into beats, or passages of prose cut at '
        "paragraphs, about 150 words, finer in a short draft) that tell the scenes of a reference in the "
        "same order, whatever their wording and "
        "the characters\u2019 names. Each row shows a draft unit beside the reference scene it follows, "
        "their opening lines, and the content words both share (marked). A single shared situation (a "
        "wedding, a ghost) is common; many in the same order are not. The characters are mapped from who "
        "appears with whom in the aligned units, never from their names.</p>"
        f"{cards}</section>"
    )


def story_id(ref: ReferenceView) -> str:
    return f"story-{ref.id}"


def _card(view: ReportView, ref: ReferenceView) -> str:
    story = ref.story
    assert story is not None
    allowed = story.allowed
    cls = "lv-allowed" if allowed else level_class(story.level)
    badge = "allowed" if allowed else (story.level or "unrated")
    spans = (
        f"spans {fmt_percent(story.coverage)} of the draft and "
        f"{fmt_percent(story.reference_coverage)} of the reference"
    )
    summary = (
        f'<summary><span class="badge {cls}">{esc(badge)}</span>'
        f'<span class="sum-ref">{esc(ref.title)}</span>'
        f'<span class="sum-parts">{esc(story.follows() + DOT + spans)}</span></summary>'
    )
    facts = [("Level", LEVEL_WORDS.get(story.level, story.level or "unrated"))]
    chance = fmt_story_chance(story.rarity, story.background)
    if chance:
        facts.append(("Unrelated scripts aligning this well", chance))
    facts.append(("Draft in the chain", fmt_percent(story.coverage)))
    facts.append(("Reference in the chain", fmt_percent(story.reference_coverage)))
    if story.units is not None:
        unit = "prose passage" if story.prose else "story unit"
        facts.append(("The draft", plural(story.units, unit)))
    if story.allowed_by:
        facts.append(("Allowed by", f"{story.allowed_by} (not flagged)"))
    facts_html = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    rows = "".join(_row(ref, story, k, link) for k, link in enumerate(story.chain, start=1))
    cols = f'<div class="cols" aria-hidden="true"><div>Draft</div><div>{esc(ref.title)}</div></div>'
    links = [f'<a href="#map-{esc(ref.id)}">\u2191 scene map</a>'] if not allowed else []
    links.append('<a href="#summary">\u2191 summary</a>')
    return (
        f'<details class="story {cls}" id="{esc(story_id(ref))}" data-level="{esc(story.level)}" open>'
        f'{summary}<div class="body"><dl class="facts">{facts_html}</dl>{_characters(story)}'
        f"{cols}{rows or NO_LINKS}"
        f'<p class="back">{DOT.join(links)}</p></div></details>'
    )


def _characters(story: StoryView) -> str:
    if not story.characters:
        return ""
    rows = "".join(
        f'<tr><td class="who">{esc(c.draft)}</td><td class="arrow">\u2194</td>'
        f'<td class="who">{esc(c.reference)}</td><td>{esc(c.together())}'
        + (f" ({esc(fmt_percent(c.share))} of their scenes)" if c.share is not None else "")
        + "</td></tr>"
        for c in story.characters
    )
    return (
        '<table class="cast"><caption>Characters, mapped from the story</caption>'
        "<thead><tr><th>Draft</th><th></th><th>Reference</th><th>Support</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
    )


def _row(ref: ReferenceView, story: StoryView, k: int, link: StoryLinkView) -> str:
    shared = ", ".join(link.shared)
    head = [f"link {k} of {len(story.chain)}"]
    if link.similarity is not None:
        head.append(f"content similarity {fmt_score(link.similarity)}")
    head_html = esc(DOT.join(head))
    if shared:
        head_html += f'{esc(DOT)}shared: <span class="shared">{esc(shared)}</span>'
    draft_where = "Draft"
    if link.draft_unit is not None:
        draft_where += f"{DOT}{unit_word(story)} {link.draft_unit}"
    if link.draft_scene is not None and not story.prose:
        draft_where += f"{DOT}scene {link.draft_scene}"
    ref_where = ref.title + (f"{DOT}scene {link.reference_scene}" if link.reference_scene is not None else "")
    previous = story.chain[k - 2] if k > 1 else None
    if previous is not None and previous.draft_unit == link.draft_unit:  # condensed: shown once
        draft_side = _same(draft_where, f"the same draft {unit_word(story)} as link {k - 1}")
    else:
        draft_side = _side(draft_where, link.draft_heading, link.draft_text, link.draft_words, link, True)
    if previous is not None and (previous.reference_unit, previous.reference_scene) == (
        link.reference_unit,
        link.reference_scene,
    ):
        ref_side = _same(ref_where, f"the same reference scene as link {k - 1}")
    else:
        ref_side = _side(
            ref_where, link.reference_heading, link.reference_text, link.reference_words, link, False
        )
    return (
        f'<div class="ev story-link" id="{esc(story_id(ref))}-{k}">'
        f'<div class="ev-head">{head_html}</div>{draft_side}{ref_side}</div>'
    )


def unit_word(story: StoryView) -> str:
    return "passage" if story.prose else "unit"


def _same(where: str, what: str) -> str:
    """A side the previous link already showed (several scenes told in one unit, or the reverse)."""
    return (
        f'<div class="side"><span class="ln">{esc(where)}</span><p class="muted same">{esc(what)}</p></div>'
    )


def _side(
    where: str, heading: str | None, text: str, words: int | None, link: StoryLinkView, draft: bool
) -> str:
    place = link.draft_where if draft else link.reference_where
    lines = fmt_where(place)
    label = where + (DOT + lines if lines else "")
    if words:
        label += f"{DOT}{plural(words, 'word')}"
    heading_html = f'<span class="h">{esc(heading)}</span>' if heading else ""
    marked = f'<span class="m m-story">{mark_shared(text, link.shared)}</span>'
    more = '<span class="more">\u2026</span>' if words and len(_WORD.findall(text)) < words else ""
    return (
        f'<div class="side"><span class="ln">{esc(label)}</span>{heading_html}'
        f"{passage_html(marked, place)}{more}</div>"
    )


def mark_shared(text: str, shared: Iterable[str]) -> str:
    """``text`` escaped, each word that is one of the ``shared`` content words up to the story layer's
    light stemming (``match.seeds.stem``: ``brothers`` marks ``brother``) wrapped in ``<mark>``."""
    keys = {stem(fold(word).strip("'")) for word in shared if word.strip()}
    out: list[str] = []
    last = 0
    for found in _WORD.finditer(text):
        if stem(fold(found.group(0)).strip("'")) in keys:
            out.append(esc(text[last : found.start()]))
            out.append(f"<mark>{esc(found.group(0))}</mark>")
            last = found.end()
    out.append(esc(text[last:]))
    return "".join(out)
