"""PDF: column calibration, page furniture, CONT'D joins, margin scene numbers, no text layer.

The PDFs are written by hand here (Courier text at exact positions), so the test needs no PDF writer.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from simcheck.errors import InputError
from simcheck.formats import read_script
from simcheck.model import Script

Row = list[tuple[float, str]]  # (x in points, text) on one baseline; an empty row is a blank line


def make_pdf(pages: list[list[Row]], *, text: bool = True) -> bytes:
    """A minimal valid PDF: Letter pages, Courier 12 pt, 12 pt line spacing, first baseline at y=720."""
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


ACTION, DIALOGUE, PAREN, CUE, TRANSITION = 108.0, 180.0, 223.0, 266.0, 432.0

PAGES: list[list[Row]] = [
    [
        [(54, "12"), (ACTION, "EXT. HARBOUR - NIGHT"), (540, "12")],
        [],
        [(ACTION, "Rain hammers the quay. TOMAS runs for"), (560, "*")],
        [(ACTION, "the last boat.")],
        [],
        [(CUE, "TOMAS")],
        [(PAREN, "(breathless)")],
        [(DIALOGUE, "Wait! Hold the")],
        [(DIALOGUE, "ropes!")],
        [(CUE, "(MORE)")],
    ],
    [
        [(504, "2.")],
        [],
        [(CUE, "TOMAS (CONT'D)")],
        [(DIALOGUE, "I have a ticket!")],
        [],
        [(CUE, "INGA"), (400, "TOMAS")],
        [(150, "Too late."), (360, "Never!")],
        [],
        [(TRANSITION, "CUT TO:")],
        [],
        [(ACTION, "INT. CABIN - NIGHT")],
        [],
        [(ACTION, "Warm light.")],
    ],
]


def read(tmp_path: Path, pages: list[list[Row]], strict: bool = False, **kwargs: bool) -> Script:
    path = tmp_path / "script.pdf"
    path.write_bytes(make_pdf(pages, **kwargs))
    return read_script(path, strict=strict)


def rows(script: Script) -> list[tuple[str, str, str | None, int | None]]:
    return [(e.kind, e.text, e.character, e.page) for s in script.scenes for e in s.elements]


def test_pdf_columns_furniture_and_cont_d_join(tmp_path: Path) -> None:
    script = read(tmp_path, PAGES)
    assert script.format == "pdf"
    assert rows(script) == [
        ("scene_heading", "EXT. HARBOUR - NIGHT", None, 1),
        ("action", "Rain hammers the quay. TOMAS runs for the last boat.", None, 1),
        ("character", "TOMAS", "TOMAS", 1),
        ("parenthetical", "(breathless)", "TOMAS", 1),
        ("dialogue", "Wait! Hold the ropes!", "TOMAS", 1),
        ("dialogue", "I have a ticket!", "TOMAS", 2),
        ("character", "INGA", "INGA", 2),
        ("dialogue", "Too late.", "INGA", 2),
        ("character", "TOMAS", "TOMAS", 2),
        ("dialogue", "Never!", "TOMAS", 2),
        ("transition", "CUT TO:", None, 2),
        ("scene_heading", "INT. CABIN - NIGHT", None, 2),
        ("action", "Warm light.", None, 2),
    ]
    assert script.scenes[0].scene_number == "12"
    assert script.cast == ("TOMAS", "INGA")
    duals = [e.dual for s in script.scenes for e in s.elements if e.page == 2 and e.kind == "character"]
    assert duals == [True, True]
    for scene in script.scenes:
        for element in scene.elements:
            assert script.raw(element) in script.text.split("\n")[element.line - 1]
    assert "*" not in script.text and "(MORE)" not in script.text and "2." not in script.text


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"script\.pdf: no text layer: scanned PDF\? \(run OCR first\)$"):
        read(tmp_path, [[[]]], text=False)


def test_broken_pdf(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.4\nthis is not really a pdf\n")
    with pytest.raises(InputError, match=r"broken\.pdf: not a readable PDF"):
        read_script(path)


def test_title_page_is_recognised(tmp_path: Path) -> None:
    title_page: list[Row] = [[], [], [(230, "THE LAST FERRY")], [], [(250, "by Someone")]]
    script = read(tmp_path, [title_page, PAGES[0]])
    assert script.title == "THE LAST FERRY"
    assert [e.text for e in script.title_page] == ["THE LAST FERRY", "by Someone"]
    assert script.scenes[0].heading == "EXT. HARBOUR - NIGHT"
    assert read(tmp_path, [title_page, PAGES[0]], strict=True).title is None
