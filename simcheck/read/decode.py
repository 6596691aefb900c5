"""Bytes to text: encoding detection, size limit and binary detection.

Order of detection: a byte-order mark (UTF-8, UTF-32, UTF-16), then UTF-16 without a BOM (NUL bytes
on every other position), then strict UTF-8, then cp1252, then latin-1 (which decodes anything).
Files with NUL bytes that are not UTF-16, or with many control characters, or that start with the
signature of a known binary format, are refused as binary. The decoded text keeps its line breaks
as written; a BOM is not part of it.
"""

from __future__ import annotations

import os
import stat
import unicodedata
from pathlib import Path

from simcheck.errors import InputError, NotAFile, problem_text
from simcheck.read.caps import check_text
from simcheck.settings import MAX_FILE_BYTES, MB, STRAY_NUL_SHARE

SNIFF_BYTES = 8192

_BINARY_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF"),
    (b"PK\x03\x04", "a zip archive"),
    (b"\x89PNG", "a PNG image"),
    (b"GIF8", "a GIF image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
    (b"\x7fELF", "a program"),
    (b"MZ", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
)
_CONTROL_OK = frozenset(b"\t\n\r\f\x1a\x1b")


def too_large(size: int, limit: int | None = None) -> str:
    limit = MAX_FILE_BYTES if limit is None else limit
    return f"file too large ({size / MB:.1f} MB, limit {limit // MB} MB)"


def read_bytes(
    path: str | Path, *, limit: int | None = None, what: str = "file", empty_ok: bool = False
) -> bytes:
    """The bytes of a script file, after the checks every format shares: a regular file (never a
    folder, FIFO, socket or device such as ``/dev/zero``), under ``limit`` bytes (default
    ``MAX_FILE_BYTES``), not empty. The file is opened without blocking (a FIFO cannot hang the run),
    checked on the open handle (nothing can swap it in between) and read no further than the limit
    (a file that grows while it is read cannot take more memory). ``what`` names the file in messages
    ("allowlist file"); ``empty_ok``: an empty file is not an error.
    """
    limit = MAX_FILE_BYTES if limit is None else limit
    flags = os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        broken = os.path.islink(path)
        raise InputError(path, "broken symbolic link" if broken else f"no such {what}") from None
    except IsADirectoryError:
        raise NotAFile(path, f"is a directory, not a {what}") from None
    except OSError as error:
        raise InputError(path, f"cannot read the {what}: {problem_text(error)}") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise NotAFile(path, f"is a directory, not a {what}")
        if not stat.S_ISREG(info.st_mode):
            raise NotAFile(path, f"is not a regular {what} (a device, FIFO or socket)")
        if info.st_size >= limit:
            raise InputError(path, too_large(info.st_size, limit))
        with os.fdopen(os.dup(fd), "rb") as handle:
            data = handle.read(limit)
    except OSError as error:
        raise InputError(path, f"cannot read the {what}: {problem_text(error)}") from None
    finally:
        os.close(fd)
    if not data and not empty_ok:
        raise InputError(path, f"empty {what}")
    if len(data) >= limit:  # grew while we looked
        raise InputError(path, too_large(len(data), limit))
    return data


def _utf16_without_bom(sample: bytes) -> str | None:
    """``utf-16-le``/``utf-16-be`` when NULs sit on one parity of mostly-ASCII text, else None."""
    even = sample[0::2]
    odd = sample[1::2]
    if not even or not odd:
        return None
    even_nuls = even.count(0)
    odd_nuls = odd.count(0)
    if odd_nuls >= 0.3 * len(odd) and even_nuls <= 0.05 * len(even):
        return "utf-16-le"
    if even_nuls >= 0.3 * len(even) and odd_nuls <= 0.05 * len(odd):
        return "utf-16-be"
    return None


def _looks_binary(text: str) -> bool:
    """Control, unassigned, private-use or surrogate characters in more than 5% of a sample."""
    sample = text[:SNIFF_BYTES]
    bad = 0
    for char in sample:
        if char in "\t\n\r\f":
            continue
        if unicodedata.category(char) in ("Cc", "Cn", "Co", "Cs") or char == "\ufffd":
            bad += 1
    return bad > 0.05 * max(1, len(sample))


def _decode_utf16(data: bytes, encoding: str, path: str | Path) -> str:
    if len(data) % 2:
        data = data[:-1]
    text = data.decode(encoding, errors="replace")
    if _looks_binary(text):
        raise InputError(path, "binary file, not a script")
    return text


def decode_bytes(data: bytes, path: str | Path) -> tuple[str, str]:
    """Decode a text script; returns ``(text, encoding)``. Raises ``InputError`` for binary data."""
    if not data:
        raise InputError(path, "empty file")
    if data.startswith(b"\xef\xbb\xbf"):
        text, encoding = data[3:].decode("utf-8", errors="replace"), "utf-8-sig"
    elif data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        codec = "utf-32-le" if data[0] == 0xFF else "utf-32-be"
        text, encoding = data[4:].decode(codec, errors="replace"), "utf-32"
    elif data.startswith(b"\xff\xfe"):
        text, encoding = _decode_utf16(data[2:], "utf-16-le", path), "utf-16-le"
    elif data.startswith(b"\xfe\xff"):
        text, encoding = _decode_utf16(data[2:], "utf-16-be", path), "utf-16-be"
    else:
        sample = data[:SNIFF_BYTES]
        utf16 = _utf16_without_bom(sample) if b"\x00" in sample else None
        if utf16 is not None:
            text, encoding = _decode_utf16(data, utf16, path), utf16
        else:
            if sample.count(0) > STRAY_NUL_SHARE * len(sample):
                raise InputError(path, "binary file, not a script")
            for signature, _what in _BINARY_SIGNATURES:
                if sample.startswith(signature):
                    raise InputError(path, "binary file, not a script")
            controls = sum(1 for byte in sample if byte < 0x20 and byte not in _CONTROL_OK)
            if controls > 0.05 * len(sample):
                raise InputError(path, "binary file, not a script")
            try:
                text, encoding = data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError:
                try:
                    text, encoding = data.decode("cp1252"), "cp1252"
                except UnicodeDecodeError:
                    text, encoding = data.decode("latin-1"), "latin-1"
    if text.count("\x00") > STRAY_NUL_SHARE * len(text):  # a few stray NULs (pasted junk) are kept as text
        raise InputError(path, "binary file, not a script")
    if not text.strip():
        raise InputError(path, "empty file (only whitespace)")
    check_text(text, path)
    return text, encoding
