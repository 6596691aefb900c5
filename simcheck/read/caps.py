"""Caps on legal-but-huge input, checked before the expensive work and told in one line.

A screenplay is at most a few hundred pages; a file far beyond that (2,000 PDF pages, 10^6 FDX
paragraphs, one 10 MB line, a PDF stream that inflates to gigabytes) would take minutes and gigabytes
to read and compare, and is refused instead, saying which limit it passed. The limits are named in
``simcheck.settings`` (input limits), each set far above the shared corpus, the PAN prose documents and
long feature scripts (the numbers there say by how much), so that no real script meets one:

- every text script: lines (``MAX_LINES``) and line length (``MAX_LINE_CHARS``), on the decoded text
  before it is parsed, and on the text a reader rebuilt (FDX, Fade In, PDF);
- XML (FDX, Fade In): tags in the document (``MAX_XML_TAGS``) and paragraphs (``MAX_PARAGRAPHS``),
  counted in the bytes before the XML is parsed;
- PDF: what its deflated streams inflate to (``MAX_PDF_INFLATED_BYTES``, measured with a bounded
  inflater before pdfminer inflates anything), pages (``MAX_PDF_PAGES``, counted before pdfplumber
  lists them), each page's content stream (``MAX_PDF_PAGE_BYTES``) before the page is laid out, and the
  characters read so far (``MAX_PDF_CHARS``) after each page;
- every script: elements (``MAX_PARAGRAPHS``); passages to compare (``MAX_PASSAGES``, checked where
  passages are cut, ``simcheck.text.passages``), each of at most ``MAX_PASSAGE_WORDS`` words
  (``IndexSettings`` refuses larger passage sizes).

Not covered: a PDF stream whose deflated data is wrapped in another filter (ASCII85, LZW) is not
measured before pdfminer inflates it; its page content is still capped before the page is laid out.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from simcheck.errors import InputError
from simcheck.model import Script
from simcheck.settings import (
    MAX_LINE_CHARS,
    MAX_LINES,
    MAX_PARAGRAPHS,
    MAX_PDF_CHARS,
    MAX_PDF_INFLATED_BYTES,
    MAX_PDF_PAGE_BYTES,
    MAX_PDF_PAGES,
    MAX_XML_TAGS,
    MB,
)

_BREAK = re.compile(r"\r\n?|\n")
_STREAM = re.compile(rb"stream\r?\n")
_INFLATE_STEP = 1 << 20  # bytes inflated at a time while measuring a stream


def check_text(text: str, path: str | Path) -> None:
    """Lines and line length of a script's text (line breaks as ``model.Lines`` counts them)."""
    lines = text.count("\n") + text.count("\r") - text.count("\r\n") + 1
    if lines > MAX_LINES:
        raise InputError(path, f"{lines:,} lines (limit {MAX_LINES:,}): far longer than any script")
    if len(text) <= MAX_LINE_CHARS:
        return
    for number, line in enumerate(_BREAK.split(text), start=1):
        if len(line) > MAX_LINE_CHARS:
            raise InputError(
                path,
                f"line {number:,} is {len(line):,} characters long (limit {MAX_LINE_CHARS:,}): "
                "not a script laid out in lines",
            )


def check_script(script: Script) -> None:
    """What any reader produced: elements, lines and line length of the text it rebuilt."""
    elements = sum(len(scene.elements) for scene in script.scenes) + len(script.title_page)
    check_paragraphs(elements, script.path)
    check_text(script.text, script.path)


def check_paragraphs(count: int, path: str | Path) -> None:
    if count > MAX_PARAGRAPHS:
        raise InputError(path, f"{count:,} paragraphs (limit {MAX_PARAGRAPHS:,}): far longer than any script")


def check_xml(data: bytes, path: str | Path, paragraph_tag: bytes | None = None) -> None:
    """Tags (and paragraphs, ``<Paragraph`` or ``<para``) in an XML document, before it is parsed."""
    tags = data.count(b"<")
    if tags > MAX_XML_TAGS:
        raise InputError(path, f"{tags:,} XML tags (limit {MAX_XML_TAGS:,}): far larger than any script")
    if paragraph_tag is not None:
        check_paragraphs(len(re.findall(re.escape(paragraph_tag) + rb"[\s>/]", data)), path)


def check_pdf_streams(data: bytes, path: str | Path) -> None:
    """Refuse a PDF whose deflated streams inflate beyond ``MAX_PDF_INFLATED_BYTES`` in all (a flate
    bomb: a few hundred kilobytes that pdfminer would inflate to gigabytes in memory).

    Every ``stream`` keyword starts a candidate; those that are zlib data are inflated a block at a
    time and only counted, so this takes little memory whatever the PDF holds.
    """
    total = 0
    view = memoryview(data)  # slices without copies
    for match in _STREAM.finditer(data):
        total += _inflated_size(view, match.end(), MAX_PDF_INFLATED_BYTES - total)
        if total > MAX_PDF_INFLATED_BYTES:
            raise InputError(
                path,
                f"its compressed streams inflate to more than {MAX_PDF_INFLATED_BYTES // MB} MB "
                "(a compression bomb?)",
            )


def _inflated_size(data: memoryview, start: int, budget: int) -> int:
    """Bytes the zlib stream at ``data[start:]`` inflates to, counted up to just past ``budget``
    (0 when it is not zlib data)."""
    inflater = zlib.decompressobj()
    size = 0
    pending: bytes | memoryview = data[start : start + _INFLATE_STEP]
    offset = start + len(pending)
    try:
        while len(pending) and size <= budget:
            size += len(inflater.decompress(pending, _INFLATE_STEP))
            pending = inflater.unconsumed_tail
            if not len(pending) and not inflater.eof:
                pending = data[offset : offset + _INFLATE_STEP]
                offset += len(pending)
            if inflater.eof:
                break
    except zlib.error:
        return size
    return size


def check_page_count(document: Any, path: str | Path) -> None:
    """The pages of a pdfminer ``PDFDocument``, counted no further than one past ``MAX_PDF_PAGES`` (a
    PDF of 200,000 empty pages takes pdfplumber 90 s and 900 MB just to list)."""
    from pdfminer.pdfpage import PDFPage  # loaded with the PDF reader, which imports it the same way

    pages = sum(1 for _ in itertools.islice(PDFPage.create_pages(document), MAX_PDF_PAGES + 1))
    if pages > MAX_PDF_PAGES:
        raise InputError(path, f"more than {MAX_PDF_PAGES:,} pages: far longer than any screenplay")


def check_chars(chars: int, path: str | Path) -> int:
    """``chars`` read from a PDF's pages so far, if within ``MAX_PDF_CHARS``."""
    if chars > MAX_PDF_CHARS:
        raise InputError(
            path, f"more than {MAX_PDF_CHARS:,} characters on its pages: far longer than any screenplay"
        )
    return chars


def check_page_content(contents: Iterable[object], number: int, path: str | Path) -> None:
    """The content streams of page ``number`` (pdfminer's ``PDFPage.contents``), inflated as pdfminer
    will read them, before the page is laid out."""
    from pdfminer.pdftypes import stream_value  # loaded with the PDF reader, as in check_page_count

    size = sum(len(stream_value(item).get_data()) for item in contents)
    if size > MAX_PDF_PAGE_BYTES:
        raise InputError(
            path,
            f"page {number:,} draws {size / MB:.1f} MB of content (limit {MAX_PDF_PAGE_BYTES / MB:.1f} MB a "
            "page): not a screenplay page",
        )
