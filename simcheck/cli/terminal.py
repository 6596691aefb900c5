"""What simcheck prints holds no control character that came from its inputs.

A title, a scene heading, a character name or a file name can carry terminal escape codes (set the
window title, clear the screen, plant a hyperlink, move the cursor) or bidirectional overrides that
make a line read differently from what it holds. Every line the CLI prints goes through here:

- ``clean``: text for a terminal, C0/C1 controls (escape, bell, carriage return, 8-bit CSI...), DEL and
  bidirectional embeddings/overrides/isolates removed; newlines and tabs kept;
- ``clean_line``: the same on one line (an error naming a file whose name holds a newline stays one
  line);
- ``clean_data``: every string inside a report dict, before a renderer lays it out (the renderer's own
  colours come after);
- ``dumps``: JSON as simcheck prints it; JSON already escapes C0 controls, and the others are written as
  ``\\uXXXX`` escapes, so that the data is unchanged and the bytes are inert.
"""

from __future__ import annotations

import json
import re
from typing import Any

import click

_DANGEROUS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"  # Cc but \t \n, bidi controls
_CONTROLS = re.compile(f"[{_DANGEROUS}]")
_LINE_BREAKS = re.compile("[\t\n\r\x0b\x0c\x85\u2028\u2029]+")
_JSON_RAW = re.compile("[\x7f-\x9f\u202a-\u202e\u2066-\u2069]")  # what json.dumps leaves raw


def clean(text: str) -> str:
    """``text`` without terminal control characters (newlines and tabs kept)."""
    return _CONTROLS.sub("", text)


def clean_line(text: str) -> str:
    """``text`` as one line: line breaks and tabs become a space, other controls go."""
    return clean(_LINE_BREAKS.sub(" ", text))


def clean_data(value: Any) -> Any:
    """``value`` (a report dict, a list, a string) with every string cleaned."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: clean_data(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [clean_data(v) for v in value]
    return value


def dumps(value: Any, *, indent: int = 2, sort_keys: bool = False) -> str:
    """Pretty JSON (UTF-8 text kept as text) in which no control character is written raw."""
    text = json.dumps(value, indent=indent, ensure_ascii=False, sort_keys=sort_keys)
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", text)


def echo(text: str, *, err: bool = False, nl: bool = True) -> None:
    """``click.echo`` of ``clean(text)``."""
    click.echo(clean(text), err=err, nl=nl)
