"""Measuring a script laid out by indentation (plain text as screenplay archives and word processors
give it): lines split into pieces with page furniture and margin scene numbers found, and the columns
of cues, dialogue, parentheticals and transitions, learnt from the cues that have a speech under them.
``plaintext`` reads the elements with what is measured here.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from simcheck.model import (
    Lines,
)
from simcheck.read.fountain_syntax import is_cue_name
from simcheck.read.furniture import (
    MORE,
    PAGE_NUMBER,
    PAGE_NUMBER_DOT,
    REVISION_MARK,
    SCENE_NUMBER,
    SHOT,
    is_furniture,
    is_slug,
    is_transition,
)

MIN_INDENTED_SHARE = 0.2  # share of non-blank lines indented past the action column
MIN_COLUMN_LINES = 3  # cues followed by a speech needed to establish the columns
SEGMENT_GAP = 3  # columns of white space that part two pieces of one line (dual dialogue, margins)
DIALOGUE_SLACK = 2  # columns a dialogue line may stray from the dialogue column
CENTRE_SLACK = 4  # columns a centred line's middle may stray from the middle of the text
MAX_LAYOUT_LINE = 400  # characters: a longer line is prose, read as one piece
_WORD = re.compile(r"[^\s\f]+")
_CARD = re.compile(r"(?:SUPER|SUPERIMPOSE|TITLE|CHYRON|CARD|CAPTION|SUBTITLE|LEGEND|NOTE)\b")
_NUMBERED = re.compile(r"^([A-Z]?\d{1,4}[A-Z]{0,2})\.?\s+(\S.*)$")


@dataclass(frozen=True)
class Layout:
    """Columns (in characters, tabs expanded) found in one document."""

    action: int
    dialogue: int
    cue: int
    transition: int
    right: int = 0  # right edge of the action text: centred lines are centred between action and right


@dataclass(frozen=True)
class Piece:
    """A run of text on one line: columns (tabs expanded) and offsets into the text."""

    col: int
    end_col: int
    start: int
    end: int
    text: str


@dataclass
class Line:
    index: int
    pieces: list[Piece]
    number: str | None = None  # scene number found in a margin
    furniture: bool = False
    more: bool = False  # "(MORE)"
    feed: int | None = None  # offset of a form feed on this line

    @property
    def blank(self) -> bool:
        return not self.pieces and not self.furniture

    @property
    def indent(self) -> int:
        return self.pieces[0].col if self.pieces else 0

    @property
    def end_col(self) -> int:
        return self.pieces[-1].end_col if self.pieces else 0


@dataclass
class Doc:
    text: str
    lines: list[Line] = field(default_factory=list)
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    def line_text(self, line: Line) -> str:
        if not line.pieces:
            return ""
        return self.text[line.pieces[0].start : line.pieces[-1].end]


def line_pieces(text: str, start: int, end: int) -> list[Piece]:
    """Split one line into pieces parted by ``SEGMENT_GAP`` columns of white space or more (linear in
    the length of the line, tabs expanded to 8 columns, form feeds taking no column)."""
    groups: list[list[int]] = []  # [col, end col, start, end]
    col = 0
    position = start
    if end - start > MAX_LAYOUT_LINE:  # prose, not a laid-out line: one piece
        a = start + len(text[start:end]) - len(text[start:end].lstrip())
        b = start + len(text[start:end].rstrip())
        indent = len(text[start:a].replace("\f", "").expandtabs(8))
        return [Piece(indent, indent + b - a, a, b, text[a:b])] if b > a else []
    for match in _WORD.finditer(text, start, end):
        a, b = match.span()
        for ch in text[position:a]:
            col = (col // 8 + 1) * 8 if ch == "\t" else col if ch == "\f" else col + 1
        end_col = col + b - a
        if groups and col - groups[-1][1] < SEGMENT_GAP:
            groups[-1][1], groups[-1][3] = end_col, b
        else:
            groups.append([col, end_col, a, b])
        col, position = end_col, b
    return [Piece(c, e, a, b, text[a:b]) for c, e, a, b in groups]


def prepare(text: str) -> Doc:
    """Lines split into pieces, with page furniture and margin scene numbers found."""
    lines = Lines.of(text)
    doc = Doc(text, starts=lines.starts, ends=lines.ends)
    for index, (a, b) in enumerate(zip(lines.starts, lines.ends, strict=True)):
        raw = text[a:b]
        line = Line(index, line_pieces(text, a, b))
        if "\f" in raw:
            line.feed = a + raw.index("\f")
        doc.lines.append(line)
    widths = sorted(line.end_col for line in doc.lines if line.pieces)
    right = widths[int(0.95 * (len(widths) - 1))] if widths else 80
    page_top = True
    for k, line in enumerate(doc.lines):
        if line.feed is not None:
            page_top = True
        pieces = line.pieces
        if not pieces:
            continue
        after_blank = page_top or k == 0 or not doc.lines[k - 1].pieces or doc.lines[k - 1].furniture
        first_on_page = page_top
        before_blank = k + 1 >= len(doc.lines) or not doc.lines[k + 1].pieces
        page_top = False
        # revision marks in the right margin
        if len(pieces) >= 2 and REVISION_MARK.match(pieces[-1].text):
            pieces = pieces[:-1]
        # scene numbers in the margins: "12   INT. KITCHEN - NIGHT   12", "1B   CONTINUED:   1B"
        first = pieces[0]
        numbered = _NUMBERED.match(first.text)
        if len(pieces) >= 2 and SCENE_NUMBER.match(first.text) and not PAGE_NUMBER_DOT.match(first.text):
            line.number = first.text.rstrip(".")
            pieces = pieces[1:]
        elif numbered and is_slug(numbered.group(2)):
            line.number = numbered.group(1)  # "1  EXT. SHORE - DAY": a narrow gap, one piece
            at = numbered.start(2)
            pieces = [Piece(first.col + at, first.end_col, first.start + at, first.end, numbered.group(2))]
            pieces += line.pieces[1:]
        if line.number is not None:
            if len(pieces) >= 2 and pieces[-1].text.rstrip(".") == line.number:
                pieces = pieces[:-1]
        elif (
            len(pieces) >= 2
            and SCENE_NUMBER.match(pieces[-1].text)
            and (is_slug(" ".join(p.text for p in pieces[:-1])) or is_furniture(pieces[0].text))
        ):
            line.number = pieces[-1].text.rstrip(".")
            pieces = pieces[:-1]
        line.pieces = pieces
        joined = doc.line_text(line)
        if MORE.match(joined):
            line.furniture = line.more = True
        elif is_furniture(joined):
            line.furniture = True
        elif (
            len(pieces) == 1
            and PAGE_NUMBER.match(joined)
            and (after_blank or (before_blank and first.col > right * 0.6) or not joined[0].isdigit())
        ):
            line.furniture = True  # a page number standing alone
        elif (
            len(pieces) >= 2
            and PAGE_NUMBER_DOT.match(pieces[-1].text)
            and (pieces[-1].end_col >= right - 4 or first_on_page)
            and (after_blank or is_furniture(pieces[0].text))
        ):
            # a page header: "TITLE - Blue Rev. 3/4/25     12." or "CONTINUED: (2)     12."
            line.furniture = True
        if line.furniture:
            line.number = None
    return doc


def speech_line(line: Line, text: str, dialogue: int, cue_col: int) -> bool:
    """A line that can follow a cue: dialogue at the dialogue column or a parenthetical."""
    if not line.pieces or line.furniture:
        return False
    if text.startswith("("):
        return dialogue - DIALOGUE_SLACK <= line.indent < cue_col + 8
    return abs(line.indent - dialogue) <= DIALOGUE_SLACK


def cue_like(text: str, colon: bool = False) -> bool:
    """A character cue's text; ``colon``: also ``NAME:`` (never in calibration: ``SUPER:``...)."""
    return (
        is_cue_name(text)
        and len(text) <= 50
        and (not text.endswith(":") or (colon and not SHOT.match(text) and not _CARD.match(text)))
        and not is_transition(text)
        and text.count(")") <= text.count("(")  # not the end of a parenthetical: "LENNOX)"
        and not MORE.match(text)
    )


def detect_layout(text: str) -> Layout | None:
    """Calibrate the columns of an indentation-laid-out script, or None for Fountain/prose."""
    return detect(prepare(text)) if may_be_laid_out(text) else None


def detect(doc: Doc) -> Layout | None:
    """The columns, from the cues that have a speech straight under them (further left)."""
    visible = [line for line in doc.lines if line.pieces and not line.furniture]
    if len(visible) < 10:
        return None
    counts = Counter(line.indent for line in visible)
    margin = min(counts)
    cues: Counter[int] = Counter()
    dialogue: Counter[int] = Counter()
    lines = doc.lines
    for k, line in enumerate(lines[:-1]):
        if not line.pieces or line.furniture or len(line.pieces) > 1 or line.indent < margin + 6:
            continue
        if not cue_like(doc.line_text(line)):
            continue
        j = k + 1
        while j < len(lines) and lines[j].pieces and doc.line_text(lines[j]).startswith("("):
            j += 1  # parentheticals under the cue
        follower = lines[j] if j < len(lines) else None
        if follower is None or not follower.pieces or follower.furniture or len(follower.pieces) > 1:
            continue
        if margin + 4 <= follower.indent <= line.indent - 2:
            cues[line.indent] += 1
            dialogue[follower.indent] += 1
    if sum(cues.values()) < MIN_COLUMN_LINES:
        return None
    column, count = dialogue.most_common(1)[0]
    if count < MIN_COLUMN_LINES:
        return None
    cue = cues.most_common(1)[0][0]
    # the action column: the leftmost column left of the dialogue that a good share of lines use
    left = Counter({i: c for i, c in counts.items() if i < column - DIALOGUE_SLACK})
    if not left:
        return None
    busiest = max(left.values())
    action = min(i for i, c in left.items() if c >= 0.1 * busiest)
    indented = sum(c for i, c in counts.items() if i >= action + 6)
    if indented < MIN_INDENTED_SHARE * len(visible):
        return None
    # the right margin: where right-aligned transitions end, or where the longest action lines end
    ends = sorted(line.end_col for line in visible if line.indent < column - DIALOGUE_SLACK)
    right = ends[int(0.95 * (len(ends) - 1))] if len(ends) >= 20 else action + 60
    transitions = sorted(
        line.end_col
        for line in visible
        if line.indent > cue and len(line.pieces) == 1 and is_transition(doc.line_text(line))
    )
    if transitions:
        right = max(right, transitions[len(transitions) // 2])
    return Layout(action=action, dialogue=column, cue=cue, transition=cue + 12, right=right)


def indent(line: str) -> int:
    if not line or not line[0].isspace():
        return 0
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def may_be_laid_out(text: str) -> bool:
    """A quick look before the layout is measured: enough lines, enough of them indented."""
    lines = [line for line in text.replace("\r", "\n").replace("\f", "").split("\n") if line.strip()]
    if len(lines) < 10:
        return False
    indents = Counter(indent(line) for line in lines)
    margin = min((i for i, c in indents.items() if c >= 2), default=min(indents))
    return sum(c for i, c in indents.items() if i >= margin + 6) >= MIN_INDENTED_SHARE * len(lines)
