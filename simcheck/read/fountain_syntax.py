"""Fountain's line-level syntax (https://fountain.io/syntax): what a scene heading, a character cue, a
transition, a title-page key, emphasis, a note and boneyard look like. ``fountain`` reads with it; the
plain-text and PDF layout readers recognise headings, cues and transitions with the same rules.
"""

from __future__ import annotations

import re

HEADING = re.compile(r"(?:INT\.?/EXT|EXT\.?/INT|INT|EXT|EST|I/E|I\./E)(?:\.|\s)", re.IGNORECASE)
SCENE_NUMBER = re.compile(r"\s*#([^#\s]+)#\s*$")
TITLE_KEY = re.compile(r"([^\W\d_][\w ]{0,30}?)\s*[:\uff1a]\s*(.*)$")
KNOWN_TITLE_KEYS = frozenset(
    {
        "title",
        "credit",
        "author",
        "authors",
        "source",
        "draft date",
        "date",
        "contact",
        "copyright",
        "notes",
        "revision",
        "episode",
        "series",
        "written by",
        "story by",
        "based on",
        "format",
    }
)
PAGE_BREAK_LINE = re.compile(r"={3,}$")
LENIENT_TRANSITION = re.compile(
    r"(?:FADE (?:IN|OUT|TO BLACK|TO WHITE)|FADE OUT AND IN|CUT TO BLACK|SMASH CUT|MATCH CUT|JUMP CUT"
    r"|IRIS (?:IN|OUT)|DISSOLVE|THE END)[.:!]?$"
)
_BONEYARD_TOKEN = re.compile(r"/\*|\*/")
# a note may span lines but not contain an empty line (a line with two spaces is not empty)
NOTE_PATTERN = re.compile(r"\[\[(?:[^\r\n]|\r\n(?![\r\n])|\r(?![\r\n])|\n(?![\r\n]))*?\]\]")
BONE_MARK = "\x01"
NOTE_MARK = "\x02"
_NOT_BREAK = re.compile(r"[^\r\n]")

_BOLD_ITALIC = r"\*\*\*(?=\S)(.+?)(?<=\S)\*\*\*"
_BOLD = r"\*\*(?=\S)(.+?)(?<=\S)\*\*"
_ITALIC = r"\*(?=\S)(.+?)(?<=\S)\*"
_UNDERLINE = r"(?<![\w\\])_(?=\S)(.+?)(?<=\S)_(?!\w)"
_EMPHASIS_LINE = [re.compile(p) for p in (_BOLD_ITALIC, _BOLD, _ITALIC, _UNDERLINE)]
_EMPHASIS_SPAN = [re.compile(p, re.DOTALL) for p in (_BOLD_ITALIC, _BOLD, _ITALIC, _UNDERLINE)]
_ESCAPES = {"\\*": "\x03", "\\_": "\x04", "\\[": "\x05", "\\\\": "\x06"}
_UNESCAPES = {"\x03": "*", "\x04": "_", "\x05": "[", "\x06": "\\"}


def strip_emphasis(text: str, *, across_lines: bool = True) -> str:
    """Remove Fountain emphasis markers (``*``, ``**``, ``***``, ``_``); ``\\*`` stays a star."""
    if "*" not in text and "_" not in text and "\\" not in text:
        return text
    for escaped, mark in _ESCAPES.items():
        text = text.replace(escaped, mark)
    for pattern in _EMPHASIS_SPAN if across_lines else _EMPHASIS_LINE:
        text = pattern.sub(r"\1", text)
    for mark, plain in _UNESCAPES.items():
        text = text.replace(mark, plain)
    return text


def is_cue_name(line: str) -> bool:
    """A character cue: the name part (before any parenthesis) has capitals and no lower case."""
    name = line[:-1] if line.endswith("^") else line
    paren = name.find("(")
    if paren >= 0:
        name = name[:paren]
    name = name.strip()
    return bool(name) and name.upper() == name and name.lower() != name


def is_transition_text(line: str) -> bool:
    """``CUT TO:``, ``FADE IN:``, ``FADE OUT.``...: capitals ending in `` TO:`` or a known transition
    (not ``PLUTO:``, a play's speaker)."""
    return line.upper() == line and (line.endswith(" TO:") or bool(LENIENT_TRANSITION.match(line)))


def boneyard_spans(text: str) -> list[tuple[int, int]]:
    """Spans of ``/* ... */`` (nested pairs count as one); an unclosed ``/*`` is left as text."""
    spans: list[tuple[int, int]] = []
    depth = 0
    start = 0
    for match in _BONEYARD_TOKEN.finditer(text):
        if match.group() == "/*":
            if depth == 0:
                start = match.start()
            depth += 1
        elif depth > 0:
            depth -= 1
            if depth == 0:
                spans.append((start, match.end()))
    return spans


def mask(text: str, spans: list[tuple[int, int]], mark: str) -> str:
    parts: list[str] = []
    last = 0
    for a, b in spans:
        parts.append(text[last:a])
        parts.append(_NOT_BREAK.sub(mark, text[a:b]))
        last = b
    parts.append(text[last:])
    return "".join(parts)
