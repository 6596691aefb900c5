"""What every reader shares: character-cue parsing, name normalisation, scenes and cast."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from simcheck.model import (
    CHARACTER,
    DIALOGUE,
    LYRIC,
    PAGE_BREAK,
    PARENTHETICAL,
    SCENE_HEADING,
    TITLE_PAGE,
    Element,
    Scene,
    Script,
)

_EXTENSION = re.compile(r"\(([^()]*)\)")
_CONTD = re.compile(r"^\s*CONT(?:['\u2019]?D|\.|INUED|INUING)\s*$", re.IGNORECASE)
_TRAILING_CONTD = re.compile(r"\s+CONT['\u2019]?D\.?$", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def split_cue(cue: str) -> tuple[str, str | None, bool]:
    """``'@Han (O.S.) (CONT'D) ^'`` -> ``('Han', "O.S. CONT'D", True)``: name as written, extension, dual.

    The forcing ``@`` and the dual-dialogue caret are removed from the name; the extension is the
    parenthesised parts after the name, without parentheses, joined by a space.
    """
    s = cue.strip()
    dual = False
    if s.endswith("^"):
        dual = True
        s = s[:-1].rstrip()
    if s.startswith("@"):
        s = s[1:].lstrip()
    paren = s.find("(")
    if paren < 0:
        return s.rstrip(), None, dual
    name = s[:paren].rstrip()
    parts = [p.strip() for p in _EXTENSION.findall(s[paren:]) if p.strip()]
    if not parts:
        rest = s[paren:].strip("() ")
        parts = [rest] if rest else []
    return name, (" ".join(parts) or None), dual


def normalise_name(name: str) -> str:
    """A cue name as the cast knows it: no extension, no CONT'D, upper case, single spaces."""
    base = name.split("(", 1)[0]
    base = base.replace("^", " ").strip().lstrip("@").strip()
    base = base.rstrip(":").strip()
    base = _TRAILING_CONTD.sub("", base)
    return _SPACES.sub(" ", base).upper().strip()


def is_contd(extension: str | None) -> bool:
    return bool(extension) and bool(_CONTD.match(extension or ""))


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def build_scenes(
    elements: Sequence[Element], scene_numbers: Mapping[int, str] | None = None
) -> tuple[Scene, ...]:
    """Cut elements (in source order) into scenes at each scene heading.

    Elements before the first heading make an opening scene with ``heading=None``.
    ``scene_numbers`` maps a heading's ``start`` to the scene number written in the script.
    """
    numbers = scene_numbers or {}
    scenes: list[Scene] = []
    current: list[Element] = []
    heading: Element | None = None

    def close() -> None:
        if heading is None and not current:
            return
        members = ([heading] if heading is not None else []) + current
        scenes.append(
            Scene(
                number=len(scenes) + 1,
                heading=heading.text if heading is not None else None,
                start=members[0].start,
                end=max(e.end for e in members),
                line=members[0].line,
                elements=tuple(members),
                scene_number=numbers.get(heading.start) if heading is not None else None,
            )
        )

    for element in elements:
        if element.kind == SCENE_HEADING:
            close()
            heading = element
            current = []
        else:
            current.append(element)
    close()
    return tuple(scenes)


def cast_of(elements: Iterable[Element]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for element in elements:
        if element.kind == CHARACTER and element.character and element.character not in seen:
            seen[element.character] = None
    return tuple(seen)


def make_script(
    *,
    path: str,
    fmt: str,
    text: str,
    elements: list[Element],
    title_page: Sequence[Element] = (),
    title: str | None = None,
    data: bytes = b"",
    encoding: str = "utf-8",
    assumptions: Sequence[str] = (),
    scene_numbers: Mapping[int, str] | None = None,
    ordered: bool = False,
) -> Script:
    """Assemble a Script from its body elements (sorted here by ``start``, stably, unless ``ordered``
    says they are in reading order already: dual dialogue side by side in a text file is read one
    column after the other)."""
    if not ordered:
        elements.sort(key=lambda e: e.start)
    return Script(
        path=path,
        format=fmt,
        title=title,
        text=text,
        scenes=build_scenes(elements, scene_numbers),
        cast=cast_of(elements),
        title_page=tuple(title_page),
        sha256=sha256_of(data),
        encoding=encoding,
        assumptions=tuple(assumptions),
    )


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a paragraph-based source (FDX, Fade In, PDF) before offsets are known."""

    kind: str
    text: str
    paragraph: int | None = None
    page: int | None = None
    dual: bool = False
    scene_number: str | None = None
    top: float | None = None  # PDF: points from the top of the page to the first line
    page_line: int | None = None  # PDF: line of the page (1-based, every printed line) of the first line


def script_from_paragraphs(
    *,
    path: str,
    fmt: str,
    body: Sequence[Paragraph],
    title_page: Sequence[tuple[str | None, str, int | None]] = (),
    title: str | None = None,
    data: bytes = b"",
    encoding: str = "utf-8",
    assumptions: Sequence[str] = (),
) -> Script:
    """Reconstruct a plain text (title page lines, a blank line, then one paragraph per line) and
    the elements that point into it. ``title_page`` items are ``(key, text, paragraph)``.

    Speech attribution: dialogue, parentheticals and lyrics belong to the last character cue until a
    paragraph of another kind interrupts the speech.
    """
    parts: list[str] = []
    offset = 0
    line = 1
    title_elements: list[Element] = []

    def add(text: str) -> tuple[int, int, int]:
        nonlocal offset, line
        text = text.replace("\r\n", "\n").replace("\r", "\n")
        start, start_line = offset, line
        parts.append(text)
        parts.append("\n")
        offset += len(text) + 1
        line += text.count("\n") + 1
        return start, start + len(text), start_line

    for key, value, index in title_page:
        if not value.strip():
            continue
        start, end, ln = add(value.strip())
        title_elements.append(Element(TITLE_PAGE, value.strip(), start, end, ln, key=key, paragraph=index))
    if title_elements:
        add("")
    elements: list[Element] = []
    scene_numbers: dict[int, str] = {}
    speaker: str | None = None
    for para in body:
        raw = para.text.strip()
        if not raw and para.kind != PAGE_BREAK:
            continue
        start, end, ln = add(raw)
        character: str | None = None
        extension: str | None = None
        text = raw
        if para.kind == CHARACTER:
            name, extension, caret = split_cue(raw)
            text = name
            speaker = character = normalise_name(name)
        elif para.kind in (DIALOGUE, PARENTHETICAL, LYRIC):
            character = speaker
        else:
            speaker = None
        if para.kind == SCENE_HEADING and para.scene_number:
            scene_numbers[start] = para.scene_number
        elements.append(
            Element(
                kind=para.kind,
                text=text,
                start=start,
                end=end,
                line=ln,
                character=character,
                extension=extension,
                dual=para.dual,
                paragraph=para.paragraph,
                page=para.page,
                top=para.top,
                page_line=para.page_line,
            )
        )
    return make_script(
        path=path,
        fmt=fmt,
        text="".join(parts),
        elements=elements,
        title_page=title_elements,
        title=title,
        data=data,
        encoding=encoding,
        assumptions=assumptions,
        scene_numbers=scene_numbers,
    )
