"""PDF screenplays, read with pdfplumber (MIT; pdfminer.six underneath, MIT).

Each page's words are grouped into lines (by baseline) and lines into segments (a wide horizontal
gap starts a new segment: dual dialogue columns, margin scene numbers, revision marks). The
indentation columns are calibrated per document from the left edges of the segments: the action
column (the leftmost busy column), the cue column (where short capitalised segments sit) and the
dialogue column (the busiest column between them); transitions sit far right. Page furniture is
removed: page numbers, ``(MORE)``, ``(CONTINUED)``, ``CONTINUED:``, revision asterisks, and the
repeated ``NAME (CONT'D)`` cue that continues a speech across a page break. Scene numbers in the
margins become ``Scene.scene_number``.

``Script.text`` is reconstructed: one paragraph per line (wrapped lines joined by a space).
``Element.page`` is the 1-based PDF page where the paragraph starts, ``Element.page_line`` the line of
that page where it starts (1-based, counting every printed line of the page, furniture such as page
numbers included, as a reader counts them) and ``Element.top`` the distance in points from the top of
that page to its first line.
"""

from __future__ import annotations

import io
from typing import Any

from simcheck.errors import InputError
from simcheck.model import (
    ACTION,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    PARENTHETICAL,
    SCENE_HEADING,
    TRANSITION,
    Script,
)
from simcheck.read.assemble import Paragraph, normalise_name, script_from_paragraphs, split_cue
from simcheck.read.caps import check_chars, check_page_content, check_page_count, check_pdf_streams
from simcheck.read.fountain_syntax import HEADING
from simcheck.read.furniture import (
    MAX_TITLE_LINE_CHARS,
    MAX_TITLE_LINES,
    MORE,
    carries_on,
    is_by_line,
    is_slug,
    is_transition,
)
from simcheck.read.pdf_layout import (
    CID,
    DEFAULT_CHAR_WIDTH,
    FURNITURE,
    Columns,
    Line,
    Segment,
    calibrate,
    cue_like,
    drop_running_heads,
    lines_of_page,
    strip_furniture,
)


def read_pdf(path: str, data: bytes, strict: bool = False) -> Script:
    try:
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as error:  # pragma: no cover - pdfplumber is a dependency
        raise InputError(path, f"PDF support is not installed ({error.name})") from None
    all_lines: list[Line] = []
    page_width = 612.0
    pages = 0
    widths: list[float] = []
    check_pdf_streams(data, path)  # caps (simcheck.read.caps): checked before pdfminer does the work
    chars = 0
    try:
        pdf = pdfplumber.open(io.BytesIO(data))
        check_page_count(pdf.doc, path)  # before pdfplumber lists every page (closing it lists them too)
        with pdf:
            pages = len(pdf.pages)
            page_width = float(pdf.pages[0].width) if pages else 612.0
            for number, page in enumerate(pdf.pages, start=1):
                check_page_content(page.page_obj.contents, number, path)
                lines, char_width = lines_of_page(page, number)
                chars = check_chars(chars + len(page.chars), path)
                page.close()  # its layout is no longer needed: memory stays flat over the pages
                widths.append(char_width)
                all_lines.extend(strip_furniture(lines, float(page.width), float(page.height)))
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise InputError(path, "encrypted PDF: remove the password first") from None
    except InputError:
        raise
    except Exception as error:  # pdfminer raises many unrelated types for broken files
        detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise InputError(path, f"not a readable PDF ({detail})") from None
    if not any(s.text.strip() for line in all_lines for s in line.segments):
        raise InputError(path, "no text layer: scanned PDF? (run OCR first)")
    all_lines = drop_running_heads(all_lines, pages)
    char_width = sorted(widths)[len(widths) // 2] if widths else DEFAULT_CHAR_WIDTH
    columns = calibrate(all_lines, char_width)
    assumptions: list[str] = []
    undecodable = 0
    for line in all_lines:
        for segment in line.segments:
            if "\x00" in segment.text or "(cid:" in segment.text:
                undecodable += segment.text.count("\x00") + segment.text.count("(cid:")
                segment.text = CID.sub("\ufffd", segment.text.replace("\x00", "\ufffd"))
    if undecodable and not strict:
        assumptions.append(f"{undecodable} characters could not be decoded (a font without a Unicode map)")
    reader = _Reader(all_lines, columns, page_width)
    title_items: list[tuple[str | None, str, int | None]] = []
    title: str | None = None
    first = reader.body_start()
    if first:
        for line in all_lines[:first]:
            title_items.extend((None, s.text, None) for s in line.segments)
        title = title_items[0][1] if title_items and not strict else None
        if not strict:
            last_page = all_lines[first - 1].page
            where = (
                "page 1" if last_page == 1 and all_lines[first].page > 1 else f"the top of page {last_page}"
            )
            assumptions.append(f"{where}: read as a title page (no speech, set apart from the script)")
    if not strict:
        assumptions.append(
            f"columns: action {columns.action:.0f} pt, dialogue {columns.dialogue:.0f} pt, cues "
            f"{columns.cue:.0f} pt, transitions from {columns.transition:.0f} pt"
        )
    body = reader.read(first)
    return script_from_paragraphs(
        path=path,
        fmt="pdf",
        body=body,
        title_page=title_items,
        title=title,
        data=data,
        encoding="pdf",
        assumptions=assumptions,
    )


def _paragraphs(lines: list[Line], columns: Columns, page_width: float = 612.0) -> list[Paragraph]:
    """Classify segments by column and join wrapped lines into paragraphs."""
    return _Reader(lines, columns, page_width).read(0)


class _Reader:
    """Segments classified by column and joined into paragraphs, one pass over the lines."""

    def __init__(self, lines: list[Line], columns: Columns, page_width: float) -> None:
        self.lines = lines
        self.c = columns
        self.tolerance = 2 * columns.char_width
        self.middle = (columns.action + columns.right) / 2 if columns.right else page_width / 2
        self.page_middle = page_width / 2
        gaps = sorted(
            b.top - a.top
            for a, b in zip(lines, lines[1:], strict=False)
            if a.page == b.page and 6 < b.top - a.top < 20
        )
        self.line_height = gaps[len(gaps) // 4] if gaps else 12.0
        self.out: list[Paragraph] = []
        self.open_kind: str | None = None
        self.open_texts: list[str] = []
        self.open_page = 1
        self.open_top = 0.0
        self.open_row = 0
        self.line_row = 0
        self.open_number: str | None = None
        self.line_top = 0.0

    # --- looking around ------------------------------------------------------------------------
    def continues(self, index: int) -> bool:
        """Line ``index`` follows the line before it with no blank line between."""
        if index <= 0 or index >= len(self.lines):
            return False
        a, b = self.lines[index - 1], self.lines[index]
        return a.page == b.page and b.top - a.top <= self.line_height * 1.5

    def alone(self, index: int) -> bool:
        return not self.continues(index) and not self.continues(index + 1)

    def speech_follows(self, index: int, cue_x: float) -> bool:
        index += 1
        while (
            self.continues(index)
            and all(FURNITURE.match(s.text) and not MORE.match(s.text) for s in self.lines[index].segments)
            and self.continues(index + 1)
        ):
            index += 1  # "(CONT'D)" on a line of its own under the cue
        if not self.continues(index):
            return False
        segments = self.lines[index].segments
        x, text = segments[0].x0, segments[0].text
        if text.startswith("("):
            return self.c.dialogue - self.tolerance <= x < cue_x + 4 * self.c.char_width
        return abs(x - self.c.dialogue) <= self.tolerance and x < cue_x - self.c.char_width

    def dual_starts(self, index: int) -> bool:
        segments = self.lines[index].segments
        return (
            len(segments) == 2
            and all(cue_like(s.text) for s in segments)
            and segments[0].x0 > self.c.action + self.c.char_width
            and segments[1].x0 > min(self.middle, self.page_middle) - self.tolerance
            and self.continues(index + 1)
        )

    def centred(self, segment: Segment) -> bool:
        centre = (segment.x0 + segment.x1) / 2
        slack = 3 * self.c.char_width
        return segment.x0 > self.c.dialogue and (
            abs(centre - self.middle) < slack or abs(centre - self.page_middle) < slack
        )

    def body_start(self) -> int:
        """Index of the first line of the script after a title page (0 when there is none).

        The lines before the first heading, shot, ``FADE IN:``, speech or dual dialogue are a title page
        when they are few and short, hold no speech, and either have an indented (centred) credit line
        (``Written by``) or are on a page of their own and have an indented (centred) line."""
        by_line = indented = False
        lines = self.lines
        for index, line in enumerate(lines):
            segment = line.segments[0]
            text = segment.text
            zone = segment.x0 < self.c.dialogue - self.tolerance
            if (
                (zone and (HEADING.match(text) or line.scene_number or text.startswith("FADE IN")))
                or (zone and self.alone(index) and is_slug(text))
                or (len(line.segments) == 1 and cue_like(text) and self.speech_follows(index, segment.x0))
                or self.dual_starts(index)
            ):
                set_apart = (line.page > lines[0].page and indented) or by_line
                return index if index and set_apart and index <= MAX_TITLE_LINES else 0
            if any(len(s.text) > MAX_TITLE_LINE_CHARS for s in line.segments):
                return 0
            for s in line.segments:
                if s.x0 > self.c.action + 4 * self.c.char_width:
                    indented = True
                    by_line = by_line or is_by_line(s.text)
        return 0

    # --- paragraphs ----------------------------------------------------------------------------
    def close(self) -> None:
        if self.open_kind is not None and self.open_texts:
            self.out.append(
                Paragraph(
                    self.open_kind,
                    " ".join(self.open_texts),
                    page=self.open_page,
                    scene_number=self.open_number,
                    top=round(self.open_top, 1),
                    page_line=self.open_row or None,
                )
            )
        self.open_kind, self.open_texts = None, []

    def start(self, kind: str, text: str, page: int, number: str | None = None) -> None:
        self.close()
        self.open_kind, self.open_texts, self.open_page = kind, [text], page
        self.open_number, self.open_top, self.open_row = number, self.line_top, self.line_row

    def dual(self, index: int) -> int:
        """Read the dual-dialogue block whose two cues are on line ``index``; returns the next line."""
        lines = self.lines
        end = index + 1
        while end < len(lines) and self.continues(end):
            end += 1
        cues = lines[index].segments
        rights = [lines[i].segments[-1].x0 for i in range(index + 1, end) if len(lines[i].segments) >= 2]
        boundary = min([cues[1].x0, *rights]) - self.c.char_width / 2
        self.close()
        for side in (0, 1):
            parts: list[list[Any]] = []  # [kind, [texts], page, top, row]
            for i in range(index, end):
                for segment in lines[i].segments:
                    if (segment.x0 >= boundary) != bool(side):
                        continue
                    text = segment.text.strip()
                    if not parts:
                        parts.append([CHARACTER, [text], segment.page, segment.top, segment.row])
                    elif parts[-1][0] == PARENTHETICAL and not parts[-1][1][-1].endswith(")"):
                        parts[-1][1].append(text)
                    elif text.startswith("("):
                        parts.append([PARENTHETICAL, [text], segment.page, segment.top, segment.row])
                    elif parts[-1][0] == DIALOGUE:
                        parts[-1][1].append(text)
                    else:
                        parts.append([DIALOGUE, [text], segment.page, segment.top, segment.row])
            for kind, texts, page, top, row in parts:
                self.out.append(
                    Paragraph(kind, " ".join(texts), page=page, dual=True, top=round(top, 1), page_line=row)
                )
        return end

    def read(self, first: int) -> list[Paragraph]:  # noqa: C901 - one state machine, kept in one place
        lines, c = self.lines, self.c
        tolerance = self.tolerance
        speaker: str | None = None
        more: str | None = None
        resumable: str | None = None  # the speaker before a blank line: dialogue may go on after it
        index = first
        while index < len(lines):
            line = lines[index]
            self.line_top, self.line_row = line.top, line.row
            continues = index > first and self.continues(index)
            if not continues:
                self.close()
                if more is None:
                    resumable, speaker = speaker, None
            if self.dual_starts(index):
                index = self.dual(index)
                speaker = resumable = more = None
                continue
            alone = self.alone(index) or (index == first and not self.continues(index + 1))
            for segment in (s for s in line.segments if s.text.strip()):
                text = segment.text.strip()
                if FURNITURE.match(text):
                    if MORE.match(text):
                        more = speaker or more
                    continue
                x = segment.x0
                if x < c.dialogue - tolerance:
                    speaker = None
                    more = None
                    if (
                        HEADING.match(text)
                        or (line.scene_number and text.upper() == text != text.lower())
                        or (alone and is_slug(text))
                    ):
                        self.start(SCENE_HEADING, text, line.page, number=line.scene_number)
                        self.close()
                    elif alone and is_transition(text):
                        self.start(TRANSITION, text, line.page)
                        self.close()
                    elif self.open_kind == ACTION and continues:
                        self.open_texts.append(text)
                    else:
                        self.start(ACTION, text, line.page)
                    continue
                if x >= c.dialogue + 1.5 * c.char_width and cue_like(text) and self.speech_follows(index, x):
                    name, extension, _caret = split_cue(text)
                    normalised = normalise_name(name)
                    if more is not None and normalised == more and carries_on(extension):
                        more = None  # the speech goes on after the page break: the repeated cue is furniture
                        self.close()
                        speaker = normalised
                        continue
                    more = resumable = None
                    speaker = normalised
                    self.start(CHARACTER, text, line.page)
                    self.close()
                    continue
                more = None
                if speaker is None and resumable is not None and x < c.cue - tolerance and not self.open_kind:
                    speaker = resumable  # a blank line inside a speech (Fountain's two-space line)
                resumable = None
                if speaker is not None:
                    if self.open_kind == PARENTHETICAL:
                        self.open_texts.append(text)
                        if text.endswith(")"):
                            self.close()
                    elif text.startswith("("):
                        self.start(PARENTHETICAL, text, line.page)
                        if text.endswith(")"):
                            self.close()
                    elif self.open_kind == DIALOGUE:
                        self.open_texts.append(text)
                    else:
                        self.start(DIALOGUE, text, line.page)
                    continue
                right_aligned = segment.x1 >= c.right - 3 * c.char_width or x >= c.transition - tolerance
                if is_transition(text) and right_aligned and not self.centred(segment):
                    self.start(TRANSITION, text, line.page)
                    self.close()
                    continue
                kind = CENTERED if self.centred(segment) else ACTION
                if kind == ACTION and is_transition(text) and x >= c.cue - tolerance:
                    kind = TRANSITION
                if self.open_kind == kind and continues:
                    self.open_texts.append(text)
                else:
                    self.start(kind, text, line.page)
                    if kind == TRANSITION:
                        self.close()
            index += 1
        self.close()
        return self.out
