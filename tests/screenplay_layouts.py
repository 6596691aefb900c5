"""Lay the original test screenplays of ``tests/screenplay_stories.py`` out as real scripts are laid out.

Fountain, Final Draft (.fdx), plain text laid out with indentation (as found in public screenplay
archives and in ``pdftotext -layout`` output) and PDF (Courier 12 pt, 1.5 inch left margin, cues at
3.7 inches, dialogue at 2.5 inches, page numbers top right, scene numbers in both margins, written
with reportlab). Each ``Variant`` is one fixture under ``tests/fixtures/screenplays/``; ``expected``
says what a reader must find in it. Regenerate the fixtures (reportlab is a dev dependency)::

    python -m tests.screenplay_layouts

and measure the readers on them (and on the shared corpus laid out the same ways)::

    python -m tests.screenplay_layouts measure [--corpus-text] [--corpus-pdf]

The text fixtures are also checked against this module by the tests, so an edit here that is not
regenerated fails; the PDFs are written with ``invariant=1`` (no dates, no random ids).
"""

from __future__ import annotations

import textwrap
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path
from xml.sax.saxutils import escape

from simcheck.model import Script
from tests.screenplay_stories import STORIES

FIXTURES = Path(__file__).parent / "fixtures" / "screenplays"

# --- the stories as blocks -----------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    tag: str  # T H S A C P D E (see screenplay_stories)
    text: str
    number: str | None = None
    dual: bool = False  # C^: the second cue of a dual-dialogue pair


@dataclass(frozen=True)
class Story:
    name: str
    title_page: tuple[tuple[str, str], ...]  # (key, value); Contact lines joined by " / "
    blocks: tuple[Block, ...]

    @property
    def title(self) -> str:
        return dict(self.title_page)["Title"]


def load_story(name: str) -> Story:
    head, body = STORIES[name].split("\n\n", 1)
    title_page = tuple(tuple(line.split(": ", 1)) for line in head.splitlines())
    blocks: list[Block] = []
    for line in body.splitlines():
        tag, _, rest = line.partition(" ")
        if tag in ("H", "S"):
            number, _, text = rest.partition(" ")
            blocks.append(Block(tag, text, number))
        elif tag == "C^":
            blocks.append(Block("C", rest, dual=True))
        else:
            assert tag in ("T", "A", "C", "P", "D", "E"), line
            blocks.append(Block(tag, rest))
    return Story(name, title_page, tuple(blocks))  # type: ignore[arg-type]


@dataclass(frozen=True)
class Speech:
    cue: str
    parts: tuple[Block, ...]
    dual: bool = False  # part of a dual-dialogue pair


def units_of(story: Story) -> list[Block | Speech | tuple[Speech, Speech]]:
    """Blocks with each cue and its parentheticals and dialogue grouped; a dual pair as a tuple."""
    out: list[Block | Speech | tuple[Speech, Speech]] = []
    for block in story.blocks:
        if block.tag == "C":
            speech = Speech(block.text, (), dual=block.dual)
            if block.dual:
                first = out.pop()
                assert isinstance(first, Speech)
                out.append((Speech(first.cue, first.parts, dual=True), speech))
            else:
                out.append(speech)
        elif block.tag in ("P", "D"):
            last = out[-1]
            if isinstance(last, tuple):
                second = last[1]
                out[-1] = (last[0], Speech(second.cue, second.parts + (block,), dual=True))
            else:
                assert isinstance(last, Speech)
                out[-1] = Speech(last.cue, last.parts + (block,), dual=last.dual)
        else:
            out.append(block)
    return out


def cue_name(cue: str) -> tuple[str, str | None]:
    name, _, rest = cue.partition("(")
    return name.strip(), (rest.rstrip(")").strip() or None)


def story_from_script(script: Script, name: str) -> Story:
    """A script read from Fountain (a corpus play or screenplay) as a story to lay out.

    A heading that is not a slug line in a laid-out script (a play's ``ACT I, SCENE 2 - A ROOM``) gets
    ``INT.`` in front; a cue without a speech, or dialogue and parentheticals outside one, stay as
    action; centred text and lyrics outside a speech are action; page breaks, notes and sections go.
    """
    from simcheck.read.fountain_syntax import HEADING

    blocks: list[Block] = []
    for scene in script.scenes:
        for e in scene.elements:
            text = " ".join(e.text.split())
            if not text:
                continue
            speech = bool(blocks) and blocks[-1].tag in ("C", "P", "D")
            if e.kind == "scene_heading":
                heading = text.upper() if HEADING.match(text) else "INT. " + text.upper()
                blocks.append(Block("H", heading, scene.scene_number or str(scene.number)))
            elif e.kind == "character":
                blocks.append(Block("C", (text + (f" ({e.extension})" if e.extension else "")).upper()))
            elif e.kind == "parenthetical" and speech:
                blocks.append(Block("P", text if text.startswith("(") else f"({text})"))
            elif e.kind in ("dialogue", "lyric") and speech:
                blocks.append(Block("D", text))
            elif e.kind == "transition":
                blocks.append(Block("T", text.upper()))
            elif e.kind in ("action", "centered", "dialogue", "lyric", "parenthetical"):
                blocks.append(Block("A", text))
    kept = [
        b for i, b in enumerate(blocks) if b.tag != "C" or (i + 1 < len(blocks) and blocks[i + 1].tag in "PD")
    ]
    title = (
        ("Title", script.title or name),
        ("Credit", "by"),
        ("Author", "the corpus"),
        ("Draft", "Draft"),
        ("Contact", "-"),
    )
    return Story(name, title, tuple(kept))


# --- what a reader must find ---------------------------------------------------------------------


@dataclass(frozen=True)
class Want:
    kind: str
    text: str
    character: str | None = None
    extension: str | None = None
    dual: bool = False
    number: str | None = None


def expected(story: Story, fmt: str) -> list[Want]:
    """The body elements of ``story`` as every reader must read them (page breaks left out, a speech
    cut by a page break read as one, shots as scene headings)."""
    out: list[Want] = []
    for unit in units_of(story):
        speeches = unit if isinstance(unit, tuple) else (unit,) if isinstance(unit, Speech) else ()
        for speech in speeches:
            name, extension = cue_name(speech.cue)
            out.append(Want("character", name, name, extension, speech.dual))
            for part in speech.parts:
                kind = "parenthetical" if part.tag == "P" else "dialogue"
                if kind == "dialogue" and out[-1].kind == "dialogue":  # two paragraphs: read as one
                    out[-1] = replace(out[-1], text=f"{out[-1].text} {part.text}")
                else:
                    out.append(Want(kind, part.text, name, dual=speech.dual))
        if isinstance(unit, Block):
            if unit.tag in ("H", "S"):
                out.append(Want("scene_heading", unit.text, number=unit.number))
            elif unit.tag == "T":
                out.append(Want("transition", unit.text))
            elif unit.tag == "A":
                out.append(Want("action", unit.text))
            elif unit.tag == "E":
                out.append(Want("action" if fmt == "fdx" else "centered", unit.text))
    return out


def expected_cast(story: Story) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for block in story.blocks:
        if block.tag == "C":
            seen.setdefault(cue_name(block.text)[0], None)
    return tuple(seen)


# --- layouts ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Geometry:
    """Columns (characters of Courier 12 pt: 10 to the inch) of one page layout."""

    action: int = 15
    dialogue: int = 25
    paren: int = 31
    cue: int = 37
    cue_centre: float | None = None  # centred cues: their centre column (else left-aligned at ``cue``)
    right: int = 75  # right edge of the text: transitions and page numbers end here
    action_width: int = 60
    dialogue_width: int = 35
    paren_width: int = 25
    number_left: int = 8  # scene numbers in the margins
    number_right: int = 77
    dual_left: int = 15  # dual dialogue: dialogue columns of the left and right speech
    dual_right: int = 46
    dual_width: int = 27
    lines: int = 52  # body lines on a page


@dataclass(frozen=True)
class Variant:
    name: str  # fixture file name
    story: str
    fmt: str  # fountain, fdx, text, pdf
    geometry: Geometry = field(default_factory=Geometry)
    title_page: str = "page"  # page: a page of its own; top: at the top of page 1; none
    numbers: str = ""  # scene numbers of headings and shots: "both" margins, "left" or "right" only
    continueds: bool = False  # CONTINUED: at the top, (CONTINUED) at the bottom of a page in a scene
    header: str | None = None  # page header text, left of the page number
    page_number: str = "top"  # top: "2." at the top right; bottom: "- 2 -" centred at the bottom
    heading_gap: int = 1  # blank lines before a heading
    form_feeds: bool = False  # text: pages separated by form feeds (else by blank lines)
    crlf: bool = False
    tabs: bool = False  # text: indentation written with tabs (geometry columns are multiples of 8)
    contd: str = "(CONT'D)"
    revision_marks: bool = False  # "*" at the right margin of some lines
    page_size: str = "letter"  # pdf: letter or a4
    words: bool = False  # pdf: every word drawn on its own (as some writers do)
    bold_headings: bool = False
    description: str = ""


Piece = tuple[int, str, bool]  # column, text, bold
Row = list[Piece]


def _wrap(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width, break_on_hyphens=False, break_long_words=False)


def _centred(text: str, centre: float) -> int:
    return max(0, round(centre - len(text) / 2))


class _Pager:
    """Flows rows into pages with the furniture real screenplay software adds."""

    def __init__(self, variant: Variant) -> None:
        self.v = variant
        self.g = variant.geometry
        self.pages: list[list[Row]] = []
        self.body: list[Row] = []
        self.scene: Block | None = None  # the heading the current page's text belongs to
        self.continued = 0  # CONTINUED count in the current scene
        self.top = 0  # rows of page furniture at the top of the current page

    def _number_row(self, page: int) -> Row:
        g, v = self.g, self.v
        label = f"{page}."
        row: Row = []
        if v.header:
            row.append((g.right - len(label) - 4 - len(v.header), v.header, False))
        row.append((g.right - len(label), label, False))
        return row

    def _start_page(self, in_scene: bool) -> None:
        g, v = self.g, self.v
        number = len(self.pages) + 1
        rows: list[Row] = []
        if number > 1 and v.page_number == "top":
            rows += [self._number_row(number), []]
        elif v.header and number > 1:
            rows += [[(g.right - len(v.header), v.header, False)], []]
        if in_scene and v.continueds and self.scene is not None:
            self.continued += 1
            label = "CONTINUED:" if self.continued == 1 else f"CONTINUED: ({self.continued})"
            rows.append(self._numbered(label, self.scene.number))
            rows.append([])
        self.body = rows
        self.top = len(rows)
        self.pages.append(self.body)

    def _numbered(self, text: str, number: str | None, bold: bool = False) -> Row:
        g = self.g
        row: Row = [(g.action, text, bold)]
        if self.v.numbers in ("both", "left") and number:
            row = [(g.number_left, number, False), *row]
        if self.v.numbers in ("both", "right") and number:
            row = [*row, (g.number_right, number, False)]
        return row

    def _end_page(self, in_scene: bool) -> None:
        g, v = self.g, self.v
        if in_scene and v.continueds:
            self.body += [[], [(g.right - len("(CONTINUED)"), "(CONTINUED)", False)]]
        if v.page_number == "bottom":
            label = f"- {len(self.pages)} -"
            self.body += [[], [(_centred(label, (g.action + g.right) / 2), label, False)]]

    def room(self) -> int:
        return self.g.lines - len(self.body) - (2 if self.v.continueds else 0)

    def new_page(self, in_scene: bool) -> None:
        self._end_page(in_scene)
        self._start_page(in_scene)

    def place(
        self,
        rows: list[Row],
        gap: int,
        *,
        keep: int = 0,
        split: str = "",
        cue: Row | None = None,
        starts_scene: bool = False,
    ) -> None:
        """Place ``rows`` after ``gap`` blank lines; ``keep``: rows of what follows that must fit too.

        ``split``: "action" (at least 2 lines each side) or "speech" (``(MORE)`` under the part on
        this page and the ``NAME (CONT'D)`` cue ``cue`` above the rest), else the rows move to the next
        page whole (``starts_scene``: with no CONTINUED line above them)."""
        if not self.pages:
            self._start_page(False)
        gap = 0 if len(self.body) == self.top else gap
        if gap + len(rows) + keep <= self.room():
            self.body += [[] for _ in range(gap)] + rows
            return
        space = self.room() - gap - (1 if split == "speech" else 0)
        fits = False
        if split == "speech":
            while space >= 2 and (not rows[space - 1] or rows[space - 1][0][1].startswith("(")):
                space -= 1  # never end a page on a parenthetical or a blank line
            fits = space >= 2 and len(rows) - space >= 1
        elif split == "action":
            fits = space >= 2 and len(rows) - space >= 2
        if fits:
            self.body += [[] for _ in range(gap)] + rows[:space]
            if split == "speech":
                self.body.append([(self.g.cue, "(MORE)", False)])
            self.new_page(True)
            tail = rows[space:]
            while tail and not tail[0]:
                tail = tail[1:]
            self.body += ([cue] if cue else []) + tail
            return
        self.new_page(self.scene is not None and not starts_scene)
        self.body += rows

    def finish(self) -> list[list[Row]]:
        self._end_page(False)
        return self.pages


def _cue_row(g: Geometry, cue: str, centre: float | None = None, column: int | None = None) -> Row:
    if centre is not None:
        return [(_centred(cue, centre), cue, False)]
    return [(column if column is not None else g.cue, cue, False)]


def _speech_rows(
    g: Geometry, speech: Speech, dialogue: int, paren: int, width: int, pwidth: int
) -> list[Row]:
    rows: list[Row] = []
    for index, part in enumerate(speech.parts):
        if index and part.tag == "D" and speech.parts[index - 1].tag == "D":
            rows.append([])  # two paragraphs of one speech: a blank line between them
        if part.tag == "P":
            rows += [[(paren, line, False)] for line in _wrap(part.text, pwidth)]
        else:
            rows += [[(dialogue, line, False)] for line in _wrap(part.text, width)]
    return rows


def _contd_cue(cue: str, contd: str) -> str:
    name, extension = cue_name(cue)
    if extension and "CONT" in extension.upper():
        return cue
    return f"{name} {contd}" if extension is None else f"{name} ({extension}) {contd}"


def _dual_rows(g: Geometry, pair: tuple[Speech, Speech]) -> list[Row]:
    columns = []
    for speech, left in zip(pair, (g.dual_left, g.dual_right), strict=True):
        centre = left + g.dual_width / 2
        rows = [_cue_row(g, speech.cue, centre)]
        rows += _speech_rows(g, speech, left, left + 3, g.dual_width, g.dual_width - 4)
        columns.append(rows)
    out: list[Row] = []
    for i in range(max(len(c) for c in columns)):
        row: Row = []
        for rows in columns:
            if i < len(rows):
                row += rows[i]
        out.append(row)
    return out


def lay_out(variant: Variant, story: Story | None = None) -> tuple[list[Row] | None, list[list[Row]]]:
    """The title page (if on a page of its own) and the body pages of one variant (of ``story`` when
    given, else of the variant's own story)."""
    story = story or load_story(variant.story)
    g = variant.geometry
    centre = (g.action + g.right) / 2
    values = dict(story.title_page)
    title_rows: list[Row] = [
        [(_centred(values["Title"], centre), values["Title"], False)],
        [],
        [(_centred(values["Credit"], centre), values["Credit"], False)],
        [],
        [(_centred(values["Author"], centre), values["Author"], False)],
    ]
    contact = [[(g.action, line, False)] for line in values["Contact"].split(" / ")]
    draft = [(g.right - len(values["Draft"]), values["Draft"], False)]
    pager = _Pager(variant)
    title_page: list[Row] | None = None
    if variant.title_page == "page":
        title_page = [[] for _ in range(18)] + title_rows + [[] for _ in range(20)]
        title_page += contact[:-1] + [contact[-1] + [draft[0]]]
    elif variant.title_page == "top":
        pager.place(title_rows + [[], draft], 0)
        pager.body += [[], []]
    units = units_of(story)
    revision = 0
    for index, unit in enumerate(units):
        follows = units[index + 1] if index + 1 < len(units) else None
        if isinstance(unit, tuple):
            pager.place(_dual_rows(g, unit), 1)
            continue
        if isinstance(unit, Speech):
            cue = _cue_row(g, unit.cue, g.cue_centre)
            rows = _speech_rows(g, unit, g.dialogue, g.paren, g.dialogue_width, g.paren_width)
            next_cue = _cue_row(g, _contd_cue(unit.cue, variant.contd), g.cue_centre)
            pager.place([cue] + rows, 1, split="speech", cue=next_cue)
            continue
        block = unit
        if block.tag in ("H", "S"):
            bold = variant.bold_headings and block.tag == "H"
            row = pager._numbered(block.text, block.number, bold)
            keep = 3
            if block.tag == "H" and pager.pages and pager.room() < 1 + variant.heading_gap + keep:
                pager.new_page(False)
            pager.scene = block
            pager.continued = 0
            gap = variant.heading_gap if block.tag == "H" else 1
            pager.place([row], gap, keep=keep, starts_scene=True)
        elif block.tag == "A":
            rows = [[(g.action, line, False)] for line in _wrap(block.text, g.action_width)]
            if variant.revision_marks:
                revision += 1
                if revision % 5 == 0:
                    rows[0] = rows[0] + [(g.number_right + 2, "*", False)]
            pager.place(rows, 1, split="action")
        elif block.tag == "T":
            if block.text == "FADE IN:":
                pager.place([[(g.action, block.text, False)]], 1)
            else:
                keep = 2 if isinstance(follows, Block) and follows.tag == "H" else 0
                pager.place([[(g.right - len(block.text), block.text, False)]], 1, keep=keep)
        elif block.tag == "E":
            pager.place([[(_centred(block.text, centre), block.text, False)]], 2)
    return title_page, pager.finish()


# --- writers ------------------------------------------------------------------------------------


def render_row(row: Row, tabs: bool = False) -> str:
    line = ""
    for column, text, _bold in sorted(row):
        width = len(line.expandtabs(8))
        if not line and tabs:
            line = "\t" * (column // 8) + " " * (column % 8)
        elif line and width >= column:
            line += "  "
        else:
            line += " " * (column - width)
        line += text
    return line.rstrip()


def write_text(variant: Variant, story: Story | None = None) -> str:
    title_page, pages = lay_out(variant, story)
    out: list[str] = []
    blocks = ([title_page] if title_page else []) + pages
    for number, rows in enumerate(blocks):
        lines = [render_row(row, variant.tabs) for row in rows]
        if number and variant.form_feeds:
            lines[0] = "\f" + lines[0]
        elif number:
            out += ["", "", ""]
        out += lines
    newline = "\r\n" if variant.crlf else "\n"
    return newline.join(out) + newline


def write_fountain(story: Story) -> str:
    keys = {"Title": "Title", "Credit": "Credit", "Author": "Author", "Draft": "Draft date"}
    lines = [f"{keys[key]}: {value}" for key, value in story.title_page if key in keys]
    lines.append("Contact:")
    lines += [f"    {line}" for line in dict(story.title_page)["Contact"].split(" / ")]
    lines.append("")
    for unit in units_of(story):
        speeches = unit if isinstance(unit, tuple) else (unit,) if isinstance(unit, Speech) else ()
        for number, speech in enumerate(speeches):
            lines.append(speech.cue + (" ^" if number == 1 else ""))
            lines += [part.text for part in speech.parts]
            lines.append("")
        if isinstance(unit, Block):
            if unit.tag == "H":
                lines += [f"{unit.text} #{unit.number}#", ""]
            elif unit.tag == "S":
                lines += [f".{unit.text} #{unit.number}#", ""]
            elif unit.tag == "E":
                lines += [f"> {unit.text} <", ""]
            else:
                lines += [unit.text, ""]
    return "\n".join(lines)


def write_fdx(story: Story) -> str:
    def para(kind: str, text: str, number: str | None = None, extra: str = "") -> str:
        attrs = f' Type="{kind}"' + (f' Number="{number}"' if number else "") + extra
        return f"    <Paragraph{attrs}>\n      <Text>{escape(text)}</Text>\n    </Paragraph>"

    def speech_paras(speech: Speech) -> list[str]:
        out = [para("Character", speech.cue)]
        out += [para("Parenthetical" if p.tag == "P" else "Dialogue", p.text) for p in speech.parts]
        return out

    body: list[str] = []
    kinds = {"H": "Scene Heading", "S": "Shot", "A": "Action", "T": "Transition"}
    for unit in units_of(story):
        if isinstance(unit, tuple):
            inner = speech_paras(unit[0]) + speech_paras(unit[1])
            body.append("    <Paragraph>\n      <DualDialogue>")
            body += ["  " + p.replace("\n", "\n  ") for p in inner]
            body.append("      </DualDialogue>\n    </Paragraph>")
        elif isinstance(unit, Speech):
            body += speech_paras(unit)
        elif unit.tag == "E":
            body.append(para("Action", unit.text, extra=' Alignment="Center"'))
        else:
            body.append(para(kinds[unit.tag], unit.text, unit.number))
    values = dict(story.title_page)
    title = [values["Title"], "", values["Credit"], values["Author"], "", *values["Contact"].split(" / ")]
    title.append(values["Draft"])
    title_paras = [para("Action", line, extra=' Alignment="Center"') for line in title]
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
        '<FinalDraft DocumentType="Script" Template="No" Version="5">\n'
        "  <Content>\n" + "\n".join(body) + "\n  </Content>\n"
        "  <TitlePage>\n    <Content>\n"
        + "\n".join("  " + p.replace("\n", "\n  ") for p in title_paras)
        + "\n    </Content>\n  </TitlePage>\n</FinalDraft>\n"
    )


def write_pdf(variant: Variant, path: Path, story: Story | None = None) -> None:
    from reportlab.lib.pagesizes import A4, letter
    from reportlab.pdfgen import canvas

    size = A4 if variant.page_size == "a4" else letter
    width, height = size
    story = story or load_story(variant.story)
    title_page, pages = lay_out(variant, story)
    pdf = canvas.Canvas(str(path), pagesize=size, invariant=1)
    pdf.setTitle(story.title)
    char = 7.2  # Courier 12 pt advance
    for rows in ([title_page] if title_page else []) + pages:
        for index, row in enumerate(rows):
            top = 36 + 12 * index  # the first row sits half an inch from the top
            baseline = height - top - 9
            for column, text, bold in row:
                pdf.setFont("Courier-Bold" if bold else "Courier", 12)
                if variant.words:
                    offset = 0
                    for word in text.split(" "):
                        if word:
                            pdf.drawString((column + offset) * char, baseline, word)
                        offset += len(word) + 1
                else:
                    pdf.drawString(column * char, baseline, text)
        pdf.showPage()
    pdf.save()


# --- the fixtures -------------------------------------------------------------------------------

TAB_GEOMETRY = Geometry(
    action=0,
    dialogue=16,
    paren=24,
    cue=32,
    right=64,
    action_width=62,
    dialogue_width=34,
    paren_width=24,
    dual_left=8,
    dual_right=38,
    dual_width=26,
    number_left=0,
    number_right=66,
)

VARIANTS: tuple[Variant, ...] = (
    Variant(
        "tallow.fountain", "tallow", "fountain", description="Fountain: forced shot headings, #n# numbers"
    ),
    Variant("tallow.fdx", "tallow", "fdx", description="Final Draft: Shot paragraphs, DualDialogue"),
    Variant(
        "tallow.archive.txt",
        "tallow",
        "text",
        geometry=Geometry(lines=44),
        continueds=True,
        heading_gap=2,
        description="archive text: title page, page numbers top right, CONTINUED:/(CONTINUED), "
        "(MORE)/(CONT'D), no form feeds",
    ),
    Variant(
        "tallow.shooting.txt",
        "tallow",
        "text",
        geometry=Geometry(lines=42),
        heading_gap=2,
        numbers="both",
        continueds=True,
        form_feeds=True,
        header="TALLOW AND BRASS - BLUE REV. 03/14/25",
        revision_marks=True,
        description="shooting script via pdftotext -layout: scene numbers on both margins (shots too), "
        "form feeds, page headers, numbered CONTINUED lines, revision asterisks",
    ),
    Variant(
        "tallow.pdf",
        "tallow",
        "pdf",
        geometry=Geometry(lines=43),
        numbers="both",
        continueds=True,
        description="Letter, Courier 12: title page, scene numbers on both margins, page numbers top right",
    ),
    Variant("quiet.fountain", "quiet", "fountain"),
    Variant("quiet.fdx", "quiet", "fdx"),
    Variant(
        "quiet.centred.txt",
        "quiet",
        "text",
        geometry=Geometry(
            action=0,
            dialogue=10,
            paren=16,
            cue=0,
            cue_centre=28.0,
            right=62,
            action_width=60,
            dialogue_width=36,
            paren_width=24,
            dual_left=5,
            dual_right=34,
            dual_width=26,
            lines=51,
        ),
        title_page="top",
        page_number="bottom",
        contd="(cont'd)",
        description="flush-left action, cues centred on column 28, title at the top of page 1, "
        "'- 2 -' page numbers at the bottom, lower-case (cont'd)",
    ),
    Variant(
        "quiet.tabs.txt",
        "quiet",
        "text",
        geometry=TAB_GEOMETRY,
        tabs=True,
        crlf=True,
        numbers="right",
        continueds=True,
        form_feeds=True,
        description="tab-indented (8 columns), CRLF, form feeds, CONTINUED lines, scene numbers on the right",
    ),
    Variant(
        "quiet.plain.pdf",
        "quiet",
        "pdf",
        numbers="left",
        continueds=True,
        page_number="bottom",
        header="THE QUIET FLOOR (Blue)",
        geometry=Geometry(lines=50),
        description="Letter: title page, scene numbers on the left only, '- 2 -' at the bottom, a running "
        "header without the page number, CONTINUED",
    ),
    Variant(
        "quiet.pdf",
        "quiet",
        "pdf",
        page_size="a4",
        title_page="top",
        header="The Quiet Floor - First Draft",
        words=True,
        bold_headings=True,
        geometry=Geometry(dual_left=20, dual_right=48, dual_width=24, lines=47),
        description="A4, words drawn one by one, bold headings, title at the top of page 1, page headers",
    ),
)


# --- measuring a reader on the fixtures -----------------------------------------------------------


def _flat(text: str) -> str:
    return " ".join(text.replace("\u2019", "'").split())


def read_rows(script: Script) -> list[Want]:
    """A script's body as ``Want`` rows: page breaks left out, a speech's dialogue cut by a page
    break joined again, whitespace made single."""
    out: list[Want] = []
    numbers = {scene.elements[0].start: scene.scene_number for scene in script.scenes if scene.heading}
    for scene in script.scenes:
        for e in scene.elements:
            if e.kind in ("page_break", "note"):
                continue
            last = out[-1] if out else None
            if e.kind == "dialogue" and last and last.kind == "dialogue" and last.character == e.character:
                out[-1] = Want("dialogue", f"{last.text} {_flat(e.text)}", e.character, dual=last.dual)
                continue
            extension = _flat(e.extension).upper() if e.extension else None
            number = numbers.get(e.start) if e.kind == "scene_heading" else None
            out.append(Want(e.kind, _flat(e.text), e.character, extension, e.dual, number))
    return out


def measure(variant: Variant, script: Script, story: Story | None = None) -> dict[str, int]:
    """The issue's three measures on one fixture: speeches read as action (or lost), cast entries that
    are not characters, scene headings read against those written."""
    story = story or load_story(variant.story)
    want = expected(story, variant.fmt)
    got = read_rows(script)
    dialogue = [w.text for w in got if w.kind == "dialogue"]
    speeches = lost = 0
    for index, w in enumerate(want):
        if w.kind != "character":
            continue
        speeches += 1
        first = next((x for x in want[index + 1 :] if x.kind == "dialogue"), None)
        cue = next((g for g in got if g.kind == "character" and g.character == w.character), None)
        if first is None or cue is None or not any(_flat(first.text) in d for d in dialogue):
            lost += 1
    cast = expected_cast(story)
    stray = [name for name in script.cast if name not in cast]
    headings = sum(1 for w in want if w.kind == "scene_heading")
    read = sum(1 for g in got if g.kind == "scene_heading")
    return {
        "speeches": speeches,
        "speeches_lost": lost,
        "cast": len(script.cast),
        "cast_not_characters": len(stray),
        "headings_expected": headings,
        "headings_read": read,
        "speech_cues_read": sum(1 for g in got if g.kind == "character"),
    }


def generate(root: Path = FIXTURES, *, pdf: bool = True) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    written = []
    for variant in VARIANTS:
        path = root / variant.name
        if variant.fmt == "fountain":
            path.write_text(write_fountain(load_story(variant.story)), encoding="utf-8")
        elif variant.fmt == "fdx":
            path.write_text(write_fdx(load_story(variant.story)), encoding="utf-8")
        elif variant.fmt == "text":
            path.write_bytes(write_text(variant).encode("utf-8"))
        elif pdf:
            write_pdf(variant, path)
        else:
            continue
        written.append(path)
    return written


def _percent(part: float, whole: float) -> str:
    return f"{part:g}/{whole:g} ({100 * part / whole:.1f}%)" if whole else "-"


def report(paths: dict[str, Path] | None = None) -> str:
    """The measures per fixture and over the text and PDF fixtures (``python -m tests.screenplay_layouts
    measure``); ``paths`` reads other copies of the fixtures (a fixture name to its path)."""
    from simcheck.read import read_script

    rows = [
        f"{'fixture':<22} {'speeches lost':>14} {'cast not characters':>20} {'headings read/expected':>23}"
    ]
    total: Counter[str] = Counter()
    for variant in VARIANTS:
        m = measure(variant, read_script((paths or {}).get(variant.name, FIXTURES / variant.name)))
        lost = f"{m['speeches_lost']}/{m['speeches']}"
        stray = f"{m['cast_not_characters']}/{m['cast']}"
        heads = f"{m['headings_read']}/{m['headings_expected']}"
        rows.append(f"{variant.name:<22} {lost:>14} {stray:>20} {heads:>23}")
        if variant.fmt in ("text", "pdf"):
            total.update(m)
            total["headings_off"] += abs(m["headings_read"] - m["headings_expected"])
    rows.append(
        "text and PDF fixtures: speeches read as action or lost "
        + _percent(total["speeches_lost"], total["speeches"])
        + ", cast entries that are not characters "
        + _percent(total["cast_not_characters"], total["cast"])
        + ", scene headings missed or extra "
        + _percent(total["headings_off"], total["headings_expected"])
    )
    return "\n".join(rows)


CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
# a sample of the corpus for the PDF layouts (PDF reading is slow): farces, a two-hander, a tragedy,
# a verse drama and the screenplays with the most speeches
PDF_SAMPLE = (
    "the-bear",
    "the-proposal",
    "a-tragedian-in-spite-of-himself",
    "on-the-high-road",
    "the-anniversary",
    "macbeth",
    "pariah-bjorkman",
    "life-is-a-dream-maccarthy",
    "ascent-to-guru-peak",
    "cyber-bob-epwindebateagainstlincoln",
    "cyber-bob-ep00001",
    "pulpit-fire",
)


def corpus_report(fmt: str) -> str:
    """The measures over the shared corpus laid out in every ``fmt`` ("text" or "pdf") layout: each
    script with 3 speeches or more (PDF: the ``PDF_SAMPLE`` scripts; needs reportlab)."""
    import tempfile

    from simcheck.read import read_script

    total: Counter[str] = Counter()
    worst: list[str] = []
    with tempfile.TemporaryDirectory() as folder:
        for source in sorted(CORPUS.rglob("*.fountain")):
            if fmt == "pdf" and source.stem not in PDF_SAMPLE:
                continue
            story = story_from_script(read_script(source), source.stem)
            if sum(b.tag == "C" for b in story.blocks) < 3:
                continue
            for variant in (v for v in VARIANTS if v.fmt == fmt):
                path = Path(folder) / f"{source.stem}.{variant.name}"
                if fmt == "pdf":
                    write_pdf(variant, path, story)
                else:
                    path.write_text(write_text(variant, story), encoding="utf-8")
                m = measure(variant, read_script(path), story)
                total.update(m)
                total["scripts"] += 1
                total["headings_off"] += abs(m["headings_read"] - m["headings_expected"])
                if (
                    m["speeches_lost"]
                    or m["cast_not_characters"]
                    or m["headings_read"] != m["headings_expected"]
                ):
                    worst.append(f"  {source.stem} in {variant.name}: {m}")
    return "\n".join(
        [
            f"corpus in the {fmt} layouts ({total['scripts']} files): speeches read as action or lost "
            + _percent(total["speeches_lost"], total["speeches"])
            + ", cast entries that are not characters "
            + _percent(total["cast_not_characters"], total["cast"])
            + ", scene headings missed or extra "
            + _percent(total["headings_off"], total["headings_expected"]),
            *worst[:20],
        ]
    )


if __name__ == "__main__":
    import sys

    if sys.argv[1:2] == ["measure"]:
        print(report())
        for fmt in ("text", "pdf"):
            if f"--corpus-{fmt}" in sys.argv:
                print(corpus_report(fmt))
    else:
        for written in generate():
            print(written)
