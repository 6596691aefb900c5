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

from dataclasses import replace

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
from simcheck.read.assemble import make_script, normalise_name, split_cue
from simcheck.read.decode import decode_bytes
from simcheck.read.fountain import parse_fountain
from simcheck.read.fountain_syntax import HEADING
from simcheck.read.furniture import (
    MAX_TITLE_LINE_CHARS,
    MAX_TITLE_LINES,
    carries_on,
    is_by_line,
    is_slug,
    is_transition,
)
from simcheck.read.layout import (
    CENTRE_SLACK,
    DIALOGUE_SLACK,
    Doc,
    Layout,
    Line,
    Piece,
    cue_like,
    detect,
    may_be_laid_out,
    prepare,
    speech_line,
)


class _Reader:
    """One pass over the prepared lines of one layout."""

    def __init__(self, doc: Doc, layout: Layout) -> None:
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

    def action(self, i: int, value: str) -> None:
        """Line ``i`` goes on the action paragraph just above it, or opens one."""
        if self.kind == ACTION and self.last == i - 1:
            self.add(i, value)
        else:
            self.open(ACTION, i, value)

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
        return speech_line(nxt, self.doc.line_text(nxt), self.layout.dialogue, cue_col)

    def dual_starts(self, k: int) -> bool:
        """Two cues side by side, the second right of the middle, speeches under them."""
        lines = self.doc.lines
        line = lines[k]
        layout = self.layout
        middle = (layout.action + (layout.right or layout.cue + 40)) / 2
        return (
            len(line.pieces) == 2
            and all(cue_like(p.text) for p in line.pieces)
            and line.pieces[0].col > layout.action + 2
            and line.pieces[1].col > middle
            and k + 1 < len(lines)
            and bool(lines[k + 1].pieces)
            and not lines[k + 1].furniture
        )

    def is_centred(self, line: Line) -> bool:
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
                or (cue_like(s) and self.speech_follows(k, line.indent))
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
        columns: list[list[tuple[int, Piece]]] = [[], []]
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
            parts: list[tuple[str, list[tuple[int, Piece]]]] = []
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
                else:
                    self.action(k, s)
                k += 1
                continue
            if cue_like(s, colon=True) and indent >= layout.dialogue + 2 and self.speech_follows(k, indent):
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
            else:
                self.action(k, s)
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
    return _read_layout(prepare(text), layout, path=path, data=data, encoding=encoding, strict=strict)


def _read_layout(doc: Doc, layout: Layout, *, path: str, data: bytes, encoding: str, strict: bool) -> Script:
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


def read_plaintext(path: str, data: bytes, strict: bool = False) -> Script:
    text, encoding = decode_bytes(data, path)
    doc = prepare(text) if may_be_laid_out(text) else None
    layout = detect(doc) if doc is not None else None
    if doc is not None and layout is not None:
        return _read_layout(doc, layout, path=path, data=data, encoding=encoding, strict=strict)
    script = parse_fountain(text, path=path, strict=strict, fmt="text", data=data, encoding=encoding)
    structured = any(e.kind in (SCENE_HEADING, CHARACTER) for scene in script.scenes for e in scene.elements)
    return replace(script, format="fountain") if structured else script
