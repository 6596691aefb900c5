"""Read any supported script file into the one model (``simcheck.model.Script``).

``read_script(path)`` dispatches by extension; ``.txt``/``.text`` (and files without an extension)
are sniffed. Every reader raises ``simcheck.errors.InputError`` subclasses with one-line messages.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from simcheck.errors import InputError, NotAFile, UnsupportedFormat
from simcheck.model import Script
from simcheck.read.caps import check_script
from simcheck.read.decode import decode_bytes, read_bytes
from simcheck.read.fadein import read_fadein
from simcheck.read.fdx import read_fdx
from simcheck.read.fountain import parse_fountain
from simcheck.read.highland import read_highland
from simcheck.read.pdf import read_pdf
from simcheck.read.plaintext import read_plaintext

Reader = Callable[[str, bytes, bool], Script]


def _fountain(path: str, data: bytes, strict: bool) -> Script:
    text, encoding = decode_bytes(data, path)
    return parse_fountain(text, path=path, strict=strict, data=data, encoding=encoding)


READERS: dict[str, Reader] = {
    ".fountain": _fountain,
    ".spmd": _fountain,
    ".txt": read_plaintext,
    ".text": read_plaintext,
    ".fdx": read_fdx,
    ".fadein": read_fadein,
    ".highland": read_highland,
    ".pdf": read_pdf,
}
SUPPORTED_EXTENSIONS = tuple(sorted(READERS))


def _sniff(data: bytes) -> Reader:
    head = data[:4096].lstrip()
    if head.startswith(b"%PDF-"):
        return read_pdf
    if head.startswith(b"PK\x03\x04"):
        return read_fadein
    if head.startswith(b"<?xml") or head.startswith(b"<FinalDraft"):
        return read_fdx
    return read_plaintext


def read_script(path: str | Path, *, strict: bool = False) -> Script:
    """Read a script file. ``strict`` follows each format's rules without lenient readings.

    Raises ``UnsupportedFormat`` (unknown extension), ``NotAFile`` (a directory) or ``InputError``
    (empty, binary, too large, malformed) with a one-line message naming the file; an unexpected
    error inside a reader (a bug) also comes out as an ``InputError``, so one odd file never stops a run.
    """
    name = str(path)
    p = Path(path)
    suffix = p.suffix.lower()
    if p.is_dir():
        raise NotAFile(name, "is a directory, not a file")
    reader = READERS.get(suffix)
    if reader is None and suffix:
        supported = ", ".join(SUPPORTED_EXTENSIONS)
        raise UnsupportedFormat(name, f"unknown extension '{p.suffix}' (supported: {supported})")
    data = read_bytes(p)
    if reader is None:
        reader = _sniff(data)
    try:
        script = reader(name, data, strict)
    except InputError:
        raise
    except RecursionError:
        raise InputError(name, "too deeply nested to read") from None
    except Exception as error:  # a reader bug on an odd file: one line, never a traceback
        detail = " ".join(str(error).split())[:200]  # one line, whatever the message holds
        raise InputError(
            name, f"could not be read ({type(error).__name__}: {detail}); please report this simcheck bug"
        ) from error
    check_script(script)  # caps on what any reader rebuilt (simcheck.read.caps)
    return script


__all__ = ["SUPPORTED_EXTENSIONS", "read_script"]
