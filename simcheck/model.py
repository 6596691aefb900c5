"""The script model every reader produces and every later step consumes.

Positions: ``start``/``end`` are character offsets into ``Script.text`` so that
``script.text[element.start:element.end]`` is exactly the element's source text (its *raw* text).
For text formats (Fountain, plain text, Highland) ``Script.text`` is the file's decoded text with its
newlines as written. For XML formats (FDX, Fade In) and PDF, ``Script.text`` is the plain text the
reader reconstructed (one source paragraph per line); ``Element.paragraph`` (XML) or ``Element.page``,
``Element.page_line`` and ``Element.top`` (PDF) then point back into the original file. ``line`` is
1-based and counts ``\\n``, ``\\r\\n`` and lone ``\\r`` as one line break each (never
``str.splitlines`` semantics, which also break on form feeds, ``\\x1c``-``\\x1e``, ``\\x85``,
``\\u2028`` and ``\\u2029`` and would shift every line number after them): ``Lines`` is the one line
index every stage uses.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass, field

# Element kinds. Kept as plain strings so they serialise as themselves.
SCENE_HEADING = "scene_heading"
ACTION = "action"
CHARACTER = "character"
PARENTHETICAL = "parenthetical"
DIALOGUE = "dialogue"
LYRIC = "lyric"
TRANSITION = "transition"
CENTERED = "centered"
NOTE = "note"
SECTION = "section"
SYNOPSIS = "synopsis"
PAGE_BREAK = "page_break"
TITLE_PAGE = "title_page"

ELEMENT_KINDS = (
    SCENE_HEADING,
    ACTION,
    CHARACTER,
    PARENTHETICAL,
    DIALOGUE,
    LYRIC,
    TRANSITION,
    CENTERED,
    NOTE,
    SECTION,
    SYNOPSIS,
    PAGE_BREAK,
    TITLE_PAGE,
)

# Kinds whose words are compared (the rest is structure or furniture).
COMPARED_KINDS = frozenset({ACTION, DIALOGUE, PARENTHETICAL, LYRIC, CENTERED})


@dataclass(frozen=True)
class Element:
    """One paragraph-level piece of a script.

    ``text`` is the clean text used for comparison and display: emphasis markers, notes and
    boneyard removed, forcing characters (``!``, ``@``, ``.``, ``>``, ``~``) stripped, whitespace
    inside kept. For a character cue it is the name as written without extension.
    """

    kind: str
    text: str
    start: int
    end: int
    line: int
    character: str | None = None  # normalised speaker: on cues, dialogue, parentheticals, lyrics
    extension: str | None = None  # cue extension without parentheses, e.g. "V.O."
    dual: bool = False  # dual dialogue (second speaker of a pair, or both, as the format says)
    key: str | None = None  # title page key ("Title", "Author") for TITLE_PAGE elements
    paragraph: int | None = None  # 0-based paragraph index in an XML source
    page: int | None = None  # 1-based page number (PDF; page breaks elsewhere)
    top: float | None = None  # PDF: points from the top of ``page`` to the element's first line
    page_line: int | None = None  # PDF: 1-based line of ``page`` where the element starts (all printed lines)


@dataclass(frozen=True)
class Scene:
    """A scene: a heading and what follows it until the next heading.

    Scene 1 may have ``heading=None``: the opening stretch before the first heading (or the whole
    script when it has no headings at all). ``number`` is 1-based and counts scenes as read;
    ``scene_number`` is the number written in the script (``#1A#``, FDX ``Number``), if any.
    """

    number: int
    heading: str | None
    start: int
    end: int
    line: int
    elements: tuple[Element, ...]
    scene_number: str | None = None


@dataclass(frozen=True)
class Script:
    """A whole script as read from one file."""

    path: str
    format: str  # "fountain", "fdx", "fadein", "highland", "pdf", "text"
    title: str | None
    text: str  # the text that every offset points into (see module docstring)
    scenes: tuple[Scene, ...]
    cast: tuple[str, ...]  # normalised character names, in order of first appearance
    title_page: tuple[Element, ...] = ()
    sha256: str = ""  # of the file's bytes
    encoding: str = "utf-8"
    assumptions: tuple[str, ...] = field(default=())  # what a lenient reader assumed, one line each

    def raw(self, element: Element | Scene) -> str:
        """The exact source text of an element or scene."""
        return self.text[element.start : element.end]

    def line_of(self, offset: int) -> int:
        """1-based line number of a character offset in ``text``."""
        return line_of(self.text, offset)


LINE_BREAK = re.compile(r"\r\n|\r|\n")


@dataclass(frozen=True)
class Lines:
    """The lines of one text: ``text[starts[i]:ends[i]]`` is line ``i`` (0-based) without its break.

    A text ending with a line break has a last, empty line. ``number(offset)`` is the 1-based line of a
    character offset (an offset on a line break belongs to the line that the break ends).
    """

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    @classmethod
    def of(cls, text: str) -> Lines:
        starts: list[int] = [0]
        ends: list[int] = []
        for match in LINE_BREAK.finditer(text):
            ends.append(match.start())
            starts.append(match.end())
        ends.append(len(text))
        return cls(tuple(starts), tuple(ends))

    def __len__(self) -> int:
        return len(self.starts)

    def number(self, offset: int) -> int:
        """1-based line number of a character offset (by bisection over the line breaks)."""
        return bisect_left(self.ends, offset, 0, len(self.ends) - 1) + 1


def line_of(text: str, offset: int) -> int:
    """1-based line number of ``offset`` in ``text``; CRLF, CR and LF each end one line."""
    head = text[:offset]
    return head.count("\n") + head.count("\r") - head.count("\r\n") + 1


# Passage kinds
SPEECH = "speech"
ACTION_PASSAGE = "action"
WINDOW = "window"


@dataclass(frozen=True)
class Passage:
    """A unit that is compared: a speech, an action paragraph, or a window of consecutive elements.

    ``start``/``end`` are offsets into its script's ``text`` (``text[start:end]`` is the passage as
    written); ``text`` is the comparison text (element texts joined by newlines, cues left out).
    """

    scene: int  # 1-based scene number in its script
    kind: str  # SPEECH | ACTION_PASSAGE | WINDOW
    start: int
    end: int
    line: int
    text: str
    speaker: str | None = None
