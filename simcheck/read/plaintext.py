"""Plain text: scripts laid out with indentation (as found on script sites), Fountain, or prose.

The layout is detected from the distribution of indentation (tabs expanded to 8 columns): when a
good share of lines sit well right of the left margin and capitalised short lines (cues) sit right
of the other indented lines (dialogue), the text is read by column: left column = scene headings
and action, cue column = character cues, dialogue column = dialogue and parentheticals, far right
= transitions. Page furniture (page numbers alone on a line, ``(MORE)``, ``(CONTINUED)``,
``CONTINUED:``) is skipped; form feeds are page breaks. Otherwise the text is read with the
Fountain rules, where prose simply becomes action paragraphs (``format`` is then ``"fountain"``
when headings or cues were found, else ``"text"``).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, replace

from simcheck.model import (
    ACTION,
    CHARACTER,
    DIALOGUE,
    PAGE_BREAK,
    PARENTHETICAL,
    SCENE_HEADING,
    TRANSITION,
    Element,
    Lines,
    Script,
)
from simcheck.read.assemble import is_contd, make_script, normalise_name, split_cue
from simcheck.read.decode import decode_bytes
from simcheck.read.fountain import parse_fountain
from simcheck.read.fountain_syntax import HEADING, LENIENT_TRANSITION, is_cue_name

MIN_INDENTED_SHARE = 0.2  # share of non-blank lines indented past the action column
MIN_COLUMN_LINES = 3  # lines needed to establish the cue and the dialogue column
_FURNITURE = re.compile(
    r"(?:\d{1,4}[A-Z]?\.?|\(MORE\)|\(CONTINUED\)|CONTINUED:?(?: ?\(\d+\))?|\(CONT'D\)|CONT'D|- ?\d{1,4} ?-)$",
    re.IGNORECASE,
)
_CONTINUED = re.compile(r"\(?CONTINUED\b", re.IGNORECASE)
_SCENE_NUMBERS = re.compile(r"^(\d{1,4}[A-Z]?)\s+(.*?)(?:\s+\1)?$")


@dataclass(frozen=True)
class Layout:
    """Columns (in characters, tabs expanded) found in one document."""

    action: int
    dialogue: int
    cue: int
    transition: int


def _indent(line: str) -> int:
    if not line or not line[0].isspace():
        return 0
    expanded = line.expandtabs(8)
    return len(expanded) - len(expanded.lstrip())


def detect_layout(text: str) -> Layout | None:
    """Calibrate the columns of an indentation-laid-out script, or None for Fountain/prose."""
    lines = [line for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n") if line.strip()]
    if len(lines) < 10:
        return None
    indents = [_indent(line.replace("\f", "")) for line in lines]
    counts = Counter(indents)
    action = min(i for i, c in counts.items() if c >= 0.1 * len(lines)) if counts else 0
    indented = [(i, line.strip()) for i, line in zip(indents, lines, strict=True) if i >= action + 6]
    if len(indented) < MIN_INDENTED_SHARE * len(lines):
        return None
    cue_indents = Counter(i for i, s in indented if is_cue_name(s) and len(s) <= 40 and not s.endswith(":"))
    other = Counter(i for i, s in indented if not is_cue_name(s) and not s.startswith("("))
    if not cue_indents or not other:
        return None
    cue, cue_count = cue_indents.most_common(1)[0]
    dialogue, dialogue_count = other.most_common(1)[0]
    if cue_count < MIN_COLUMN_LINES or dialogue_count < MIN_COLUMN_LINES or cue <= dialogue:
        return None
    return Layout(action=action, dialogue=dialogue, cue=cue, transition=cue + 12)


def read_layout(
    text: str, layout: Layout, *, path: str, data: bytes, encoding: str, strict: bool = False
) -> Script:
    lines = Lines.of(text)
    starts, ends = lines.starts, lines.ends
    elements: list[Element] = []
    scene_numbers: dict[int, str] = {}
    speaker: str | None = None
    kind: str | None = None  # kind of the open multi-line element
    first = last = 0
    texts: list[str] = []
    page = 1
    cue_threshold = (layout.dialogue + layout.cue) // 2
    extra: dict[str, str | None] = {}
    more: str | None = None  # speaker whose speech was cut by "(MORE)"

    def _speech_follows(i: int) -> bool:
        if i + 1 >= len(starts):
            return False
        following = text[starts[i + 1] : ends[i + 1]].replace("\f", "")
        return bool(following.strip()) and layout.dialogue - 2 <= _indent(following) < cue_threshold

    def span(a: int, b: int) -> tuple[int, int]:
        s, e = starts[a], ends[b]
        while s < e and text[s] in " \t\f\u00a0":
            s += 1
        while e > s and text[e - 1] in " \t\f\u00a0":
            e -= 1
        return s, e

    def close() -> None:
        nonlocal kind, texts
        if kind is None:
            return
        s, e = span(first, last)
        elements.append(
            Element(
                kind,
                "\n".join(texts).strip(),
                s,
                e,
                first + 1,
                character=extra.get("character"),
                extension=extra.get("extension"),
                page=page,
            )
        )
        kind, texts = None, []
        extra.clear()

    def open_(new_kind: str, i: int, value: str, **attrs: str | None) -> None:
        nonlocal kind, first, last, texts
        close()
        kind, first, last, texts = new_kind, i, i, [value]
        extra.update(attrs)

    for i in range(len(starts)):
        raw = text[starts[i] : ends[i]]
        if "\f" in raw:
            close()
            position = starts[i] + raw.index("\f")
            elements.append(Element(PAGE_BREAK, "", position, position + 1, i + 1, page=page))
            page += 1
            raw = raw.replace("\f", "")
        s = raw.strip()
        if not s:
            close()
            if kind is None and speaker is not None and elements and elements[-1].kind != CHARACTER:
                speaker = None
            continue
        furniture_anywhere = s.upper() == "(MORE)" or _CONTINUED.match(s)
        if _FURNITURE.match(s) and (_indent(raw) >= layout.cue or furniture_anywhere):
            if s.upper() == "(MORE)":
                more = speaker
            continue
        indent = _indent(raw)
        if indent < layout.dialogue - 2:
            speaker = None
            numbered = _SCENE_NUMBERS.match(s)
            heading_text, number = s, None
            if numbered and HEADING.match(numbered.group(2)):
                heading_text, number = numbered.group(2), numbered.group(1)
            if HEADING.match(heading_text):
                open_(SCENE_HEADING, i, heading_text)
                s0 = span(i, i)[0]
                close()
                if number:
                    scene_numbers[s0] = number
            elif kind == ACTION and last == i - 1:
                texts.append(s)
                last = i
            else:
                open_(ACTION, i, s)
            continue
        if (
            indent >= layout.transition
            and s.upper() == s
            and (s.endswith(":") or LENIENT_TRANSITION.match(s))
        ):
            speaker = None
            open_(TRANSITION, i, s)
            close()
            continue
        if indent >= cue_threshold and is_cue_name(s) and _speech_follows(i):
            name, extension, _ = split_cue(s)
            if more is not None and normalise_name(name) == more and is_contd(extension):
                more = None  # the speech goes on after a page break: the repeated cue is furniture
                close()
                speaker = normalise_name(name)
                continue
            more = None
            speaker = normalise_name(name)
            open_(CHARACTER, i, name, character=speaker, extension=extension)
            close()
            continue
        if speaker is not None:
            if s.startswith("(") or (kind == PARENTHETICAL and not texts[-1].endswith(")")):
                if kind == PARENTHETICAL and not texts[-1].endswith(")"):
                    texts.append(s)
                    last = i
                else:
                    open_(PARENTHETICAL, i, s, character=speaker)
                continue
            if kind == DIALOGUE and last == i - 1:
                texts.append(s)
                last = i
            else:
                open_(DIALOGUE, i, s, character=speaker)
            continue
        if kind == ACTION and last == i - 1:
            texts.append(s)
            last = i
        else:
            open_(ACTION, i, s)
    close()
    return make_script(
        path=path,
        fmt="text",
        text=text,
        elements=elements,
        data=data,
        encoding=encoding,
        assumptions=[]
        if strict
        else [
            f"layout: read by indentation (action column {layout.action}, dialogue {layout.dialogue}, "
            f"cues {layout.cue}, transitions from {layout.transition})"
        ],
        scene_numbers=scene_numbers,
    )


def read_plaintext(path: str, data: bytes, strict: bool = False) -> Script:
    text, encoding = decode_bytes(data, path)
    layout = detect_layout(text)
    if layout is not None:
        return read_layout(text, layout, path=path, data=data, encoding=encoding, strict=strict)
    script = parse_fountain(text, path=path, strict=strict, fmt="text", data=data, encoding=encoding)
    structured = any(e.kind in (SCENE_HEADING, CHARACTER) for scene in script.scenes for e in scene.elements)
    return replace(script, format="fountain") if structured else script
