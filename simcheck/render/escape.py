"""Escaping of every text the HTML report takes from a script, a path or the report.

``esc`` makes a text inert in HTML text, attribute values (always double-quoted) and SVG ``<title>``
alike: ``& < > " '`` become character references, and characters that may not appear in an HTML
document (NUL and other control characters, noncharacters, lone surrogates) become U+FFFD, so the
page stays valid and always encodes as UTF-8. A form feed (a page break in plain-text scripts) shows
as a space. Tab, line feed and carriage return are kept (passages keep their lines).
"""

from __future__ import annotations

import re
from html import escape

REPLACEMENT = "\ufffd"
_NONCHARACTERS = "".join(
    f"{chr(plane + 0xFFFE)}{chr(plane + 0xFFFF)}" for plane in range(0x10000, 0x110000, 0x10000)
)
_NOT_IN_HTML = re.compile(
    "[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef\ufffe\uffff\ud800-\udfff" + _NONCHARACTERS + "]"
)


def esc(value: object) -> str:
    """``value`` as inert HTML text (also safe in a double-quoted attribute)."""
    text = str(value).replace("\x0c", " ")
    return escape(_NOT_IN_HTML.sub(REPLACEMENT, text), quote=True)
