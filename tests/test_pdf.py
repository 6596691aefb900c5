"""PDF: column calibration, page furniture, CONT'D joins, margin scene numbers, no text layer.

The PDFs are written by hand here (Courier text at exact positions), so the test needs no PDF writer.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from handmade import Row, make_pdf

from simcheck.cli import cli
from simcheck.errors import InputError
from simcheck.model import Script
from simcheck.read import read_script

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


def test_damaged_pdf_is_read_and_the_cli_prints_no_library_warnings(tmp_path: Path) -> None:
    # A subprocess: under pytest the logging plugin catches what would reach a user's terminal.
    path = tmp_path / "damaged.pdf"
    path.write_bytes(make_pdf(PAGES, damaged=True))
    result = subprocess.run(
        [sys.executable, "-m", "simcheck", "parse", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # pdfminer's "Data-loss while decompressing corrupted data" stays out
    assert json.loads(result.stdout)["scenes"][0]["heading"] == "EXT. HARBOUR - NIGHT"


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


def test_calibrates_other_margins_and_drops_numbered_continued_headers(tmp_path: Path) -> None:
    """Columns found from this document (not the standard ones); 'CONTINUED: (2)' with the page
    number on the same line is furniture, and the speech goes on after the repeated cue."""
    a, d, p, c = 102.0, 150.0, 190.0, 230.0
    pages: list[list[Row]] = [
        [
            [(72, "1"), (a, "INT. OFFICE - DAY"), (520, "1")],
            [],
            [(a, "Papers everywhere. MARA types.")],
            [],
            [(c, "MARA")],
            [(d, "I never sleep. Never. Not")],
            [(d, "since the thing happened.")],
            [],
            [(c, "JON (O.S.)")],
            [(p, "(from the hall)")],
            [(d, "Coffee?")],
            [],
            [(c, "MARA")],
            [(d, "Black.")],
            [(c, "(MORE)")],
            [(a, "(CONTINUED)")],
        ],
        [
            [(a, "CONTINUED: (2)"), (500, "2.")],
            [(c, "MARA (CONT'D)")],
            [(d, "Very black.")],
        ],
    ]
    script = read(tmp_path, pages)
    assert rows(script) == [
        ("scene_heading", "INT. OFFICE - DAY", None, 1),
        ("action", "Papers everywhere. MARA types.", None, 1),
        ("character", "MARA", "MARA", 1),
        ("dialogue", "I never sleep. Never. Not since the thing happened.", "MARA", 1),
        ("character", "JON", "JON", 1),
        ("parenthetical", "(from the hall)", "JON", 1),
        ("dialogue", "Coffee?", "JON", 1),
        ("character", "MARA", "MARA", 1),
        ("dialogue", "Black.", "MARA", 1),
        ("dialogue", "Very black.", "MARA", 2),
    ]
    assert script.scenes[0].scene_number == "1"
    assert "2." not in script.text and "CONTINUED" not in script.text


def test_each_element_knows_its_page_and_position_on_it(tmp_path: Path) -> None:
    script = read(tmp_path, PAGES)
    found = {(e.text, e.page, e.top) for s in script.scenes for e in s.elements}
    # baselines at y = 720 - 12 * row; Courier 12 pt glyph tops sit ~9.7 pt above the baseline
    row_top = {row: 792 - (720 - 12 * row) - 9.7 for row in range(20)}
    expected = [("EXT. HARBOUR - NIGHT", 1, 0)]
    expected += [("Rain hammers the quay. TOMAS runs for the last boat.", 1, 2)]
    expected += [("I have a ticket!", 2, 3), ("Too late.", 2, 6), ("Never!", 2, 6), ("Warm light.", 2, 12)]
    for text, page, row in expected:
        match = [top for t, p, top in found if t == text and p == page]
        assert match and match[0] is not None and abs(match[0] - row_top[row]) < 1.0, (text, match)
    result = CliRunner().invoke(cli, ["parse", str(tmp_path / "script.pdf"), "--format", "json"])
    data = json.loads(result.output)
    first = data["scenes"][0]["elements"][0]
    assert first["page"] == 1 and abs(first["top"] - row_top[0]) < 1.0


def test_title_at_the_top_of_page_one_fade_in_and_the_end_stay_out_of_the_cast(tmp_path: Path) -> None:
    page: list[Row] = [
        [(270, "THE MILL")],
        [],
        [(266, "Written by")],
        [],
        [(270, "Ann Other")],
        [],
        [],
        [(ACTION, "FADE IN:")],
        [],
        [(ACTION, "INT. MILL - NIGHT")],
        [],
        [(ACTION, "Flour everywhere.")],
        [],
        [(CUE, "ODA")],
        [(PAREN, "(softly)")],
        [(DIALOGUE, "It's late.")],
        [],
        [(CUE, "BRAM")],
        [(DIALOGUE, "It's always late.")],
        [],
        [(TRANSITION + 36, "FADE OUT.")],
        [],
        [(299, "THE END")],
    ]
    script = read(tmp_path, [page])
    assert script.title == "THE MILL"
    assert [e.text for e in script.title_page] == ["THE MILL", "Written by", "Ann Other"]
    assert script.cast == ("ODA", "BRAM")
    got = [(kind, text) for kind, text, _, _ in rows(script)]
    assert got[0] == ("transition", "FADE IN:")
    assert got[-2:] == [("transition", "FADE OUT."), ("centered", "THE END")]


def test_shots_are_headings_and_page_headers_are_dropped(tmp_path: Path) -> None:
    """A shot standing alone at the action margin starts a scene (as Fountain's forced heading does);
    a page header that ends in the page number is furniture, not action; a capitalised sound is action."""
    pages: list[list[Row]] = [
        [
            [(ACTION, "INT. MILL - NIGHT")],
            [],
            [(ACTION, "Flour everywhere.")],
            [],
            [(ACTION, "CLOSE ON THE SACK")],
            [],
            [(ACTION, "A rat's tail vanishes into it.")],
            [],
            [(ACTION, "BANG! BANG!")],
            [],
            [(CUE, "ODA")],
            [(DIALOGUE, "Look.")],
        ],
        [
            [(300, "THE MILL - Blue Rev. (3/4/25)"), (540, "2.")],
            [],
            [(ACTION, "BACK TO SCENE")],
            [],
            [(CUE, "BRAM")],
            [(DIALOGUE, "Leave it.")],
            [],
            [(ACTION, "ODA'S POV - THE RAFTERS")],
            [],
            [(ACTION, "Something moves.")],
        ],
    ]
    script = read(tmp_path, pages)
    assert [(s.heading or "").replace("\u2019", "'") for s in script.scenes] == [  # Courier's quoteright
        "INT. MILL - NIGHT",
        "CLOSE ON THE SACK",
        "BACK TO SCENE",
        "ODA'S POV - THE RAFTERS",
    ]
    texts = [text for _, text, _, _ in rows(script)]
    assert "BANG! BANG!" in texts and not any("Rev." in text for text in texts)
    assert script.cast == ("ODA", "BRAM")


def test_dual_dialogue_whose_left_column_sits_at_the_action_margin(tmp_path: Path) -> None:
    """Final Draft sets the left speech of a dual pair at the action margin: its lines under the end of
    the right speech are still dialogue, not action."""
    page: list[Row] = [
        [(ACTION, "INT. MILL - NIGHT")],
        [],
        [(ACTION, "Flour everywhere.")],
        [],
        [(180, "ODA"), (410, "BRAM")],
        [(ACTION, "Go home. Now. I mean"), (331, "Never!")],
        [(ACTION, "it this time.")],
        [],
        [(ACTION, "They glare.")],
    ]
    script = read(tmp_path, [page])
    assert [(kind, text, who) for kind, text, who, _ in rows(script)][2:] == [
        ("character", "ODA", "ODA"),
        ("dialogue", "Go home. Now. I mean it this time.", "ODA"),
        ("character", "BRAM", "BRAM"),
        ("dialogue", "Never!", "BRAM"),
        ("action", "They glare.", None),
    ]
    assert [e.dual for e in script.scenes[0].elements if e.kind == "character"] == [True, True]


def test_running_header_goes_and_a_cue_that_tops_every_page_stays(tmp_path: Path) -> None:
    """A header repeated at the top of every page (no page number on it, a blank line under it) is page
    furniture; a speech carried over every page break, whose 'NAME (CONT'D)' cue tops every page with
    its dialogue straight under it, is not."""
    pages: list[list[Row]] = []
    for number in range(4):
        page: list[Row] = [[(400, "THE MILL (Blue)")], []]
        if number:
            page += [[(CUE, "ODA (CONT'D)")], [(DIALOGUE, f"and on, page {number + 1}.")]]
        else:
            page += [[(ACTION, "INT. MILL - NIGHT")], [], [(CUE, "ODA")], [(DIALOGUE, "On and on,")]]
        page += [[(CUE, "(MORE)")]] if number < 3 else [[], [(CUE, "BRAM")], [(DIALOGUE, "Stop.")]]
        pages.append(page)
    script = read(tmp_path, pages)
    assert script.cast == ("ODA", "BRAM")
    assert [(kind, text) for kind, text, _, _ in rows(script)][1:] == [
        ("character", "ODA"),
        ("dialogue", "On and on,"),
        ("dialogue", "and on, page 2."),
        ("dialogue", "and on, page 3."),
        ("dialogue", "and on, page 4."),
        ("character", "BRAM"),
        ("dialogue", "Stop."),
    ]
