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
import re
from collections import Counter
from dataclasses import dataclass, field
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
from simcheck.read.assemble import Paragraph, is_contd, normalise_name, script_from_paragraphs, split_cue
from simcheck.read.fountain_syntax import HEADING, LENIENT_TRANSITION, is_cue_name

_PAGE_NUMBER = re.compile(r"^\d{1,4}[A-Z]?\.?$")
_SCENE_NUMBER = re.compile(r"^[A-Z]?\d{1,4}[A-Z]?(?:-[A-Z0-9]+)?\.?$")
_FURNITURE = re.compile(
    r"^(?:\(MORE\)|\(CONTINUED\)|CONTINUED:?(?: ?\(\d+\))?|\(CONT'D\)|\*+)$", re.IGNORECASE
)
_CID = re.compile(r"\(cid:\d+\)")
_DEFAULT_CHAR_WIDTH = 7.2  # Courier 12 pt


@dataclass
class _Segment:
    x0: float
    x1: float
    top: float
    text: str
    page: int
    row: int = 0  # 1-based printed line of the page


@dataclass
class _Line:
    top: float
    page: int
    row: int  # 1-based printed line of the page (every line with text, furniture included)
    segments: list[_Segment] = field(default_factory=list)
    scene_number: str | None = None


@dataclass(frozen=True)
class Columns:
    action: float
    dialogue: float
    cue: float
    transition: float
    char_width: float


def _lines_of_page(page: Any, number: int) -> tuple[list[_Line], float]:
    words = page.extract_words(x_tolerance=1.5, y_tolerance=2, keep_blank_chars=False)
    widths = [(w["x1"] - w["x0"]) / len(w["text"]) for w in words if w["text"]]
    char_width = sorted(widths)[len(widths) // 2] if widths else _DEFAULT_CHAR_WIDTH
    rows: list[list[dict[str, Any]]] = []
    for word in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if rows and abs(rows[-1][0]["top"] - word["top"]) <= 2:
            rows[-1].append(word)
        else:
            rows.append([word])
    lines: list[_Line] = []
    for index, row in enumerate(rows, start=1):
        row.sort(key=lambda w: w["x0"])
        line = _Line(top=row[0]["top"], page=number, row=index)
        for word in row:
            gap_ok = line.segments and word["x0"] - line.segments[-1].x1 <= 2.5 * char_width
            if gap_ok:
                segment = line.segments[-1]
                spaces = max(1, round((word["x0"] - segment.x1) / char_width))
                segment.text += " " * min(spaces, 1) + word["text"]
                segment.x1 = word["x1"]
            else:
                line.segments.append(
                    _Segment(word["x0"], word["x1"], word["top"], word["text"], number, index)
                )
        lines.append(line)
    return lines, char_width


def _strip_furniture(lines: list[_Line], width: float, height: float) -> list[_Line]:
    kept: list[_Line] = []
    for index, line in enumerate(lines):
        segments = line.segments
        # page numbers: alone on a line near the top or bottom edge, right or centre
        if (
            len(segments) == 1
            and _PAGE_NUMBER.match(segments[0].text)
            and (line.top < 0.12 * height or line.top > 0.88 * height or index == 0)
        ):
            continue
        # a page number at the right of a "CONTINUED:" header line
        if (
            len(segments) >= 2
            and _PAGE_NUMBER.match(segments[-1].text)
            and segments[-1].x0 > 0.6 * width
            and (line.top < 0.12 * height or line.top > 0.88 * height or index == 0)
            and all(_FURNITURE.match(s.text) for s in segments[:-1])
        ):
            segments = segments[:-1]
        # revision marks at the right margin
        segments = [s for s in segments if not (s.text.strip("*") == "" and s.x0 > 0.75 * width)]
        if len(segments) >= 2 and _SCENE_NUMBER.match(segments[0].text) and segments[0].x0 < 0.2 * width:
            line.scene_number = segments[0].text.rstrip(".")
            segments = segments[1:]
            if len(segments) >= 2 and segments[-1].text.rstrip(".") == line.scene_number:
                segments = segments[:-1]
        line.segments = segments
        if segments:
            kept.append(line)
    return kept


def calibrate(lines: list[_Line], char_width: float) -> Columns:
    """Find the action, dialogue and cue columns from the segments' left edges.

    Where a document has too few lines to show a column (2 segments or more), the standard
    screenplay layout is used relative to the action column: dialogue 1 inch right of it, cues
    2.2 inches, transitions 4 inches. The action column is never right of the standard 1.5 inch
    margin (a short document may have no action line at all).
    """
    lefts = Counter(round(s.x0) for line in lines for s in line.segments)
    if not lefts:
        return Columns(108, 180, 266, 396, char_width)
    total = sum(lefts.values())
    busy = [x for x, c in lefts.items() if c >= max(2, 0.08 * total)]
    action = float(min(min(busy) if busy else min(lefts), 108))
    cues = Counter(
        round(s.x0)
        for line in lines
        for s in line.segments
        if s.x0 > action + 4 * char_width
        and is_cue_name(s.text)
        and len(s.text) <= 40
        and not s.text.endswith(":")
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
    return Columns(action, dialogue, cue, max(cue + 15 * char_width, action + 288), char_width)


def _is_title_page(lines: list[_Line], pages: int, columns: Columns) -> bool:
    first = [line for line in lines if line.page == 1]
    if pages < 2 or not first or len(first) > 25:
        return False
    return not any(HEADING.match(s.text) for line in first for s in line.segments)


def read_pdf(path: str, data: bytes, strict: bool = False) -> Script:
    try:  # pdfplumber takes 0.24 s to import (measured): loaded only when a PDF is read
        import pdfplumber
        from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    except ImportError as error:  # pragma: no cover - pdfplumber is a dependency
        raise InputError(path, f"PDF support is not installed ({error.name})") from None
    all_lines: list[_Line] = []
    page_width = 612.0
    pages = 0
    widths: list[float] = []
    try:
        with pdfplumber.open(io.BytesIO(data)) as pdf:
            pages = len(pdf.pages)
            page_width = float(pdf.pages[0].width) if pages else 612.0
            for number, page in enumerate(pdf.pages, start=1):
                lines, char_width = _lines_of_page(page, number)
                widths.append(char_width)
                all_lines.extend(_strip_furniture(lines, float(page.width), float(page.height)))
    except (PDFEncryptionError, PDFPasswordIncorrect):
        raise InputError(path, "encrypted PDF: remove the password first") from None
    except InputError:
        raise
    except Exception as error:  # pdfminer raises many unrelated types for broken files
        detail = str(error).splitlines()[0][:120] if str(error) else type(error).__name__
        raise InputError(path, f"not a readable PDF ({detail})") from None
    if not any(s.text.strip() for line in all_lines for s in line.segments):
        raise InputError(path, "no text layer: scanned PDF? (run OCR first)")
    char_width = sorted(widths)[len(widths) // 2] if widths else _DEFAULT_CHAR_WIDTH
    columns = calibrate(all_lines, char_width)
    assumptions: list[str] = []
    undecodable = 0
    for line in all_lines:
        for segment in line.segments:
            if "\x00" in segment.text or "(cid:" in segment.text:
                undecodable += segment.text.count("\x00") + segment.text.count("(cid:")
                segment.text = _CID.sub("\ufffd", segment.text.replace("\x00", "\ufffd"))
    if undecodable and not strict:
        assumptions.append(f"{undecodable} characters could not be decoded (a font without a Unicode map)")
    title_items: list[tuple[str | None, str, int | None]] = []
    title: str | None = None
    if _is_title_page(all_lines, pages, columns):
        for line in (line for line in all_lines if line.page == 1):
            title_items.append((None, " ".join(s.text for s in line.segments), None))
        all_lines = [line for line in all_lines if line.page != 1]
        title = title_items[0][1] if title_items and not strict else None
        if not strict:
            assumptions.append("page 1: read as a title page (no scene heading on it)")
    if not strict:
        assumptions.append(
            f"columns: action {columns.action:.0f} pt, dialogue {columns.dialogue:.0f} pt, cues "
            f"{columns.cue:.0f} pt, transitions from {columns.transition:.0f} pt"
        )
    body = _paragraphs(all_lines, columns, page_width)
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


def _paragraphs(lines: list[_Line], columns: Columns, page_width: float = 612.0) -> list[Paragraph]:
    """Classify segments by column and join wrapped lines into paragraphs."""
    out: list[Paragraph] = []
    tolerance = 2 * columns.char_width
    cue_threshold = (columns.dialogue + columns.cue) / 2
    middle = page_width / 2
    open_kind: str | None = None
    open_texts: list[str] = []
    open_page = 1
    open_top = 0.0
    open_row = 0
    line_top = 0.0
    line_row = 0
    open_number: str | None = None
    last_top = -1.0
    last_page = 0
    speaker: str | None = None
    more: str | None = None
    line_height = 12.0
    resumable: str | None = None  # the speaker before a blank line: dialogue may go on after it
    dual_sides: dict[str, list[list[str]]] = {}  # side -> [[kind, text, page, top, row], ...]

    def close() -> None:
        nonlocal open_kind, open_texts
        if open_kind is not None and open_texts:
            out.append(
                Paragraph(
                    open_kind,
                    " ".join(open_texts),
                    page=open_page,
                    scene_number=open_number,
                    top=round(open_top, 1),
                    page_line=open_row or None,
                )
            )
        open_kind, open_texts = None, []

    def start(kind: str, text: str, page: int, number: str | None = None) -> None:
        nonlocal open_kind, open_texts, open_page, open_number, open_top, open_row
        close()
        open_kind, open_texts, open_page, open_number, open_top = kind, [text], page, number, line_top
        open_row = line_row

    def flush_dual() -> None:
        for side in ("left", "right"):
            for kind, text, page, top, row in dual_sides.get(side, []):
                out.append(
                    Paragraph(
                        kind, text, page=int(page), dual=True, top=round(float(top), 1), page_line=int(row)
                    )
                )
        dual_sides.clear()

    def add_dual(segment: _Segment, text: str) -> None:
        side = dual_sides.setdefault("left" if segment.x0 < middle - tolerance else "right", [])
        if is_cue_name(text) and not text.startswith("(") and not side:
            side.append([CHARACTER, text, str(segment.page), str(segment.top), str(segment.row)])
        elif text.startswith("("):
            side.append([PARENTHETICAL, text, str(segment.page), str(segment.top), str(segment.row)])
        elif side and side[-1][0] == DIALOGUE:
            side[-1][1] += " " + text
        else:
            side.append([DIALOGUE, text, str(segment.page), str(segment.top), str(segment.row)])

    for line in lines:
        line_top, line_row = line.top, line.row
        gap = line.top - last_top if line.page == last_page else 99.0
        if line.page == last_page and 6 < gap < line_height:
            line_height = gap
        continues = line.page == last_page and gap <= line_height * 1.5
        last_top, last_page = line.top, line.page
        segments = [s for s in line.segments if s.text.strip()]
        speech_only = all(s.x0 >= columns.dialogue - tolerance for s in segments)
        two_sided = any(s.x0 < middle for s in segments) and any(s.x0 >= middle for s in segments)
        dual_start = (
            len(segments) >= 2
            and two_sided
            and all(is_cue_name(s.text.strip()) and not _FURNITURE.match(s.text.strip()) for s in segments)
        )
        if dual_sides and not continues:
            flush_dual()
        if not continues:
            close()
            if more is None:
                resumable, speaker = speaker, None
        if dual_start or (dual_sides and speech_only or dual_sides and two_sided):
            if dual_start:
                flush_dual()
            close()
            for segment in segments:
                add_dual(segment, segment.text.strip())
            speaker = None
            continue
        if dual_sides:
            flush_dual()
        for segment in segments:
            text = segment.text.strip()
            if _FURNITURE.match(text):
                if text.upper() == "(MORE)":
                    more = speaker
                continue
            x = segment.x0
            if x < columns.dialogue - tolerance:
                speaker = None
                if HEADING.match(text) or (line.scene_number and text.upper() == text):
                    start(SCENE_HEADING, text, line.page, number=line.scene_number)
                    close()
                elif open_kind == ACTION and continues:
                    open_texts.append(text)
                else:
                    start(ACTION, text, line.page)
                continue
            if (
                x >= columns.transition - tolerance
                and text.upper() == text
                and (text.endswith(":") or LENIENT_TRANSITION.match(text))
            ):
                speaker = None
                start(TRANSITION, text, line.page)
                close()
                continue
            if x >= cue_threshold and is_cue_name(text) and not text.startswith("("):
                name, extension, _caret = split_cue(text)
                normalised = normalise_name(name)
                if more is not None and normalised == more and (is_contd(extension) or extension is None):
                    more = None  # the speech goes on after the page break: the repeated cue is furniture
                    close()
                    speaker = normalised
                    continue
                more = None
                speaker = normalised
                start(CHARACTER, text, line.page)
                close()
                continue
            if speaker is None and resumable is not None and x < cue_threshold and not open_kind:
                speaker = resumable  # a blank line inside a speech (Fountain's two-space line)
            resumable = None
            if speaker is not None:
                if text.startswith("("):
                    start(PARENTHETICAL, text, line.page)
                    if text.endswith(")"):
                        close()
                elif open_kind == PARENTHETICAL:
                    open_texts.append(text)
                    if text.endswith(")"):
                        close()
                elif open_kind == DIALOGUE:
                    open_texts.append(text)
                else:
                    start(DIALOGUE, text, line.page)
                continue
            centre = (segment.x0 + segment.x1) / 2
            kind = (
                CENTERED if abs(centre - middle) < 3 * columns.char_width and x > columns.dialogue else ACTION
            )
            if open_kind == kind and continues:
                open_texts.append(text)
            else:
                start(kind, text, line.page)
    flush_dual()
    close()
    return out
