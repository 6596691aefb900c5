"""Safe reading of XML and zip containers: no entity expansion, no extraction to disk, size limits."""

from __future__ import annotations

import io
import zipfile
import zlib
from collections.abc import Callable
from xml.etree.ElementTree import Element as XmlElement
from xml.etree.ElementTree import ParseError

import defusedxml
import defusedxml.ElementTree as SafeET

from simcheck.errors import InputError
from simcheck.read.caps import check_xml
from simcheck.settings import MAX_FILE_BYTES, MAX_ZIP_RATIO, MB

MAX_MEMBER_BYTES = MAX_FILE_BYTES  # decompressed size of the one member we read


def parse_xml(data: bytes, path: str, paragraph_tag: bytes | None = None) -> XmlElement:
    """Parse XML with entity declarations and external references forbidden, after the caps on its
    tags and paragraphs (``paragraph_tag``: how a paragraph starts, ``<Paragraph`` in FDX)."""
    check_xml(data, path, paragraph_tag)
    try:
        return SafeET.fromstring(data, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except defusedxml.DefusedXmlException as error:
        raise InputError(
            path, f"unsafe XML refused ({type(error).__name__}: entities are not allowed)"
        ) from None
    except (ParseError, SafeET.ParseError, LookupError) as error:
        # defusedxml 0.7.0 has its own ParseError class; LookupError: an unknown declared encoding
        raise InputError(path, f"malformed XML: {error}") from None


def read_zip_member(data: bytes, path: str, choose: Callable[[list[str]], str | None], what: str) -> bytes:
    """Read one member of a zip archive held in memory; ``choose`` picks it from the member names."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, EOFError, ValueError):
        raise InputError(path, "truncated or invalid zip archive") from None
    with archive:
        names = [info.filename for info in archive.infolist() if not info.is_dir()]
        name = choose(names)
        if name is None:
            raise InputError(path, f"no {what} inside the archive")
        info = archive.getinfo(name)
        if info.file_size >= MAX_MEMBER_BYTES:
            raise InputError(
                path,
                f"{name} inside the archive is too large ({info.file_size / MB:.1f} MB, limit "
                f"{MAX_MEMBER_BYTES // MB} MB)",
            )
        if info.compress_size and info.file_size / info.compress_size > MAX_ZIP_RATIO and info.file_size > MB:
            raise InputError(path, f"{name} inside the archive is suspiciously compressed (zip bomb?)")
        try:
            with archive.open(info) as member:
                content = member.read(MAX_MEMBER_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, EOFError, OSError, ValueError):
            # ValueError: a member offset gone negative (bytes missing before the central directory)
            raise InputError(path, "truncated or invalid zip archive") from None
        except RuntimeError:
            raise InputError(path, "encrypted zip archive: cannot read it") from None
        except NotImplementedError:
            raise InputError(path, "zip archive uses a compression method simcheck cannot read") from None
        if len(content) > MAX_MEMBER_BYTES:
            raise InputError(path, f"{name} inside the archive is larger than its header says (zip bomb?)")
        return content


def document_part(
    root: XmlElement, path: str, tag: str, child: str, format_name: str, missing: str
) -> XmlElement:
    """The ``child`` element of a ``tag`` document root; a one-line ``InputError`` for anything else."""
    if root.tag != tag:
        raise InputError(path, f"not a {format_name} (root element <{root.tag}>, expected <{tag}>)")
    part = root.find(child)
    if part is None:
        raise InputError(path, missing)
    return part


def text_of(element: XmlElement | None) -> str:
    return "".join(element.itertext()) if element is not None else ""
