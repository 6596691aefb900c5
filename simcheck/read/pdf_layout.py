"""The lines of a screenplay PDF: words grouped into lines and segments with their positions, page
furniture (page numbers, CONTINUED, running headers, revision marks, margin scene numbers) removed, and
the columns of action, dialogue, cues and transitions measured from the text layer. ``pdf`` reads the
elements with what is measured here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from simcheck.read.fountain_syntax import is_cue_name
from simcheck.read.furniture import (
    PAGE_NUMBER,
    is_slug,
    is_transition,
)

SCENE_NUMBER = re.compile(r"^[A-Z]?\d{1,4}[A-Z]?(?:-[A-Z0-9]+)?\.?$")
FURNITURE = re.compile(
    r"^(?:\(MORE\)|\(CONTINUED\)|CONTINUED:?(?: ?\(\d+\))?|\(CONT'D\)|\*+)$", re.IGNORECASE
)
CID = re.compile(r"\(cid:\d+\)")
DIGITS = re.compile(r"\d+")
DEFAULT_CHAR_WIDTH = 7.2  # Courier 12 pt


@dataclass
class Segment:
    x0: float
    x1: float
    top: float
    text: str
    page: int
    row: int = 0  # 1-based printed line of the page


@dataclass
class Line:
    top: float
    page: int
    row: int = 0  # 1-based printed line of the page (every line with text, furniture included)
    segments: list[Segment] = field(default_factory=list)
    scene_number: str | None = None


@dataclass(frozen=True)
class Columns:
    action: float
    dialogue: float
    cue: float
    transition: float
    char_width: float
    right: float = 0.0  # right edge of the action text (centred lines are centred between it and action)


def lines_of_page(page: Any, number: int) -> tuple[list[Line], float]:
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    widths = [(w["x1"] - w["x0"]) / len(w["text"]) for w in words if w["text"]]
    char_width = sorted(widths)[len(widths) // 2] if widths else DEFAULT_CHAR_WIDTH
    rows: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[Line] = []
    for index, row in enumerate(rows, start=1):
        row.sort(key=lambda w: w["x0"])
        line = Line(top=row[0]["top"], page=number, row=index)
        for word in row:
            gap_ok = line.segments and word["x0"] - line.segments[-1].x1 <= 2.5 * char_width
            if gap_ok:
                segment = line.segments[-1]
                spaces = max(1, round((word["x0"] - segment.x1) / char_width))
                segment.text += " " * min(spaces, 1) + word["text"]
                segment.x1 = word["x1"]
            else:
                line.segments.append(
                    Segment(word["x0"], word["x1"], word["top"], word["text"], number, index)
                )
        lines.append(line)
    return lines, char_width


def strip_furniture(lines: list[Line], width: float, height: float) -> list[Line]:
    kept: list[Line] = []
    for index, line in enumerate(lines):
        # revision marks at the right margin
        segments = [s for s in line.segments if not (s.text.strip("*") == "" and s.x0 > 0.75 * width)]
        if not segments:
            continue
        edge = line.top < 0.12 * height or line.top > 0.88 * height or index == 0
        outer = index == 0 or index == len(lines) - 1
        # scene numbers in the margins: "12   INT. KITCHEN - NIGHT   12", "1B   CONTINUED:   1B"
        if len(segments) >= 2 and SCENE_NUMBER.match(segments[0].text) and segments[0].x0 < 0.2 * width:
            line.scene_number = segments[0].text.rstrip(".")
            segments = segments[1:]
            if len(segments) >= 2 and segments[-1].text.rstrip(".") == line.scene_number:
                segments = segments[:-1]
        elif (
            len(segments) >= 2
            and SCENE_NUMBER.match(segments[-1].text)
            and segments[-1].x0 > 0.8 * width
            and (is_slug(" ".join(s.text for s in segments[:-1])) or FURNITURE.match(segments[0].text))
        ):
            line.scene_number = segments[-1].text.rstrip(".")  # a scene number in the right margin only
            segments = segments[:-1]
        # page numbers: alone on a line near the top or bottom edge, right or centre
        elif len(segments) == 1 and PAGE_NUMBER.match(segments[0].text) and edge:
            continue
        elif (
            len(segments) >= 2
            and PAGE_NUMBER.match(segments[-1].text)
            and segments[-1].x0 > 0.6 * width
            and edge
        ):
            if all(FURNITURE.match(s.text) for s in segments[:-1]):
                segments = segments[:-1]  # a page number at the right of a "CONTINUED:" header line
            elif outer:
                continue  # a page header or footer: "TITLE - Blue Rev. (3/4/25)     12."
        line.segments = segments
        kept.append(line)
    return kept


def drop_running_heads(lines: list[Line], pages: int) -> list[Line]:
    """A line that tops (or ends) most pages with the same text, set apart from the text under (above)
    it by a blank line, is a running header (or footer): a cue or ``(MORE)`` that often starts or ends
    a page has its speech straight under or above it."""
    if pages < 3:
        return lines
    edges: dict[int, str] = {}  # id of a first or last line on its page -> its text, digits masked
    for index, line in enumerate(lines):
        text = DIGITS.sub("#", " ".join(s.text for s in line.segments))
        before = lines[index - 1] if index else None
        after = lines[index + 1] if index + 1 < len(lines) else None
        if FURNITURE.match(text):
            continue
        first = before is None or before.page != line.page
        last = after is None or after.page != line.page
        apart_below = last or (after is not None and after.top - line.top > 18)
        apart_above = first or (before is not None and line.top - before.top > 18)
        if (first and apart_below) or (last and apart_above):
            edges[id(line)] = text
    counts = Counter(edges.values())
    running = {text for text, count in counts.items() if count >= max(3, pages // 2)}
    return [line for line in lines if edges.get(id(line)) not in running]


def follows(lines: list[Line], index: int, gap: float) -> Line | None:
    """The line after ``index`` when it follows straight on (same page, no blank line between)."""
    if index + 1 >= len(lines):
        return None
    line, nxt = lines[index], lines[index + 1]
    return nxt if nxt.page == line.page and 0 < nxt.top - line.top <= gap else None


def calibrate(lines: list[Line], char_width: float) -> Columns:
    """Find the action, dialogue and cue columns from the segments' left edges.

    Cues and dialogue are found where a short capitalised segment has a line straight under it that
    starts further left (its speech). Where a document has too few of them, the busiest columns are
    taken, and where there are too few lines to show a column (2 segments or more), the standard
    screenplay layout is used relative to the action column: dialogue 1 inch right of it, cues 2.2
    inches, transitions 4 inches. The action column is never right of the standard 1.5 inch margin
    (a short document may have no action line at all).
    """
    lefts = Counter(round(s.x0) for line in lines for s in line.segments)
    if not lefts:
        return Columns(108, 180, 266, 396, char_width, 540)
    total = sum(lefts.values())
    busy = [x for x, c in lefts.items() if c >= max(2, 0.08 * total)]
    action = float(min(min(busy) if busy else min(lefts), 108))
    speech_cues: Counter[int] = Counter()
    speech_lines: Counter[int] = Counter()
    for index, line in enumerate(lines):
        if len(line.segments) != 1 or not cue_like(line.segments[0].text):
            continue
        x = line.segments[0].x0
        if x <= action + 4 * char_width:
            continue
        j = index
        follower = follows(lines, j, 20)
        while follower is not None and follower.segments[0].text.startswith("("):
            j += 1
            follower = follows(lines, j, 20)
        if follower is None:
            continue
        if action + 4 * char_width <= follower.segments[0].x0 <= x - 2 * char_width:
            speech_cues[round(x)] += 1
            speech_lines[round(follower.segments[0].x0)] += 1
    if sum(speech_cues.values()) >= 2 and speech_lines.most_common(1)[0][1] >= 2:
        cue = float(speech_cues.most_common(1)[0][0])
        dialogue = float(speech_lines.most_common(1)[0][0])
    else:
        cues = Counter(
            round(s.x0)
            for line in lines
            for s in line.segments
            if s.x0 > action + 4 * char_width and cue_like(s.text)
        )
        others = Counter(
            round(s.x0)
            for line in lines
            for s in line.segments
            if s.x0 > action + 4 * char_width and not is_cue_name(s.text) and not s.text.startswith("(")
        )
        top_cue = cues.most_common(1)[0] if cues else (0, 0)
        top_dialogue = others.most_common(1)[0] if others else (0, 0)
        cue = float(top_cue[0]) if top_cue[1] >= 2 else action + 158
        dialogue = float(top_dialogue[0]) if top_dialogue[1] >= 2 else action + 72
    if dialogue >= cue - 4 * char_width:
        dialogue, cue = action + 72, max(cue, action + 158)
    ends = sorted(s.x1 for line in lines for s in line.segments if s.x0 < dialogue - 2 * char_width)
    right = ends[int(0.95 * (len(ends) - 1))] if len(ends) >= 10 else action + 432
    transition = max(cue + 15 * char_width, action + 288)
    return Columns(action, dialogue, cue, transition, char_width, max(right, action + 288))


def cue_like(text: str) -> bool:
    return (
        is_cue_name(text)
        and not text.startswith("(")
        and len(text) <= 50
        and not text.endswith(":")
        and not is_transition(text)
        and text.count(")") <= text.count("(")  # not the end of a parenthetical: "LENNOX)"
        and not FURNITURE.match(text)
    )
