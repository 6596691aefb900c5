"""Fountain: every rule of the syntax, exact offsets, lenient and strict readings."""

from __future__ import annotations

from pathlib import Path

import pytest

from simcheck.model import Element, Script, line_of
from simcheck.read import read_script
from simcheck.read.fountain import parse_fountain
from simcheck.read.fountain_syntax import strip_emphasis

FIXTURES = Path(__file__).parent / "fixtures" / "formats"


def parse(text: str, strict: bool = False) -> Script:
    return parse_fountain(text, path="test.fountain", strict=strict)


def elements(script: Script) -> list[Element]:
    return [e for scene in script.scenes for e in scene.elements]


def kinds(script: Script) -> list[tuple[str, str]]:
    return [(e.kind, e.text) for e in elements(script)]


def assert_offsets(script: Script) -> None:
    for element in [*elements(script), *script.title_page]:
        assert element.line == line_of(script.text, element.start), element
        assert 0 <= element.start <= element.end <= len(script.text)
    for scene in script.scenes:
        assert scene.start == scene.elements[0].start
        assert scene.line == scene.elements[0].line


def test_ferry_fixture_reads_every_element_kind() -> None:
    script = read_script(FIXTURES / "ferry.fountain")
    assert script.format == "fountain"
    assert script.title == "The Last Ferry A test script"
    assert [e.key for e in script.title_page] == ["Title", "Credit", "Author", "Draft date"]
    assert script.cast == ("ANNA", "BOATMAN", "MCGREGOR")
    assert [s.heading for s in script.scenes] == [
        None,
        "EXT. FERRY DOCK - NIGHT",
        "FLASHBACK - THE SAME DOCK, YEARS AGO",
        "INT./EXT. FERRY CABIN - CONTINUOUS",
        "EXT. ISLAND - DAWN",
    ]
    assert script.scenes[1].scene_number == "1"
    found = {e.kind for e in elements(script)}
    assert found == {
        "transition", "scene_heading", "action", "note", "character", "parenthetical", "dialogue",
        "lyric", "centered", "page_break", "section", "synopsis",
    }  # fmt: skip
    assert_offsets(script)


def test_raw_text_of_each_element_is_exact() -> None:
    script = read_script(FIXTURES / "ferry.fountain")
    raw = {(e.kind, script.raw(e)) for e in elements(script)}
    assert ("scene_heading", "EXT. FERRY DOCK - NIGHT #1#") in raw
    assert ("character", "BOATMAN (O.S.)") in raw
    assert ("scene_heading", ".FLASHBACK - THE SAME DOCK, YEARS AGO") in raw
    assert ("action", "!THE BELL RINGS. Nobody moves.") in raw
    assert ("centered", "> THE END <") in raw
    assert ("action", "Anna sits. **Quiet.** The engine *hums*.") in raw
    assert ("note", "[[check her age]]") in raw
    cue = next(e for e in elements(script) if e.kind == "character" and e.extension == "O.S.")
    assert (cue.text, cue.character, cue.line) == ("BOATMAN", "BOATMAN", 22)


def test_title_page_multi_line_values_and_raw_span() -> None:
    script = parse("Title:\n\tFirst line\n    Second line\nAuthor: Me\n\nINT. ROOM - DAY\n\nHello.\n")
    title = script.title_page[0]
    assert title.key == "Title" and title.text == "First line\nSecond line"
    assert script.raw(title) == "Title:\n\tFirst line\n    Second line"
    assert script.title == "First line Second line"
    assert kinds(script) == [("scene_heading", "INT. ROOM - DAY"), ("action", "Hello.")]


def test_scene_heading_prefixes_and_not_three_dots() -> None:
    text = "\n\n".join(
        [
            "INT. A",
            "EXT B",
            "EST. C",
            "INT./EXT. D",
            "INT/EXT E",
            "I/E F",
            "int. g",
            ".FORCED",
            "...not a heading",
        ]
    )
    script = parse(text + "\n")
    headings = [e.text for e in elements(script) if e.kind == "scene_heading"]
    assert headings == ["INT. A", "EXT B", "EST. C", "INT./EXT. D", "INT/EXT E", "I/E F", "int. g", "FORCED"]
    assert ("action", "...not a heading") in kinds(script)


def test_scene_numbers() -> None:
    script = parse("INT. HOUSE - DAY #1A#\n\nAction.\n\nEXT. YARD #12#\n\nMore.\n")
    assert [(s.heading, s.scene_number) for s in script.scenes] == [
        ("INT. HOUSE - DAY", "1A"),
        ("EXT. YARD", "12"),
    ]


def test_character_cues_extensions_and_unicode_uppercase() -> None:
    script = parse(
        "HANS (on the radio)\nWhat?\n\nМАША (V.O.)\nПривет.\n\nR2D2\nBeep.\n\n23\nNot a cue.\n\n"
        "Han\nNot a cue either.\n\n@Han Solo\nForced.\n\nBOB (V.O.) (CONT'D)\nStill me.\n"
    )
    cues = [(e.text, e.character, e.extension) for e in elements(script) if e.kind == "character"]
    assert cues == [
        ("HANS", "HANS", "on the radio"),
        ("МАША", "МАША", "V.O."),
        ("R2D2", "R2D2", None),
        ("Han Solo", "HAN SOLO", None),
        ("BOB", "BOB", "V.O. CONT'D"),
    ]
    assert script.cast == ("HANS", "МАША", "R2D2", "HAN SOLO", "BOB")
    assert ("action", "23\nNot a cue.") in kinds(script)


def test_cue_needs_blank_line_before_and_dialogue_after() -> None:
    script = parse("He runs.\nBOB\nHi.\n\nBOB\n\nAlone.\n")
    assert all(e.kind == "action" for e in elements(script))


def test_dialogue_parenthetical_two_space_line_and_speaker() -> None:
    script = parse("DEALER\n(flat)\nTen.\nFour.\n  \nHit or stand?\n(beat)\nSir?\n\nHe waits.\n")
    assert kinds(script) == [
        ("character", "DEALER"),
        ("parenthetical", "(flat)"),
        ("dialogue", "Ten.\nFour.\n\nHit or stand?"),
        ("parenthetical", "(beat)"),
        ("dialogue", "Sir?"),
        ("action", "He waits."),
    ]
    assert {e.character for e in elements(script) if e.kind != "action"} == {"DEALER"}
    dialogue = elements(script)[2]
    assert script.raw(dialogue) == "Ten.\nFour.\n  \nHit or stand?"


def test_dual_dialogue_marks_both_speakers() -> None:
    script = parse("GIRL\nHey!\n\nGUY ^\nHello!\n\nBOB\nSolo.\n")
    duals = [(e.kind, e.character, e.dual) for e in elements(script)]
    assert duals == [
        ("character", "GIRL", True),
        ("dialogue", "GIRL", True),
        ("character", "GUY", True),
        ("dialogue", "GUY", True),
        ("character", "BOB", False),
        ("dialogue", "BOB", False),
    ]


def test_lyrics_transitions_centered_page_breaks_sections_synopses() -> None:
    script = parse(
        "~Happy birthday\n~to you\n\nCUT TO:\n\n>SMASH TO BLACK\n\n>THE END<\n\n===\n\n"
        "## Part two\n\n= A summary\n"
    )
    assert kinds(script) == [
        ("lyric", "Happy birthday\nto you"),
        ("transition", "CUT TO:"),
        ("transition", "SMASH TO BLACK"),
        ("centered", "THE END"),
        ("page_break", ""),
        ("section", "Part two"),
        ("synopsis", "A summary"),
    ]
    pages = [e.page for e in elements(script)]
    assert pages == [1, 1, 1, 1, 1, 2, 2]


def test_notes_inline_multiline_and_not_across_empty_line() -> None:
    text = "Before [[inline]]after.\n\nStart [[two\nlines]] end.\n\nOpen [[\n\nnever closed]]\n"
    script = parse(text)
    notes = [(e.text, script.raw(e)) for e in elements(script) if e.kind == "note"]
    assert notes == [("inline", "[[inline]]"), ("two\nlines", "[[two\nlines]]")]
    actions = [e.text for e in elements(script) if e.kind == "action"]
    assert actions == ["Before after.", "Start\nend.", "Open [[", "never closed]]"]


def test_boneyard_removed_from_text_but_offsets_stay_right() -> None:
    text = "INT. ROOM - DAY\n\n/* a cut scene\n\nBOB\nGone.\n*/\n\nShe /* not this */ smiles.\n\nBOB\nHi.\n"
    script = parse(text)
    assert kinds(script) == [
        ("scene_heading", "INT. ROOM - DAY"),
        ("action", "She  smiles."),
        ("character", "BOB"),
        ("dialogue", "Hi."),
    ]
    smile = elements(script)[1]
    assert script.raw(smile) == "She /* not this */ smiles."
    assert smile.line == 9
    assert script.cast == ("BOB",)


@pytest.mark.parametrize("strict", [False, True])
def test_boneyard_across_lines_leaves_the_element_around_it_whole(strict: bool) -> None:
    """Lines inside a boneyard, blank ones included, are not there: the speech or paragraph goes on."""
    text = (
        "INT. A - DAY\n\nAction /* start\nhidden\n\nmore hidden */ more.\n\n"
        "BOB\nHi /* x\n\ny */ there.\nAnd on.\n\n"
        "/* cut */\nANN\nYes.\n  /* cut line */  \nStill Ann.\n\n[[a note]]\nCY\nNo.\n"
    )
    script = parse(text, strict=strict)
    assert kinds(script) == [
        ("scene_heading", "INT. A - DAY"),
        ("action", "Action\nmore."),
        ("character", "BOB"),
        ("dialogue", "Hi\nthere.\nAnd on."),
        ("character", "ANN"),
        ("dialogue", "Yes.\nStill Ann."),
        ("note", "a note"),
        ("character", "CY"),
        ("dialogue", "No."),
    ]
    assert script.cast == ("BOB", "ANN", "CY")
    speech = elements(script)[3]
    assert script.raw(speech) == "Hi /* x\n\ny */ there.\nAnd on." and speech.line == 9
    assert_offsets(script)


def test_nested_boneyard_and_unclosed_boneyard() -> None:
    script = parse("A /* one /* two */ still */ B.\n\nC /* open\n")
    assert kinds(script) == [("action", "A  B."), ("action", "C /* open")]


def test_emphasis_markers_removed_and_escapes_kept() -> None:
    assert strip_emphasis("***both*** **bold** *it* _under_ \\*star\\* snake_case_name") == (
        "both bold it under *star* snake_case_name"
    )
    assert strip_emphasis("**two\nlines**") == "two\nlines"
    assert strip_emphasis("**two\nlines**", across_lines=False) == "**two\nlines**"


def test_crlf_cr_and_bom_offsets_and_line_numbers() -> None:
    body = "INT. ROOM - DAY\n\nBOB\nHi.\nThere.\n\nShe leaves.\n"
    for newline in ("\r\n", "\r"):
        text = body.replace("\n", newline)
        script = parse(text)
        assert kinds(script) == kinds(parse(body))
        assert [e.line for e in elements(script)] == [1, 3, 4, 7]
        dialogue = elements(script)[2]
        assert script.raw(dialogue) == f"Hi.{newline}There."
        assert dialogue.text == "Hi.\nThere."
        assert_offsets(script)


def test_form_feed_and_unicode_line_separators_do_not_shift_lines(tmp_path: Path) -> None:
    text = "Action with \u2028 a separator and \x0b tab.\n\nINT. ROOM - DAY\n\nEnd.\n"
    script = parse(text)
    heading = next(e for e in elements(script) if e.kind == "scene_heading")
    assert heading.line == 3
    fed = parse("One.\n\f\nTwo.\n")
    assert [(e.kind, e.page) for e in elements(fed)] == [("action", 1), ("page_break", 1), ("action", 2)]


def test_lenient_heading_without_blank_line_records_assumption() -> None:
    text = "EXT. PIER - NIGHT\nWaves.\n\nFADE IN:\n\nHe walks.\nINT. HUT - NIGHT\n\nDark.\n"
    lenient = parse(text)
    assert [s.heading for s in lenient.scenes] == ["EXT. PIER - NIGHT", "INT. HUT - NIGHT"]
    assert ("transition", "FADE IN:") in kinds(lenient)
    assert lenient.assumptions == (
        "line 1: treated 'EXT. PIER - NIGHT' as a scene heading though no blank line follows it",
        "line 4: treated 'FADE IN:' as a transition",
        "line 7: treated 'INT. HUT - NIGHT' as a scene heading though no blank line precedes it",
    )
    strict = parse(text, strict=True)
    assert strict.assumptions == ()
    assert [s.heading for s in strict.scenes] == [None]
    # by the spec a capitalised line with text under it is a character cue
    assert kinds(strict)[:2] == [("character", "EXT. PIER - NIGHT"), ("dialogue", "Waves.")]
    assert ("action", "He walks.\nINT. HUT - NIGHT") in kinds(strict)
    assert ("action", "FADE IN:") in kinds(strict)


def test_lenient_fade_in_straight_above_the_first_heading_is_a_transition() -> None:
    text = "FADE IN:\nINT. HOUSE - DAY\n\nDust.\n\nCUT TO:\nEXT. YARD - DAY\n\nBOB\nHi.\n"
    lenient = parse(text)
    assert kinds(lenient)[:2] == [("transition", "FADE IN:"), ("scene_heading", "INT. HOUSE - DAY")]
    assert ("transition", "CUT TO:") in kinds(lenient)
    assert [s.heading for s in lenient.scenes] == [None, "INT. HOUSE - DAY", "EXT. YARD - DAY"]
    assert lenient.cast == ("BOB",)
    assert "line 1: treated 'FADE IN:' as a transition though no blank line follows it" in lenient.assumptions
    assert_offsets(lenient)
    # the spec reads a capitalised line with text under it as a character cue
    strict = parse(text, strict=True)
    assert kinds(strict)[:2] == [("character", "FADE IN:"), ("dialogue", "INT. HOUSE - DAY")]
    # a speaker whose name happens to end in "TO" stays a speaker
    assert kinds(parse("Stage.\n\nPLUTO:\nI rule here.\n"))[1:] == [
        ("character", "PLUTO:"),
        ("dialogue", "I rule here."),
    ]


def test_no_headings_gives_one_implicit_scene() -> None:
    script = parse("Just some prose.\n\nAnd more of it.\n")
    assert len(script.scenes) == 1
    scene = script.scenes[0]
    assert scene.heading is None and scene.number == 1 and scene.line == 1
    assert script.raw(scene) == "Just some prose.\n\nAnd more of it."


@pytest.mark.parametrize("strict", [False, True])
def test_every_offset_is_consistent_on_a_messy_text(strict: bool) -> None:
    text = (
        "\ufeffTitle: X\r\n\r\n[[note]]\r\nINT. A\r\nB /* c */ d [[e\r\nf]] g\r\n\r\nBOB ^\r\n~la\r\n(x)\r\n"
        "y\r\n  \r\nz\r\n\r\n===\r\n> a <\r\n"
    )
    script = parse(text, strict=strict)
    assert_offsets(script)
    for element in elements(script):
        assert element.text == element.text.strip()
        assert "\r" not in element.text


def test_emphasis_across_lines_is_a_recorded_lenient_reading() -> None:
    text = "INT. A - DAY\n\nHe says *this\nand that* loudly. *One line* only.\n"
    lenient = parse(text)
    assert ("action", "He says this\nand that loudly. One line only.") in kinds(lenient)
    assert lenient.assumptions == ("line 3: read emphasis markers across the lines of 'He says *this'",)
    strict = parse(text, strict=True)
    assert ("action", "He says *this\nand that* loudly. One line only.") in kinds(strict)
    assert strict.assumptions == ()
    # emphasis inside one line is the spec, not an assumption
    assert parse("INT. A - DAY\n\nHe says *this*\nand that.\n").assumptions == ()
