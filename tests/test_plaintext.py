"""Plain text: indentation layouts, Fountain-like text, prose."""

from __future__ import annotations

from pathlib import Path

from simcheck.model import Script
from simcheck.read import read_script
from simcheck.read.plaintext import detect_layout

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
