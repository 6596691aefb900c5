"""Plain text: scripts laid out with indentation (as found on script sites), Fountain, or prose.

The layout is detected from the lines themselves (tabs expanded to 8 columns): where capitalised
short lines (cues) are followed straight away by lines further left but still well right of the left
margin (dialogue), the text is read by column: left column = scene headings, shots and action, cues
(left-aligned or centred: anything right of the dialogue column that a speech follows), dialogue and
parentheticals, transitions and centred lines (``THE END``) right of the dialogue column. Page
furniture is skipped: page numbers (``12.``, ``- 12 -``, ``Page 12``), page headers that end in a page
number, ``(MORE)``, ``(CONTINUED)``, ``CONTINUED:`` and ``CONTINUED: (2)``, revision asterisks, and the
repeated ``NAME (CONT'D)`` cue that carries a speech over a page break; form feeds are page breaks.
Scene numbers in either margin become ``Scene.scene_number``. A capitalised shot line standing alone
at the action margin (``ANGLE ON``, ``CLOSE ON``, ``INSERT``, ``BACK TO SCENE``, ``... POV``) is a scene
heading, as Fountain's forced heading is. Two cues side by side start dual dialogue, read column by
column. What stands before the first heading or ``FADE IN:`` is a title page when it holds no speech
and is set apart by a page break or has a ``by`` line.

Otherwise the text is read with the Fountain rules, where prose simply becomes action paragraphs
(``format`` is then ``"fountain"`` when headings or cues were found, else ``"text"``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field, replace

from simcheck.decode import decode_bytes
from simcheck.formats.assemble import make_script, normalise_name, split_cue
from simcheck.formats.fountain import HEADING, is_cue_name, parse_fountain
from simcheck.formats.furniture import (
    MAX_TITLE_LINE_CHARS,
    MAX_TITLE_LINES,
    MORE,
    PAGE_NUMBER,
    PAGE_NUMBER_DOT,
    REVISION_MARK,
    SCENE_NUMBER,
    SHOT,
    carries_on,
    is_by_line,
    is_furniture,
    is_slug,
    is_transition,
)
from simcheck.formats.lines import split_lines
from simcheck.model import (
    ACTION,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    PAGE_BREAK,
    PARENTHETICAL,
    SCENE_HEADING,
    TITLE_PAGE,
    TRANSITION,
    Element,
    Script,
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
class _Piece:
    """A run of text on one line: columns (tabs expanded) and offsets into the text."""

    col: int
    end_col: int
    start: int
    end: int
    text: str


@dataclass
class _Line:
    index: int
    pieces: list[_Piece]
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
class _Doc:
    text: str
    lines: list[_Line] = field(default_factory=list)
    starts: tuple[int, ...] = ()
    ends: tuple[int, ...] = ()

    def line_text(self, line: _Line) -> str:
        if not line.pieces:
            return ""
        return self.text[line.pieces[0].start : line.pieces[-1].end]


def _pieces(text: str, start: int, end: int) -> list[_Piece]:
    """Split one line into pieces parted by ``SEGMENT_GAP`` columns of white space or more (linear in
    the length of the line, tabs expanded to 8 columns, form feeds taking no column)."""
    groups: list[list[int]] = []  # [col, end col, start, end]
    col = 0
    position = start
    if end - start > MAX_LAYOUT_LINE:  # prose, not a laid-out line: one piece
        a = start + len(text[start:end]) - len(text[start:end].lstrip())
        b = start + len(text[start:end].rstrip())
        indent = len(text[start:a].replace("\f", "").expandtabs(8))
        return [_Piece(indent, indent + b - a, a, b, text[a:b])] if b > a else []
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
    return [_Piece(c, e, a, b, text[a:b]) for c, e, a, b in groups]


def _prepare(text: str) -> _Doc:
    """Lines split into pieces, with page furniture and margin scene numbers found."""
    lines = split_lines(text)
    doc = _Doc(text, starts=lines.starts, ends=lines.ends)
    for index, (a, b) in enumerate(zip(lines.starts, lines.ends, strict=True)):
        raw = text[a:b]
        line = _Line(index, _pieces(text, a, b))
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
            pieces = [_Piece(first.col + at, first.end_col, first.start + at, first.end, numbered.group(2))]
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


def _speech_line(line: _Line, text: str, dialogue: int, cue_col: int) -> bool:
    """A line that can follow a cue: dialogue at the dialogue column or a parenthetical."""
    if not line.pieces or line.furniture:
        return False
    if text.startswith("("):
        return dialogue - DIALOGUE_SLACK <= line.indent < cue_col + 8
    return abs(line.indent - dialogue) <= DIALOGUE_SLACK


def _cue_like(text: str, colon: bool = False) -> bool:
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
    return _detect(_prepare(text)) if _may_be_laid_out(text) else None


def _detect(doc: _Doc) -> Layout | None:
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
        if not _cue_like(doc.line_text(line)):
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


class _Reader:
    """One pass over the prepared lines of one layout."""

    def __init__(self, doc: _Doc, layout: Layout) -> None:
        self.doc = doc
        self.text = doc.text
        self.layout = layout
        self.elements: list[Element] = []
        self.title_page: list[Element] = []
        self.scene_numbers: dict[int, str] = {}
        self.page = 1
        self.speaker: str | None = None
        self.more: str | None = None  # speaker whose speech was cut by "(MORE)"
        self.resumable: str | None = None  # speaker of a speech that a blank line may have paused
        self.kind: str | None = None  # kind of the open multi-line element
        self.first = self.last = 0
        self.texts: list[str] = []
        self.extra: dict[str, str | None] = {}

    # --- elements ------------------------------------------------------------------------------
    def span(self, a: int, b: int) -> tuple[int, int]:
        """Lines ``a`` to ``b`` as written (scene numbers and revision marks included), trimmed."""
        return _skip_space(self.text, self.doc.starts[a], self.doc.ends[a]), _trim_space(
            self.text, self.doc.starts[b], self.doc.ends[b]
        )

    def close(self) -> None:
        if self.kind is None:
            return
        s, e = self.span(self.first, self.last)
        self.elements.append(
            Element(
                self.kind,
                "\n".join(self.texts).strip(),
                s,
                e,
                self.first + 1,
                character=self.extra.get("character"),
                extension=self.extra.get("extension"),
                page=self.page,
            )
        )
        self.kind, self.texts = None, []
        self.extra.clear()

    def open(self, kind: str, i: int, value: str, **attrs: str | None) -> None:
        self.close()
        self.kind, self.first, self.last, self.texts = kind, i, i, [value]
        self.extra.update(attrs)

    def add(self, i: int, value: str) -> None:
        self.texts.append(value)
        self.last = i

    def one(self, kind: str, i: int, value: str, **attrs: str | None) -> Element:
        self.open(kind, i, value, **attrs)
        self.close()
        return self.elements[-1]

    # --- looking around ------------------------------------------------------------------------
    def next_visible(self, k: int) -> int | None:
        """The next line after ``k`` that is not furniture (blank lines count)."""
        lines = self.doc.lines
        j = k + 1
        while j < len(lines) and lines[j].furniture:
            j += 1
        return j if j < len(lines) else None

    def alone_after(self, k: int) -> bool:
        j = self.next_visible(k)
        return j is None or self.doc.lines[j].blank

    def speech_follows(self, k: int, cue_col: int) -> bool:
        lines = self.doc.lines
        j = k + 1
        while j < len(lines) and lines[j].furniture and not lines[j].more:
            j += 1  # "(CONT'D)" on a line of its own under the cue
        if j >= len(lines):
            return False
        nxt = lines[j]
        return _speech_line(nxt, self.doc.line_text(nxt), self.layout.dialogue, cue_col)

    def dual_starts(self, k: int) -> bool:
        """Two cues side by side, the second right of the middle, speeches under them."""
        lines = self.doc.lines
        line = lines[k]
        layout = self.layout
        middle = (layout.action + (layout.right or layout.cue + 40)) / 2
        return (
            len(line.pieces) == 2
            and all(_cue_like(p.text) for p in line.pieces)
            and line.pieces[0].col > layout.action + 2
            and line.pieces[1].col > middle
            and k + 1 < len(lines)
            and bool(lines[k + 1].pieces)
            and not lines[k + 1].furniture
        )

    def is_centred(self, line: _Line) -> bool:
        layout = self.layout
        middle = (layout.action + (layout.right or layout.cue + 40)) / 2
        return abs((line.indent + line.end_col) / 2 - middle) <= CENTRE_SLACK

    # --- title page ----------------------------------------------------------------------------
    def body_start(self) -> int:
        """Index of the first line of the body after a title page (0 if there is none).

        The lines before the first heading, shot, ``FADE IN:``, speech or dual dialogue are a title page
        when they are few and short, hold no speech, and either have an indented (centred) credit line
        (``Written by``) or are set apart by a page break and have an indented (centred) line."""
        lines = self.doc.lines
        layout = self.layout
        broken = by_line = indented = False
        count = 0
        for k, line in enumerate(lines):
            if (line.feed is not None or line.furniture) and count:
                broken = True
            if not line.pieces or line.furniture:
                continue
            s = self.doc.line_text(line)
            zone = line.indent < layout.dialogue - DIALOGUE_SLACK
            alone = (k == 0 or not lines[k - 1].pieces or lines[k - 1].furniture) and self.alone_after(k)
            if (
                (zone and (HEADING.match(s) or line.number is not None or s.upper().startswith("FADE IN")))
                or (zone and alone and is_slug(s))
                or (_cue_like(s) and self.speech_follows(k, line.indent))
                or self.dual_starts(k)
            ):
                if count and count <= MAX_TITLE_LINES and (by_line or (broken and indented)):
                    return k
                return 0
            if any(len(piece.text) > MAX_TITLE_LINE_CHARS for piece in line.pieces):
                return 0
            count += 1
            if line.indent >= layout.action + 6:
                indented = True
                by_line = by_line or is_by_line(s)
        return 0

    def read_title_page(self, end: int, strict: bool) -> str | None:
        title = None
        for line in self.doc.lines[:end]:
            if line.furniture:
                continue
            for piece in line.pieces:
                self.title_page.append(
                    Element(TITLE_PAGE, piece.text, piece.start, piece.end, line.index + 1)
                )
                if title is None and not strict:
                    title = " ".join(piece.text.split())
        return title

    # --- dual dialogue -------------------------------------------------------------------------
    def dual(self, k: int) -> int:
        """Read the dual-dialogue block starting with the two cues on line ``k``; returns the line after."""
        lines = self.doc.lines
        block = [k]
        j = k + 1
        while j < len(lines) and lines[j].pieces and not lines[j].furniture:
            block.append(j)
            j += 1
        cues = lines[k].pieces
        rights = [lines[i].pieces[-1].col for i in block[1:] if len(lines[i].pieces) >= 2]
        boundary = min([cues[-1].col, *rights]) - 1
        columns: list[list[tuple[int, _Piece]]] = [[], []]
        for i in block:
            for piece in lines[i].pieces:
                columns[0 if piece.col < boundary else 1].append((i, piece))
        self.close()
        for column in columns:
            if not column:
                continue
            (i0, cue), rest = column[0], column[1:]
            name, extension, _ = split_cue(cue.text)
            speaker = normalise_name(name)
            self.elements.append(
                Element(CHARACTER, name, cue.start, cue.end, i0 + 1, speaker, extension, True, page=self.page)
            )
            parts: list[tuple[str, list[tuple[int, _Piece]]]] = []
            for i, piece in rest:
                open_paren = (
                    parts and parts[-1][0] == PARENTHETICAL and not parts[-1][1][-1][1].text.endswith(")")
                )
                if open_paren:
                    parts[-1][1].append((i, piece))
                elif piece.text.startswith("("):
                    parts.append((PARENTHETICAL, [(i, piece)]))
                elif parts and parts[-1][0] == DIALOGUE:
                    parts[-1][1].append((i, piece))
                else:
                    parts.append((DIALOGUE, [(i, piece)]))
            for kind, pieces in parts:
                self.elements.append(
                    Element(
                        kind,
                        "\n".join(p.text for _, p in pieces),
                        pieces[0][1].start,
                        pieces[-1][1].end,
                        pieces[0][0] + 1,
                        speaker,
                        dual=True,
                        page=self.page,
                    )
                )
        self.speaker = self.resumable = self.more = None
        return j

    # --- the body ------------------------------------------------------------------------------
    def read(self, first: int) -> None:  # noqa: C901 - one state machine, kept in one place
        lines = self.doc.lines
        layout = self.layout
        left_zone = layout.dialogue - DIALOGUE_SLACK
        k = first
        while k < len(lines):
            line = lines[k]
            if line.feed is not None and (k > first or first == 0):
                self.close()
                self.elements.append(Element(PAGE_BREAK, "", line.feed, line.feed + 1, k + 1, page=self.page))
                self.page += 1
            if line.furniture:
                if line.more:
                    self.close()
                    self.more = self.speaker or self.more
                k += 1
                continue
            if not line.pieces:
                self.close()
                if self.speaker is not None and self.more is None:
                    self.resumable, self.speaker = self.speaker, None
                k += 1
                continue
            s = self.doc.line_text(line)
            indent = line.indent
            prev_blank = (
                k == first or lines[k - 1].blank or lines[k - 1].furniture or lines[k - 1].feed is not None
            )
            # dual dialogue: two cues side by side with their speeches under them
            if self.dual_starts(k):
                k = self.dual(k)
                continue
            if indent < left_zone:
                self.speaker = self.resumable = None
                if self.more is not None:
                    self.more = None
                alone = prev_blank and self.alone_after(k)
                heading = HEADING.match(s) or (line.number is not None and s.upper() == s != s.lower())
                if heading or (alone and is_slug(s)):
                    element = self.one(SCENE_HEADING, k, s)
                    if line.number:
                        self.scene_numbers[element.start] = line.number
                elif alone and is_transition(s):
                    self.one(TRANSITION, k, s)
                elif self.kind == ACTION and self.last == k - 1:
                    self.add(k, s)
                else:
                    self.open(ACTION, k, s)
                k += 1
                continue
            if _cue_like(s, colon=True) and indent >= layout.dialogue + 2 and self.speech_follows(k, indent):
                name, extension, _ = split_cue(s)
                name = name.rstrip(":").rstrip()  # "ODA:"
                speaker = normalise_name(name)
                if self.more is not None and speaker == self.more and carries_on(extension):
                    self.close()  # the speech goes on after a page break: the repeated cue is furniture
                else:
                    self.one(CHARACTER, k, name, character=speaker, extension=extension)
                self.more = self.resumable = None
                self.speaker = speaker
                k += 1
                continue
            self.more = None
            at_dialogue = abs(indent - layout.dialogue) <= DIALOGUE_SLACK or s.startswith("(")
            if self.speaker is None and self.resumable is not None and prev_blank and at_dialogue:
                self.speaker = self.resumable  # a blank line inside a long speech
            self.resumable = None
            if self.speaker is not None:
                if self.kind == PARENTHETICAL and not self.texts[-1].endswith(")"):
                    self.add(k, s)
                elif s.startswith("("):
                    self.open(PARENTHETICAL, k, s, character=self.speaker)
                elif self.kind == DIALOGUE and self.last == k - 1:
                    self.add(k, s)
                else:
                    self.open(DIALOGUE, k, s, character=self.speaker)
                k += 1
                continue
            if is_transition(s) and line.end_col >= layout.right - 4 and not self.is_centred(line):
                self.one(TRANSITION, k, s)
            elif prev_blank and self.alone_after(k) and self.is_centred(line):
                self.one(CENTERED, k, s)
            elif is_transition(s):
                self.one(TRANSITION, k, s)
            elif self.kind == ACTION and self.last == k - 1:
                self.add(k, s)
            else:
                self.open(ACTION, k, s)
            k += 1
        self.close()


def _skip_space(text: str, s: int, e: int) -> int:
    while s < e and text[s] in " \t\f\u00a0":
        s += 1
    return s


def _trim_space(text: str, s: int, e: int) -> int:
    while e > s and text[e - 1] in " \t\f\u00a0":
        e -= 1
    return e


def read_layout(
    text: str, layout: Layout, *, path: str, data: bytes, encoding: str, strict: bool = False
) -> Script:
    return _read_layout(_prepare(text), layout, path=path, data=data, encoding=encoding, strict=strict)


def _read_layout(doc: _Doc, layout: Layout, *, path: str, data: bytes, encoding: str, strict: bool) -> Script:
    reader = _Reader(doc, layout)
    first = reader.body_start()
    title = reader.read_title_page(first, strict) if first else None
    reader.read(first)
    assumptions = []
    if not strict:
        assumptions.append(
            f"layout: read by indentation (action column {layout.action}, dialogue {layout.dialogue}, "
            f"cues {layout.cue}, transitions from {layout.transition})"
        )
        if first:
            assumptions.append(
                f"lines 1-{first}: read as a title page (no speech, set apart from the script)"
            )
    return make_script(
        path=path,
        fmt="text",
        text=doc.text,
        elements=reader.elements,
        title_page=reader.title_page,
        title=title,
        data=data,
        encoding=encoding,
        assumptions=assumptions,
        scene_numbers=reader.scene_numbers,
        ordered=True,
    )


def _indent(line: str) -> int:
    if not line or not line[0].isspace():
        return 0
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def _may_be_laid_out(text: str) -> bool:
    """A quick look before the layout is measured: enough lines, enough of them indented."""
    lines = [line for line in text.replace("\r", "\n").replace("\f", "").split("\n") if line.strip()]
    if len(lines) < 10:
        return False
    indents = Counter(_indent(line) for line in lines)
    margin = min((i for i, c in indents.items() if c >= 2), default=min(indents))
    return sum(c for i, c in indents.items() if i >= margin + 6) >= MIN_INDENTED_SHARE * len(lines)


def read_plaintext(path: str, data: bytes, strict: bool = False) -> Script:
    text, encoding = decode_bytes(data, path)
    doc = _prepare(text) if _may_be_laid_out(text) else None
    layout = _detect(doc) if doc is not None else None
    if doc is not None and layout is not None:
        return _read_layout(doc, layout, path=path, data=data, encoding=encoding, strict=strict)
    script = parse_fountain(text, path=path, strict=strict, fmt="text", data=data, encoding=encoding)
    structured = any(e.kind in (SCENE_HEADING, CHARACTER) for scene in script.scenes for e in scene.elements)
    return replace(script, format="fountain") if structured else script
