"""Fade In (.fadein): a zip archive holding ``document.xml`` in Open Screenplay Format.

The archive is read in memory (never extracted) with a size limit. Paragraphs are
``document/paragraphs/para``; the kind is the paragraph's ``style`` (``basestyle`` or ``style``
attribute). ``Element.paragraph`` is the 0-based index of the ``para``. Fade In stores
parentheticals without their parentheses; the reconstructed text puts them back.
"""

from __future__ import annotations

from xml.etree.ElementTree import Element as XmlElement

from simcheck.model import PARENTHETICAL, SCENE_HEADING, Script
from simcheck.read.archive import document_part, parse_xml, read_zip_member
from simcheck.read.assemble import Paragraph, script_from_paragraphs
from simcheck.read.fdx import kind_of


def _choose(names: list[str]) -> str | None:
    for name in names:
        if name.rsplit("/", 1)[-1].lower() == "document.xml":
            return name
    return None


def _para_text(para: XmlElement) -> str:
    return "".join("".join(run.itertext()) for run in para.findall("text"))


def _style_name(para: XmlElement) -> str:
    style = para.find("style")
    if style is None:
        return "Action"
    for attribute in ("basestyle", "basestylename", "style", "name"):
        value = style.get(attribute)
        if value:
            return value
    return "Action"


def read_fadein(path: str, data: bytes, strict: bool = False) -> Script:
    xml = read_zip_member(data, path, _choose, "document.xml (Open Screenplay Format)")
    root = parse_xml(xml, path, paragraph_tag=b"<para")
    missing = "Fade In document without <paragraphs>"
    paragraphs = document_part(root, path, "document", "paragraphs", "Fade In document", missing)
    assumptions: list[str] = []
    body: list[Paragraph] = []
    for index, para in enumerate(paragraphs.findall("para")):
        kind = kind_of(_style_name(para), index, assumptions, strict)
        text = _para_text(para).strip()
        if kind == PARENTHETICAL and text and not text.startswith("("):
            text = f"({text})"
        style = para.find("style")
        number = None
        if kind == SCENE_HEADING:
            number = para.get("number") or (style.get("number") if style is not None else None)
        dual = (para.get("dual") or (style.get("dual") if style is not None else None) or "") in ("1", "true")
        body.append(Paragraph(kind, text, paragraph=index, dual=dual, scene_number=number or None))
    title_items: list[tuple[str | None, str, int | None]] = []
    title_page = root.find("titlepage")
    if title_page is not None:
        for index, para in enumerate(title_page.findall("para")):
            title_items.append((para.get("bookmark") or None, _para_text(para), index))
    # Fade In bookmarks the title page's title paragraph; without one, a lenient reading takes the first line
    title = next(
        (" ".join(text.split()) for key, text, _ in title_items if key == "Title" and text.strip()), None
    )
    if title is None and not strict:
        title = next((" ".join(text.split()) for _, text, _ in title_items if text.strip()), None)
        if title is not None:
            assumptions.append(f"title page: took its first line '{title}' as the title")
    return script_from_paragraphs(
        path=path,
        fmt="fadein",
        body=body,
        title_page=title_items,
        title=title,
        data=data,
        encoding="utf-8",
        assumptions=assumptions,
    )
