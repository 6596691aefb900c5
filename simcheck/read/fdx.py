"""Final Draft (.fdx): the ``Content/Paragraph`` children only.

Notes (``ScriptNote``), scene summaries (``SceneProperties``) and other nested paragraphs are not
script text and are skipped; a ``DualDialogue`` wrapper is replaced by its inner paragraphs, which
are flagged ``dual``. ``Element.paragraph`` is the 0-based index in that sequence of script
paragraphs (empty paragraphs count but make no element). ``TitlePage/Content/Paragraph`` becomes
the title page. All ``Text`` runs of a paragraph are joined. A ``Shot`` paragraph (ANGLE ON, CLOSE ON,
INSERT, BACK TO SCENE) is a scene heading, as a forced heading is in Fountain and as the plain-text and
PDF readers read shot lines, so that one script has the same scenes in every format.
"""

from __future__ import annotations

from collections.abc import Iterator
from xml.etree.ElementTree import Element as XmlElement

from simcheck.model import (
    ACTION,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    LYRIC,
    PARENTHETICAL,
    SCENE_HEADING,
    SECTION,
    TRANSITION,
    Script,
)
from simcheck.read.archive import document_part, parse_xml
from simcheck.read.assemble import Paragraph, script_from_paragraphs

KINDS = {
    "scene heading": SCENE_HEADING,
    "action": ACTION,
    "general": ACTION,
    "shot": SCENE_HEADING,  # a shot (ANGLE ON, INSERT...): Fountain's forced heading, FD's "PaginateAs"
    "character": CHARACTER,
    "dialogue": DIALOGUE,
    "parenthetical": PARENTHETICAL,
    "transition": TRANSITION,
    "lyrics": LYRIC,
    "lyric": LYRIC,
    "cast list": ACTION,
    "new act": SECTION,
    "end of act": SECTION,
    "act break": SECTION,
    "centered": CENTERED,
    "outline 1": SECTION,
    "outline 2": SECTION,
    "outline 3": SECTION,
    "outline 4": SECTION,
    "outline body": ACTION,
}


def paragraph_text(paragraph: XmlElement) -> str:
    """All ``Text`` runs that are direct children of the paragraph, joined."""
    return "".join("".join(run.itertext()) for run in paragraph.findall("Text"))


def _script_paragraphs(content: XmlElement) -> Iterator[tuple[XmlElement, bool]]:
    for paragraph in content.findall("Paragraph"):
        dual = paragraph.find("DualDialogue")
        if dual is not None:
            for inner in dual.findall("Paragraph"):
                yield inner, True
        else:
            yield paragraph, False


def kind_of(type_name: str, index: int, assumptions: list[str], strict: bool) -> str:
    kind = KINDS.get(type_name.strip().lower())
    if kind is None:
        kind = ACTION
        if not strict:
            assumptions.append(f"paragraph {index}: unknown type '{type_name}' read as action")
    return kind


def read_fdx(path: str, data: bytes, strict: bool = False) -> Script:
    root = parse_xml(data, path, paragraph_tag=b"<Paragraph")
    missing = "Final Draft file without a <Content> element"
    content = document_part(root, path, "FinalDraft", "Content", "Final Draft file", missing)
    assumptions: list[str] = []
    body: list[Paragraph] = []
    for index, (paragraph, dual) in enumerate(_script_paragraphs(content)):
        type_name = paragraph.get("Type", "Action")
        kind = kind_of(type_name, index, assumptions, strict)
        text = paragraph_text(paragraph)
        number = paragraph.get("Number") if kind == SCENE_HEADING else None
        body.append(Paragraph(kind, text, paragraph=index, dual=dual, scene_number=number or None))
    title_items: list[tuple[str | None, str, int | None]] = []
    title_content = root.find("TitlePage/Content")
    if title_content is not None:
        for index, paragraph in enumerate(title_content.findall("Paragraph")):
            title_items.append((None, paragraph_text(paragraph), index))
    title = next((" ".join(text.split()) for _, text, _ in title_items if text.strip()), None)
    if title is not None and not strict:
        assumptions.append(f"title page: took its first line '{title}' as the title")
    if strict:
        title = None
    return script_from_paragraphs(
        path=path,
        fmt="fdx",
        body=body,
        title_page=title_items,
        title=title,
        data=data,
        encoding="utf-8",
        assumptions=assumptions,
    )
