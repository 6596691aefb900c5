"""Plain text: indentation layouts, Fountain-like text, prose."""

from __future__ import annotations

from pathlib import Path

from simcheck.model import Script
from simcheck.read import read_script
from simcheck.read.layout import detect_layout

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def rows(script: Script) -> list[tuple[str, str, str | None]]:
    return [(e.kind, e.text, e.character) for s in script.scenes for e in s.elements]


def test_layout_script_is_read_by_columns() -> None:
    script = read_script(FIXTURES / "layout.txt")
    assert script.format == "text"
    assert script.cast == ("MARGIT", "ELOF")
    assert [(s.heading, s.scene_number) for s in script.scenes] == [
        (None, None),
        ("EXT. ROCKY SHORE - DAWN", "1"),
        ("INT. LIGHTHOUSE KITCHEN - CONTINUOUS", "2"),
    ]
    got = rows(script)
    assert ("parenthetical", "(calling from above)", "MARGIT") in got
    assert ("dialogue", "Pilot! Breakfast is not going to\ncatch itself.", "MARGIT") in got
    assert ("transition", "CUT TO:", None) in got and ("transition", "FADE OUT.", None) in got
    assert ("action", "The cat ignores her entirely.", None) in got
    # page furniture is gone and the speech cut by (MORE) goes on without a second cue
    assert not any("(MORE)" in text or text == "2." for _, text, _ in got)
    last_speech = [r for r in got if r[2] == "MARGIT"][-2:]
    assert last_speech == [
        ("dialogue", "And every morning he comes\nback with a crab.", "MARGIT"),
        ("dialogue", "A live one.", "MARGIT"),
    ]
    assert sum(1 for kind, _, _ in got if kind == "character") == 4
    heading = script.scenes[1].elements[0]
    assert script.raw(heading).startswith("1  EXT. ROCKY SHORE") and heading.line == 6
    assert script.assumptions[0].startswith(
        "layout: read by indentation (action column 3, dialogue 10, cues 23"
    )


def test_tabs_count_as_eight_columns(tmp_path: Path) -> None:
    text = (FIXTURES / "layout.txt").read_text().replace(" " * 16 + "       ", "\t\t" + "       ")
    assert "\t\t       MARGIT" in text
    assert detect_layout(text) is not None
    path = tmp_path / "tabs.txt"
    path.write_text(text)
    assert read_script(path).cast == ("MARGIT", "ELOF")


def test_fountain_like_text_uses_fountain_rules(tmp_path: Path) -> None:
    path = tmp_path / "draft.txt"
    path.write_text("INT. KITCHEN - NIGHT\n\nA kettle.\n\nJO\nTea?\n", encoding="cp1252")
    script = read_script(path)
    assert script.format == "fountain"
    assert rows(script) == [
        ("scene_heading", "INT. KITCHEN - NIGHT", None),
        ("action", "A kettle.", None),
        ("character", "JO", "JO"),
        ("dialogue", "Tea?", "JO"),
    ]


def test_prose_becomes_action_in_one_implicit_scene(tmp_path: Path) -> None:
    path = tmp_path / "story.text"
    path.write_bytes(
        "It was late. The ferry had gone.\r\n\r\nShe walked home anyway, café in hand.\r\n".encode("cp1252")
    )
    script = read_script(path)
    assert script.format == "text" and script.encoding == "cp1252"
    assert len(script.scenes) == 1 and script.scenes[0].heading is None
    assert rows(script) == [
        ("action", "It was late. The ferry had gone.", None),
        ("action", "She walked home anyway, café in hand.", None),
    ]
    assert script.raw(script.scenes[0].elements[1]).endswith("café in hand.")


def test_form_feed_is_a_page_break_in_a_layout(tmp_path: Path) -> None:
    text = (
        (FIXTURES / "layout.txt")
        .read_text()
        .replace("                                                             2.\n", "\f")
    )
    path = tmp_path / "ff.txt"
    path.write_text(text)
    script = read_script(path)
    breaks = [e for s in script.scenes for e in s.elements if e.kind == "page_break"]
    assert len(breaks) == 1 and script.text[breaks[0].start] == "\f"
    last = script.scenes[-1].elements[-1]
    assert last.page == 2


def test_layout_continued_header_and_cont_d_cue_keep_the_speech(tmp_path: Path) -> None:
    """'CONTINUED: (2)' at the action margin is page furniture, and after '(MORE)' the repeated
    'NAME (CONT'D)' cue hands the speech on to the next page even across a blank line."""
    cue, talk, act = " " * 37, " " * 25, " " * 15
    lines = [
        f"{act}INT. OFFICE - DAY",
        "",
        f"{act}Papers everywhere.",
        "",
        f"{cue}MARA",
        f"{talk}I never sleep.",
        "",
        f"{cue}JON",
        f"{talk}Coffee?",
        "",
        f"{cue}MARA",
        f"{talk}Black.",
        f"{cue}(MORE)",
        f"{act}(CONTINUED)",
        "\f" + " " * 62 + "2.",
        f"{act}CONTINUED: (2)",
        "",
        f"{cue}MARA (CONT'D)",
        f"{talk}Very black.",
    ]
    path = tmp_path / "more.txt"
    path.write_text("\n".join(lines) + "\n")
    script = read_script(path)
    assert script.format == "text"
    assert [r for r in rows(script) if r[0] != "page_break"][-3:] == [
        ("character", "MARA", "MARA"),
        ("dialogue", "Black.", "MARA"),
        ("dialogue", "Very black.", "MARA"),
    ]
    assert not any("CONTINUED" in e.text for s in script.scenes for e in s.elements)
    very = script.scenes[-1].elements[-1]
    assert very.line == 19 and script.raw(very) == "Very black." and very.page == 2


def _layout(tmp_path: Path, lines: list[str], name: str = "script.txt") -> Script:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return read_script(path)


# the columns of pdftotext -layout output of a Final Draft PDF: action 15, dialogue 25, parentheticals 31,
# cues 37 (parentheticals sit right of the middle between dialogue and cues)
A, D, P, C = " " * 15, " " * 25, " " * 31, " " * 37


def _speech(cue: str, *lines: str) -> list[str]:
    return [C + cue, *lines, ""]


def test_parentheticals_right_of_the_middle_keep_the_speech(tmp_path: Path) -> None:
    lines = [A + "INT. MILL - NIGHT", "", A + "Flour everywhere.", ""]
    lines += _speech("ODA", P + "(softly)", D + "It's late.")
    lines += _speech("BRAM", D + "It's always late.")
    lines += _speech("ODA", P + "(beat)", D + "Then go home.")
    lines += _speech("BRAM", D + "This is home.")
    script = _layout(tmp_path, lines)
    assert [r for r in rows(script) if r[0] != "scene_heading"] == [
        ("action", "Flour everywhere.", None),
        ("character", "ODA", "ODA"),
        ("parenthetical", "(softly)", "ODA"),
        ("dialogue", "It's late.", "ODA"),
        ("character", "BRAM", "BRAM"),
        ("dialogue", "It's always late.", "BRAM"),
        ("character", "ODA", "ODA"),
        ("parenthetical", "(beat)", "ODA"),
        ("dialogue", "Then go home.", "ODA"),
        ("character", "BRAM", "BRAM"),
        ("dialogue", "This is home.", "BRAM"),
    ]


def test_shots_numbered_lines_and_continued_headers(tmp_path: Path) -> None:
    """Shots standing alone at the action margin are scene headings (Fountain's forced headings); scene
    numbers on both margins are read off shots too; a numbered CONTINUED line is furniture, and so is a
    page header ending in a page number; a capitalised sound is still action."""
    n = " " * 8
    lines = [
        n + "7      INT. MILL - NIGHT" + " " * 40 + "7",
        "",
        A + "Flour everywhere.",
        "",
        *_speech("ODA", D + "Look."),
        n + "7A     CLOSE ON THE SACK" + " " * 40 + "7A",
        "",
        A + "A rat's tail vanishes into it.",
        "",
        A + "BANG! BANG!",
        "",
        "\f" + " " * 40 + "THE MILL - PINK REV.    2.",
        "",
        n + "7A     CONTINUED:" + " " * 47 + "7A",
        "",
        A + "BACK TO SCENE",
        "",
        *_speech("BRAM", D + "Leave it."),
        *_speech("ODA", D + "Never."),
        *_speech("BRAM", D + "Then feed it."),
    ]
    script = _layout(tmp_path, lines)
    assert [(s.heading, s.scene_number) for s in script.scenes] == [
        ("INT. MILL - NIGHT", "7"),
        ("CLOSE ON THE SACK", "7A"),
        ("BACK TO SCENE", None),
    ]
    got = [r for r in rows(script) if r[0] != "page_break"]
    assert ("action", "BANG! BANG!", None) in got
    assert not any("CONTINUED" in text or "REV." in text for _, text, _ in got)
    assert script.cast == ("ODA", "BRAM")


def test_centred_cues_and_dual_dialogue_side_by_side(tmp_path: Path) -> None:
    def centred(text: str) -> str:
        return " " * (40 - len(text) // 2) + text

    lines = ["INT. MILL - NIGHT", "", "Flour everywhere, and two millers in it.", ""]
    lines += [centred("ODA"), " " * 10 + "It's late.", ""]
    lines += [centred("THE MILLER'S BROTHER"), " " * 10 + "It's always late.", ""]
    lines += [centred("ODA (CONT'D)"), " " * 10 + "Then go home.", ""]
    lines += [" " * 14 + "ODA" + " " * 32 + "THE MILLER'S BROTHER"]
    lines += ["Go home. Now. I mean" + " " * 22 + "Never!"]
    lines += ["it this time."]
    lines += ["", "They glare.", ""]
    script = _layout(tmp_path, lines)
    assert script.cast == ("ODA", "THE MILLER'S BROTHER")
    got = [(e.kind, e.text.replace("\n", " "), e.character, e.dual) for e in script.scenes[-1].elements]
    assert got[-5:] == [
        ("character", "ODA", "ODA", True),
        ("dialogue", "Go home. Now. I mean it this time.", "ODA", True),
        ("character", "THE MILLER'S BROTHER", "THE MILLER'S BROTHER", True),
        ("dialogue", "Never!", "THE MILLER'S BROTHER", True),
        ("action", "They glare.", None, False),
    ]
    assert sum(1 for kind, _, _, _ in got if kind == "character") == 5


def test_title_page_fade_in_and_the_end(tmp_path: Path) -> None:
    lines = [" " * 30 + "THE MILL", "", " " * 29 + "written by", "", " " * 29 + "Ann Other", "", "", ""]
    lines += [A + "FADE IN:", "", A + "INT. MILL - NIGHT", "", A + "Flour everywhere.", ""]
    for name in ("ODA", "BRAM", "ODA"):
        lines += _speech(name, D + "Well.")
    lines += [" " * 61 + "FADE OUT.", "", " " * 41 + "THE END"]
    script = _layout(tmp_path, lines)
    assert script.title == "THE MILL"
    assert [e.text for e in script.title_page] == ["THE MILL", "written by", "Ann Other"]
    got = rows(script)
    assert got[0] == ("transition", "FADE IN:", None)
    assert got[-2:] == [("transition", "FADE OUT.", None), ("centered", "THE END", None)]
    assert script.cast == ("ODA", "BRAM")


def test_a_cold_open_before_the_first_heading_is_not_a_title_page(tmp_path: Path) -> None:
    prose = "The sea at night, black and loud, and a lamp moving on the cliff above it."
    lines = [A + prose[:58], A + prose[58:], "", " " * 36 + "SUPER: 1888", "", " " * 70 + "1.", "\f"]
    lines += [A + "EXT. CLIFF - NIGHT", ""]
    for name in ("ODA", "BRAM", "ODA"):
        lines += _speech(name, D + "Well.")
    script = _layout(tmp_path, lines)
    assert script.title_page == () and script.title is None
    assert rows(script)[0] == ("action", prose[:58] + "\n" + prose[58:].strip(), None)


def test_cont_d_on_its_own_line_under_the_cue(tmp_path: Path) -> None:
    lines = [A + "INT. MILL - NIGHT", ""]
    lines += _speech("ODA", D + "One.")
    lines += [A + "She waits.", ""]
    lines += _speech("ODA", " " * 36 + "(CONT'D)", D + "Two.")
    lines += _speech("BRAM", D + "Three.")
    lines += _speech("BRAM", D + "Four.")
    script = _layout(tmp_path, lines)
    assert script.format == "text"
    assert [r for r in rows(script) if r[2] == "ODA"] == [
        ("character", "ODA", "ODA"),
        ("dialogue", "One.", "ODA"),
        ("character", "ODA", "ODA"),
        ("dialogue", "Two.", "ODA"),
    ]


def test_name_colon_cues_but_not_cards(tmp_path: Path) -> None:
    lines = [A + "INT. MILL - NIGHT", ""]
    lines += _speech("ODA", D + "One.")
    lines += _speech("BRAM", D + "Two.")
    lines += _speech("ODA:", D + "Three.")
    lines += _speech("SUPER:", D + '"The mill, 1888"')
    lines += _speech("BRAM", D + "Four.")
    script = _layout(tmp_path, lines)
    assert script.format == "text" and script.cast == ("ODA", "BRAM")
    assert ("character", "ODA", "ODA") in rows(script)[5:7]
    assert ("action", 'SUPER:\n"The mill, 1888"', None) in rows(script)
