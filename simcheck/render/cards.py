"""The evidence cards of the HTML report: one card per match, its passages side by side.

Shared words are marked by kind (``mark_pair``): solid underline for verbatim, dotted for fuzzy,
italics for semantic. The shared words come from a word diff on rapidfuzz (the longest common
subsequence of the two passages' words, however long they are); a shared run of function words alone
(``of``, ``a``, ``are``) is not underlined. Every line of a passage is numbered as in its file (its
paragraph for Final Draft and Fade In; a PDF passage says its page and line above it instead). Renders
the view model only; every text is escaped with ``escape.esc``.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence

from rapidfuzz.distance import LCSseq

from simcheck.model import LINE_BREAK
from simcheck.render.escape import esc
from simcheck.render.passages import EvidenceView, Where
from simcheck.render.svg import level_class
from simcheck.render.view import MatchView, ReportView
from simcheck.render.wording import fmt_chance, fmt_names, fmt_percent, fmt_score, fmt_where, plural
from simcheck.text.tokens import STOPWORDS, fold

OPEN_ALL_UP_TO = 12  # with more flagged matches than this, match cards start collapsed
KIND_LABELS = {
    "verbatim": "the same words",
    "fuzzy": "the same words lightly edited; changed words are not underlined",
    "semantic": "the same content in other words",
}
DOT = " \u00b7 "
_PIECE = re.compile(r"\s+|\S+")
_NOT_WORD = re.compile(r"[^\w']+")


def evidence_section(view: ReportView) -> str:
    groups = view.matches_by_scene()
    if not groups:
        return (
            '<section class="block" id="evidence"><h2>Evidence</h2>'
            '<p class="muted">No flagged matches.</p></section>'
        )
    open_cards = len(view.matches) <= OPEN_ALL_UP_TO
    note = (
        ""
        if open_cards
        else f'<p class="more-note">{len(view.matches)} matches in {len(groups)} scenes: open a match to see '
        "its passages side by side (printing opens them all).</p>"
    )
    sections = []
    for scene, matches in groups:
        heading = f'<span class="heading">{esc(scene.heading)}</span>' if scene.heading else ""
        at = f"page {scene.page}" if scene.page is not None else (f"line {scene.line}" if scene.line else "")
        line = f'<span class="line">{at}</span>' if at else ""
        cards = "".join(_card(view, match, open_cards) for match in matches)
        sections.append(
            f'<section class="scene" id="scene-{scene.number}">'
            f"<h3>Draft scene {scene.number} {heading}{line}</h3>{cards}</section>"
        )
    return (
        '<section class="block" id="evidence" aria-labelledby="evidence-h">'
        f'<h2 id="evidence-h">Evidence by draft scene</h2>{note}{"".join(sections)}</section>'
    )


def allowed_section(view: ReportView) -> str:
    if not view.allowed_matches:
        return ""
    cards = "".join(_card(view, match, False) for match in view.allowed_matches)
    refs = sorted({m.reference_title for m in view.allowed_matches})
    return (
        '<section class="block allowed-list" id="allowed" aria-labelledby="allowed-h">'
        '<h2 id="allowed-h">Allowed material (not flagged)</h2>'
        '<p class="note">These matches are with material on the allowlist (such as an adaptation source, '
        "the writer\u2019s own earlier work or public-domain text). They are listed for completeness and do "
        f"not count towards the finding. Allowed: {esc('; '.join(refs))}.</p>{cards}</section>"
    )


def _card(view: ReportView, match: MatchView, is_open: bool) -> str:
    level = "allowed" if match.allowed else (match.level or "unrated")
    cls = "lv-allowed" if match.allowed else level_class(match.level)
    ref_scene = f"scene {match.reference_scene}" if match.reference_scene is not None else "scene ?"
    ref_heading = ""
    if match.reference_heading:
        ref_heading = f' <span class="rh">{esc(match.reference_heading)}</span>'
    kinds = "".join(f'<span class="kind k-{esc(_kind_class(k))}">{esc(k)}</span>' for k in match.kinds)
    extra = [plural(len(match.evidence), "passage")]
    if match.names:
        extra.append("names " + fmt_names(match.names, limit=2))
    covers = f"covers {fmt_percent(match.score)}" if match.score is not None else ""
    summary = (
        f'<summary><span class="badge {cls}">{esc(level)}</span>'
        f'<span class="sum-score num" title="share of the draft scene in evidence">{esc(covers)}</span>'
        f'<span class="sum-ref">{esc(match.reference_title)} \u00b7 {esc(ref_scene)}{ref_heading}</span>'
        f'<span class="sum-parts num">lexical {fmt_score(match.lexical)} \u00b7 '
        f"semantic {fmt_score(match.semantic)}</span>"
        f'<span class="sum-kinds">{kinds}<span>{esc(DOT.join(extra))}</span></span></summary>'
    )
    facts = [
        ("Scene in evidence (score)", fmt_score(match.score)),
        ("Lexical (wording)", fmt_score(match.lexical)),
        ("Semantic (content)", fmt_score(match.semantic)),
    ]
    chance = fmt_chance(match.rarity, view.calibration_samples)
    if chance:
        facts.append(("Unrelated scenes this close", chance))
    if match.allowed_by:
        facts.append(("Allowed by", match.allowed_by))
    if match.names:
        facts.append(("Character names", fmt_names(match.names)))
    facts_html = "".join(f"<div><dt>{esc(k)}</dt><dd>{esc(v)}</dd></div>" for k, v in facts)
    draft_head = f'<span class="h">{esc(match.draft_heading)}</span>' if match.draft_heading else ""
    ref_head = f'<span class="h">{esc(match.reference_heading)}</span>' if match.reference_heading else ""
    draft_at = _scene_at(match.draft_page, match.draft_line)
    ref_at = _scene_at(match.reference_page, match.reference_line)
    cols = (
        '<div class="cols" aria-hidden="true">'
        f"<div>Draft{DOT}scene {match.draft_scene}{draft_at}{draft_head}</div>"
        f"<div>{esc(match.reference_title)}{DOT}{esc(ref_scene)}{ref_at}{ref_head}</div></div>"
    )
    rows = "".join(_evidence_row(match, ev) for ev in match.evidence) or (
        '<p class="muted">The report lists no evidence passages for this match.</p>'
    )
    links = []
    if not match.allowed and match.reference_id:
        links.append(f'<a href="#map-{esc(match.reference_id)}">\u2191 scene map</a>')
    links.append('<a href="#strip">\u2191 draft strip</a>')
    links.append('<a href="#summary">\u2191 summary</a>')
    attrs = (
        f'class="match {cls}" id="{esc(match.id)}" data-level="{esc(match.level)}" '
        f'data-ref="{esc(match.reference_id)}"'
    )
    return (
        f"<details {attrs}{' open' if is_open else ''}>{summary}"
        f'<div class="body"><dl class="facts">{facts_html}</dl>{cols}{rows}'
        f'<p class="back">{DOT.join(links)}</p></div></details>'
    )


def _scene_at(page: int | None, line: int | None) -> str:
    if page is not None:
        return f"{DOT}page {page}"
    return f"{DOT}line {line}" if line is not None else ""


def _kind_class(kind: str) -> str:
    return kind if kind in KIND_LABELS else "unknown"


def _evidence_row(match: MatchView, ev: EvidenceView) -> str:
    kind = _kind_class(ev.kind)
    label = KIND_LABELS.get(ev.kind, "evidence")
    measure = "common words" if ev.reworded else "similarity"
    similarity = f", {measure} {fmt_score(ev.similarity)}" if ev.similarity is not None else ""
    if ev.reworded:
        label += " (reworded: found through the vocabulary both share)"
    allowed = (
        f'<span class="badge lv-allowed">allowed</span><span>{esc(ev.allowed_by)} (does not count)</span>'
        if ev.allowed_by
        else ""
    )
    draft_html, ref_html = mark_pair(ev.draft_text, ev.reference_text, ev.kind)
    draft_where = f"Draft{DOT}scene {_scene_name(match.draft_scene, ev.draft_where)}"
    draft_lines = fmt_where(ev.draft_where)
    if draft_lines:
        draft_where += DOT + draft_lines
    ref_where = match.reference_title
    if match.reference_scene is not None:
        ref_where += f"{DOT}scene {_scene_name(match.reference_scene, ev.reference_where)}"
    ref_lines = fmt_where(ev.reference_where)
    if ref_lines:
        ref_where += DOT + ref_lines
    return (
        f'<div class="ev ev-{esc(kind)}{" ev-allowed" if ev.allowed_by else ""}">'
        f'<div class="ev-head"><span class="kind k-{esc(kind)}">{esc(ev.kind)}</span>'
        f"<span>{esc(label + similarity)}</span>{allowed}</div>"
        f'<div class="side"><span class="ln">{esc(draft_where)}</span>'
        f"{passage_html(draft_html, ev.draft_where)}</div>"
        f'<div class="side"><span class="ln">{esc(ref_where)}</span>'
        f"{passage_html(ref_html, ev.reference_where)}</div>"
        "</div>"
    )


def _scene_name(number: int, where: Where) -> str:
    """A scene as the reader finds it: its number as read, and the number written in it if different."""
    if where.scene_number and where.scene_number != str(number):
        return f"{number} (numbered {where.scene_number})"
    return str(number)


def passage_html(marked: str, where: Where) -> str:
    """A marked passage with its source line numbers in a gutter (CSS-drawn, so copying copies only text).

    ``marked`` is ``mark_pair`` output: escaped text and ``<span>`` tags, line breaks only in the text.
    Each line gets an empty ``<span class="n" data-n="LINE">`` before it, counting CRLF, CR and LF as
    one line break each (as ``view.end_line`` does); line breaks at the very end start no new line.
    Final Draft and Fade In passages (one paragraph per line) are numbered by paragraph (``¶3``); a
    PDF passage has no gutter (its lines are not the page's: the page and line stand above it).
    """
    if where.line is None or where.paginated:
        return f'<p class="passage">{marked}</p>'
    prefix = "¶" if where.paragraph is not None else ""
    first_line = where.paragraph if where.paragraph is not None else where.line
    line = first_line

    def number(found: re.Match[str]) -> str:
        nonlocal line
        line += 1
        return f'{found.group(0)}<span class="n" data-n="{prefix}{line}"></span>'

    end = len(marked)  # trailing line breaks (and closing tags) start no new line
    while marked.endswith(("</span>", "\r", "\n"), 0, end):
        end -= len("</span>") if marked.endswith("</span>", 0, end) else 1
    numbered = LINE_BREAK.sub(number, marked[:end]) + marked[end:]
    return f'<p class="passage numbered"><span class="n" data-n="{prefix}{first_line}"></span>{numbered}</p>'


@functools.lru_cache(maxsize=1 << 16)
def _word_key(piece: str) -> str:
    return _NOT_WORD.sub("", fold(piece))


def mark_pair(draft: str, reference: str, kind: str) -> tuple[str, str]:
    """Both passages as escaped HTML, marked by evidence kind.

    For lexical evidence (verbatim, fuzzy) the words both sides share are wrapped in ``.w`` (underlined
    by kind) and the words that differ in ``.chg`` (plain), found by a word diff for display only: the
    longest common subsequence of the two word sequences (rapidfuzz, no length cap). A common run made
    only of function words (``STOPWORDS``) is not marked: "of" or "a" in common shows nothing.
    Semantic evidence is marked as a whole (italic): its words differ by nature.
    """
    cls = _kind_class(kind)
    if kind not in ("verbatim", "fuzzy"):
        return (
            f'<span class="m m-{cls}">{esc(draft)}</span>',
            f'<span class="m m-{cls}">{esc(reference)}</span>',
        )
    a_pieces = _PIECE.findall(draft)
    b_pieces = _PIECE.findall(reference)
    a_words = [i for i, p in enumerate(a_pieces) if not p.isspace()]
    b_words = [i for i, p in enumerate(b_pieces) if not p.isspace()]
    a_keys = [_word_key(a_pieces[i]) for i in a_words]
    b_keys = [_word_key(b_pieces[i]) for i in b_words]
    a_same: set[int] = set()
    b_same: set[int] = set()
    if a_keys and b_keys:
        for op in LCSseq.opcodes(a_keys, b_keys):
            if op.tag != "equal" or all(a_keys[k] in STOPWORDS for k in range(op.src_start, op.src_end)):
                continue
            a_same.update(a_words[k] for k in range(op.src_start, op.src_end))
            b_same.update(b_words[k] for k in range(op.dest_start, op.dest_end))
    return (
        f'<span class="m m-{cls}">{_runs(a_pieces, a_same)}</span>',
        f'<span class="m m-{cls}">{_runs(b_pieces, b_same)}</span>',
    )


def _runs(pieces: Sequence[str], same: set[int]) -> str:
    """Group words into runs of shared (``.w``) and changed (``.chg``) words; spaces join their run."""
    out: list[str] = []
    run: list[str] = []
    run_same: bool | None = None
    pending = ""

    def close() -> None:
        if run:
            out.append(f'<span class="{"w" if run_same else "chg"}">{esc("".join(run))}</span>')
            run.clear()

    for i, piece in enumerate(pieces):
        if piece.isspace():
            pending += piece
            continue
        is_same = i in same
        if run and is_same == run_same:
            run.append(pending)
        else:
            close()
            out.append(esc(pending))
            run_same = is_same
        pending = ""
        run.append(piece)
    close()
    out.append(esc(pending))
    return "".join(out)
