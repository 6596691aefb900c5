"""Build small scripts by hand for the tests (original text, no parser or PDF writer needed).

``build_script(scenes)`` lays the elements out Fountain-style (blank line between blocks, cue and
dialogue on consecutive lines) and computes every offset, so ``script.text[e.start:e.end]`` is exact.
A scene is ``(heading or None, [(kind, text) or (kind, text, character), ...])``.

``make_pdf(pages)`` writes a minimal PDF with Courier text at exact positions; ``screenplay_pdf``
lays a Fountain text out on such pages in the standard screenplay columns.
"""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Sequence

from simcheck.model import (
    CHARACTER,
    DIALOGUE,
    PARENTHETICAL,
    SCENE_HEADING,
    Element,
    Scene,
    Script,
    line_of,
)

SceneSpec = tuple[str | None, Sequence[tuple[str, ...]]]


def build_script(
    scenes: Sequence[SceneSpec], path: str = "/refs/handmade.fountain", title: str | None = None
) -> Script:
    text = ""
    built: list[Scene] = []
    cast: list[str] = []
    speaker: str | None = None

    def put(chunk: str, glue: str) -> tuple[int, int]:
        nonlocal text
        if text:
            text += glue
        start = len(text)
        text += chunk
        return start, len(text)

    for number, (heading, elements) in enumerate(scenes, start=1):
        scene_start = len(text) + (2 if text else 0)
        items: list[Element] = []
        if heading is not None:
            s, e = put(heading, "\n\n")
            items.append(Element(SCENE_HEADING, heading, s, e, line_of(text, s)))
        for spec in elements:
            kind, body = spec[0], spec[1]
            character = spec[2] if len(spec) > 2 else None
            if kind == CHARACTER:
                speaker = body
                if body not in cast:
                    cast.append(body)
                s, e = put(body, "\n\n")
                items.append(Element(kind, body, s, e, line_of(text, s), character=body))
                continue
            in_speech = kind in (DIALOGUE, PARENTHETICAL) or character is not None
            glue = (
                "\n"
                if in_speech and items and items[-1].kind in (CHARACTER, DIALOGUE, PARENTHETICAL)
                else "\n\n"
            )
            s, e = put(body, glue)
            who = character or (speaker if kind in (DIALOGUE, PARENTHETICAL) else None)
            items.append(Element(kind, body, s, e, line_of(text, s), character=who))
        built.append(Scene(number, heading, scene_start, len(text), line_of(text, scene_start), tuple(items)))
    text += "\n"
    return Script(
        path=path,
        format="fountain",
        title=title,
        text=text,
        scenes=tuple(built),
        cast=tuple(cast),
        sha256="0" * 64,
    )


Row = list[tuple[float, str]]  # (x in points, text) on one baseline; an empty row is a blank line


def make_pdf(pages: list[list[Row]], *, text: bool = True, damaged: bool = False) -> bytes:
    """A minimal valid PDF: Letter pages, Courier 12 pt, 12 pt line spacing, first baseline at y=720.

    ``damaged``: each page's content stream is Flate-compressed with a wrong checksum (a damaged file).
    """
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b""]
    kids = []
    font_id = 3
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Courier >>")
    for rows in pages:
        ops = []
        for index, row in enumerate(rows):
            y = 720 - 12 * index
            for x, chunk in row:
                escaped = chunk.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
                ops.append(f"BT /F1 12 Tf {x} {y} Td ({escaped}) Tj ET")
        if not text:
            ops = ["0 0 1 rg 100 100 200 200 re f"]
        stream = "\n".join(ops).encode("latin-1")
        if damaged:
            packed = bytearray(zlib.compress(stream))
            packed[-1] ^= 0xFF  # a wrong checksum: pdfminer keeps the text and logs a warning
            stream = bytes(packed)
            objects.append(
                b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"
            )
        else:
            objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content_id = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << /Font << /F1 %d 0 R >> >> "
            b"/Contents %d 0 R >>" % (font_id, content_id)
        )
        kids.append(len(objects))
    objects[1] = b"<< /Type /Pages /Kids [%s] /Count %d >>" % (
        b" ".join(b"%d 0 R" % k for k in kids),
        len(kids),
    )
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def screenplay_pdf(fountain: str, lines_per_page: int = 40) -> bytes:
    """A Fountain text (headings, action, cues, parentheticals, dialogue; no title page) laid out as a
    screenplay PDF: action at 1.5 in, dialogue at 2.5 in, cues at 3.7 in, a page number on every page
    after the first, as a writer's PDF has them."""
    rows: list[Row] = []
    blocks = [b.strip("\n") for b in fountain.strip().split("\n\n")]
    for block in blocks:
        lines = block.split("\n")
        if len(lines) > 1 or (lines[0].isupper() and not lines[0].startswith(("INT.", "EXT."))):
            rows.append([(266.0, lines[0])])  # a cue
            for line in lines[1:]:
                if line.startswith("("):
                    rows.append([(223.0, line)])
                else:
                    rows.extend([(180.0, part)] for part in textwrap.wrap(line, 35))
        else:
            rows.extend([(108.0, part)] for part in textwrap.wrap(lines[0], 60))
        rows.append([])
    pages: list[list[Row]] = []
    for start in range(0, len(rows), lines_per_page):
        number = len(pages) + 1
        header: list[Row] = [[(504.0, f"{number}.")], []] if number > 1 else []
        pages.append(header + rows[start : start + lines_per_page])
    return make_pdf(pages)


def screenplay_fdx(fountain: str, first_number: int = 1) -> bytes:
    """A Fountain text (as ``screenplay_pdf`` takes it) as a Final Draft file whose scenes are numbered
    from ``first_number`` (written ``12A``-style numbers are the writer's, not simcheck's)."""
    from xml.sax.saxutils import escape

    paragraphs: list[str] = []
    number = first_number
    for block in (b.strip("\n") for b in fountain.strip().split("\n\n")):
        lines = block.split("\n")
        if lines[0].startswith(("INT.", "EXT.")):
            paragraphs.append(
                f'<Paragraph Type="Scene Heading" Number="{number}A">'
                f"<Text>{escape(lines[0])}</Text></Paragraph>"
            )
            number += 1
        elif len(lines) > 1:
            paragraphs.append(f'<Paragraph Type="Character"><Text>{escape(lines[0])}</Text></Paragraph>')
            for line in lines[1:]:
                kind = "Parenthetical" if line.startswith("(") else "Dialogue"
                paragraphs.append(f'<Paragraph Type="{kind}"><Text>{escape(line)}</Text></Paragraph>')
        else:
            paragraphs.append(f'<Paragraph Type="Action"><Text>{escape(lines[0])}</Text></Paragraph>')
    body = "".join(paragraphs)
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="no" ?>\n'
        '<FinalDraft DocumentType="Script" Template="No" Version="5">'
        f"<Content>{body}</Content></FinalDraft>\n"
    ).encode()
