"""What the plain-text layout reader and the PDF reader share: page furniture and slug lines.

Page furniture is what screenplay software prints around the text of a page: page numbers (``12.``,
``- 12 -``, ``Page 12``), page headers ending in a page number, ``(MORE)`` under a speech cut by a page
break, ``CONTINUED:`` / ``(CONTINUED)`` / ``CONTINUED: (2)`` at the top and bottom of a page, revision
asterisks in the right margin and scene numbers in both margins. Slug lines are the capitalised lines
at the action margin that start a scene or a shot: ``INT. KITCHEN - NIGHT``, ``ANGLE ON THE DOOR``,
``CLOSE ON``, ``INSERT``, ``BACK TO SCENE``, ``MARGIT'S POV``, ``KITCHEN - LATER``; a shot is read as a
scene heading of its own, as Fountain reads a forced ``.ANGLE ON`` heading and Final Draft paginates
its Shot paragraphs.
"""

from __future__ import annotations

import re

from simcheck.read.fountain_syntax import HEADING, LENIENT_TRANSITION

PAGE_NUMBER = re.compile(
    r"^(?:\d{1,4}[A-Z]?\.?|-\s?\d{1,4}\s?-|\(\d{1,4}\)|page\s+\d{1,4}(?:\s+of\s+\d{1,4})?\.?)$", re.I
)
PAGE_NUMBER_DOT = re.compile(r"^\d{1,4}[A-Z]?\.$")  # "12." as screenplay software numbers pages
SCENE_NUMBER = re.compile(r"^[A-Z]?\d{1,4}[A-Z]{0,2}(?:-[A-Z0-9]+)?\.?$")
MORE = re.compile(r"^\(\s*MORE\s*\)$", re.IGNORECASE)
CONTINUED = re.compile(
    r"^(?:\(\s*CONTINUED\s*\)|CONTINUED\s*:?(?:\s*\(\s*\d{1,3}\s*\))?|\(?\s*CONT['\u2019]?D\.?\s*\)?|"
    r"\(\s*CONTINUED\s*\)\s*:?)$",
    re.IGNORECASE,
)
REVISION_MARK = re.compile(r"^\*+$")
# a shot: what the camera sees, standing alone at the action margin in capitals
SHOT = re.compile(
    r"(?:(?:NEW |REVERSE |HIGH |LOW |WIDE |DUTCH |OVERHEAD )?ANGLE\b|REVERSE\b|WIDE\b|WIDER\b|CLOSE\b|"
    r"CLOSER\b|CLOSE-UP\b|CLOSEUP\b|EXTREME\b|ECU\b|INSERT\b|BACK TO\b|ON (?!THE PHONE\b)\w|POV\b|"
    r"(?:TWO|THREE|FULL|MEDIUM|LONG|TRACKING|MOVING|AERIAL|ESTABLISHING|OVER THE SHOULDER|OTS|POV|"
    r"HIGH|LOW|OVERHEAD|CLOSE|WIDE|INSERT|MASTER|GROUP) SHOT\b|SERIES OF SHOTS\b|MONTAGE\b|END (?:OF )?"
    r"(?:MONTAGE|FLASHBACK|SERIES OF SHOTS|INTERCUT)\b|FLASHBACK\b|INTERCUT\b|FAVOU?R(?:ING)?\b)"
)
_POV = re.compile(r"\bPOV\b")
_TIME_OF_DAY = re.compile(
    r"\s[-\u2013\u2014]+\s*(?:DAY|NIGHT|MORNING|AFTERNOON|EVENING|DUSK|DAWN|SUNSET|SUNRISE|LATER|"
    r"MOMENTS LATER|CONTINUOUS|SAME(?: TIME)?)\)?$"
)
# a title page's credit line: "by", "Written by", "Screenplay by Jo Bloggs", "an original screenplay by"
BY_LINE = re.compile(
    r"^(?:(?:an? )?(?:original )?(?:screenplay|teleplay|story|script|written|adapted|created)\s+)?by\b"
    r"(?:\s+\S+){0,4}$",
    re.IGNORECASE,
)
MAX_TITLE_LINES = 40  # lines a title page may have
MAX_TITLE_LINE_CHARS = 50  # a longer line is prose (wrapped action), not a title page's
_CONTD_PART = re.compile(r"\bCONT(?:['\u2019]?D|\.|INUED|INUING)(?:\W|$)", re.IGNORECASE)
_SENTENCE_END = re.compile(r"[!?\"\u201d]$|[a-z]\.$")


def is_furniture(text: str) -> bool:
    """A line that is page furniture wherever it stands (not a lone page number: see callers)."""
    return bool(MORE.match(text) or CONTINUED.match(text) or REVISION_MARK.match(text))


def is_slug(text: str) -> bool:
    """A scene heading (``INT.``/``EXT.``...) or a shot or secondary slug line written in capitals.

    Callers check that the line stands alone at the action margin."""
    if HEADING.match(text):
        return True
    if not text or len(text) > 80 or text.upper() != text or text.lower() == text:
        return False
    if _SENTENCE_END.search(text) or LENIENT_TRANSITION.match(text) or text.endswith(" TO:"):
        return False
    return bool(SHOT.match(text) or _POV.search(text) or _TIME_OF_DAY.search(text))


def is_transition(text: str) -> bool:
    """``CUT TO:``, ``DISSOLVE TO:``, ``FADE IN:``, ``FADE OUT.``, ``THE END``, ``INTERCUT WITH:``..."""
    if text.upper() != text or text.lower() == text:
        return False
    return text.endswith(("TO:", "WITH:")) or bool(LENIENT_TRANSITION.match(text))


def carries_on(extension: str | None) -> bool:
    """The extension of a cue repeated after ``(MORE)``: none, ``CONT'D``, or ``V.O. CONT'D``..."""
    return extension is None or bool(_CONTD_PART.search(extension))


def is_by_line(text: str) -> bool:
    return bool(BY_LINE.match(text)) and not re.search(r"[!?]$|[a-z]{2}\.$", text)
