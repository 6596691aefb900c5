from __future__ import annotations

from handmade import build_script

from simcheck.model import (
    ACTION,
    ACTION_PASSAGE,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    LYRIC,
    NOTE,
    PARENTHETICAL,
    SPEECH,
    TRANSITION,
    WINDOW,
    Script,
    line_of,
)
from simcheck.settings import IndexSettings
from simcheck.text.passages import is_furniture, make_passages
from simcheck.text.tokens import words

SETTINGS = IndexSettings(passage_max_words=30, passage_min_words=6)

LONG_SPEECH = " ".join(f"word{i}" for i in range(70))  # 70 words: three windows of 30 words max


def _is_subsequence(small: list[str], big: list[str]) -> bool:
    it = iter(big)
    return all(any(w == b for b in it) for w in small)


def _check_offsets(script: Script) -> None:
    for p in make_passages(script, SETTINGS):
        span = script.text[p.start : p.end]
        assert _is_subsequence(words(p.text), words(span)), (p, span)
        assert words(span)[:1] == words(p.text)[:1]
        assert p.line == line_of(script.text, p.start)


def test_speech_and_action_units_exclude_cue_heading_and_transition() -> None:
    script = build_script(
        [
            (
                "INT. GREENHOUSE - NIGHT",
                [
                    (ACTION, "Rain drums on the glass roof while Mara repots a dying fern."),
                    (CHARACTER, "MARA"),
                    (PARENTHETICAL, "(to the fern)"),
                    (DIALOGUE, "You are not allowed to give up before I do."),
                    (TRANSITION, "CUT TO:"),
                ],
            )
        ]
    )
    passages = make_passages(script, SETTINGS)
    assert [p.kind for p in passages] == [ACTION_PASSAGE, SPEECH]
    action, speech = passages
    assert (
        script.text[action.start : action.end]
        == "Rain drums on the glass roof while Mara repots a dying fern."
    )
    assert speech.speaker == "MARA"
    assert speech.text == "(to the fern)\nYou are not allowed to give up before I do."
    assert script.text[speech.start : speech.end] == speech.text  # cue not in the span
    assert "MARA\n" not in script.text[speech.start : speech.end]
    assert all("CUT TO" not in p.text and "GREENHOUSE" not in p.text for p in passages)
    _check_offsets(script)


def test_long_speech_is_cut_into_exact_balanced_windows() -> None:
    script = build_script([(None, [(CHARACTER, "OTTO"), (DIALOGUE, LONG_SPEECH)])])
    passages = make_passages(script, SETTINGS)
    assert [p.kind for p in passages] == [SPEECH, SPEECH, SPEECH]
    assert [len(words(p.text)) for p in passages] == [23, 24, 23]
    assert all(p.speaker == "OTTO" for p in passages)
    # exact, contiguous, non-overlapping: the spans cover the speech word for word
    joined = [w for p in passages for w in words(script.text[p.start : p.end])]
    assert joined == words(LONG_SPEECH)
    assert all(script.text[p.start : p.end] == p.text for p in passages)
    assert passages[0].end < passages[1].start < passages[1].end < passages[2].start


def test_window_split_across_a_parenthetical_keeps_exact_offsets() -> None:
    first = " ".join(f"alpha{i}" for i in range(20))
    second = " ".join(f"beta{i}" for i in range(20))
    script = build_script(
        [(None, [(CHARACTER, "IDA"), (DIALOGUE, first), (PARENTHETICAL, "(quietly)"), (DIALOGUE, second)])]
    )
    passages = make_passages(script, SETTINGS)
    assert len(passages) == 2
    assert sum(len(words(p.text)) for p in passages) == 41
    _check_offsets(script)
    assert passages[0].start == script.scenes[0].elements[1].start
    assert passages[-1].end == script.scenes[0].elements[-1].end


def test_short_exchange_becomes_one_window_without_cues() -> None:
    script = build_script(
        [
            (
                "EXT. PIER - DAWN",
                [
                    (CHARACTER, "LENA"),
                    (DIALOGUE, "You came back."),
                    (CHARACTER, "JONAS"),
                    (DIALOGUE, "I never left."),
                    (CHARACTER, "LENA"),
                    (DIALOGUE, "Liar."),
                    (CHARACTER, "JONAS"),
                    (DIALOGUE, "Always, for you."),
                ],
            )
        ]
    )
    passages = make_passages(script, SETTINGS)
    assert len(passages) == 1
    (window,) = passages
    assert window.kind == WINDOW
    assert window.speaker is None
    assert window.text == "You came back.\nI never left.\nLiar.\nAlways, for you."
    span = script.text[window.start : window.end]
    assert span.startswith("You came back.") and span.endswith("Always, for you.")
    assert "JONAS" in span  # the cues between speeches are inside the span, not in the text
    _check_offsets(script)


def test_tiny_line_is_merged_into_a_neighbour_not_dropped() -> None:
    long_line = "The harbour lights flicker twice and then go dark across the whole bay tonight."
    script = build_script(
        [
            (
                None,
                [
                    (CHARACTER, "LENA"),
                    (DIALOGUE, long_line),
                    (CHARACTER, "JONAS"),
                    (DIALOGUE, "Yes."),
                ],
            )
        ]
    )
    passages = make_passages(script, SETTINGS)
    assert len(passages) == 1
    assert passages[0].kind == WINDOW
    assert passages[0].text == long_line + "\nYes."


def test_scene_too_short_to_be_evidence_has_no_passage_and_scenes_are_not_crossed() -> None:
    script = build_script(
        [
            ("INT. HALL - DAY", [(CHARACTER, "MARA"), (DIALOGUE, "Run!")]),
            ("EXT. ROAD - DAY", [(ACTION, "Mara sprints past the broken gate toward the waiting car.")]),
        ]
    )
    passages = make_passages(script, SETTINGS)
    assert [(p.scene, p.kind) for p in passages] == [(2, ACTION_PASSAGE)]


def test_furniture_notes_lyrics_and_centered() -> None:
    script = build_script(
        [
            (
                None,
                [
                    (CHARACTER, "OTTO"),
                    (DIALOGUE, "I counted every lamp on the street and one of them was missing."),
                    (PARENTHETICAL, "(MORE)"),
                    (NOTE, "[[check this line with the producer]]"),
                    (LYRIC, "Oh the lamps of the street they are singing tonight"),
                    (CENTERED, "THE END OF THE FIRST PART OF IT ALL"),
                ],
            )
        ]
    )
    passages = make_passages(script, SETTINGS)
    assert [p.kind for p in passages] == [SPEECH, ACTION_PASSAGE, ACTION_PASSAGE]
    assert "MORE" not in passages[0].text
    assert all("producer" not in p.text for p in passages)
    assert is_furniture("(CONT'D)") and is_furniture("CONTINUED:") and not is_furniture("(more bread)")


def test_make_passages_is_deterministic_and_ordered() -> None:
    scenes = [
        (
            f"INT. ROOM {n} - DAY",
            [
                (ACTION, f"Room {n} holds a table, two chairs and a clock that has stopped at nine."),
                (CHARACTER, "MARA"),
                (DIALOGUE, LONG_SPEECH),
                (CHARACTER, "OTTO"),
                (DIALOGUE, "Fine."),
            ],
        )
        for n in range(3)
    ]
    script = build_script(scenes)
    first = make_passages(script, SETTINGS)
    assert first == make_passages(script, SETTINGS)
    assert [p.start for p in first] == sorted(p.start for p in first)
    assert [p.scene for p in first] == sorted(p.scene for p in first)
    _check_offsets(script)
