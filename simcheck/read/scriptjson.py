"""The ``Script`` model as JSON: what ``simcheck parse --format json`` shows, and (with its text) what
the index stores, so evidence can be shown even if a file moved.

Plain JSON of the frozen dataclasses, zlib-compressed: data only, nothing that can run code when
loaded. Unknown keys are ignored on load (an index written by a later version that added optional
fields still loads); default-valued optional fields are left out to keep it small.
"""

from __future__ import annotations

import dataclasses
import json
import zlib
from typing import Any

from simcheck.model import Element, Scene, Script

_ELEMENT_FIELDS = {f.name for f in dataclasses.fields(Element)}
_SCENE_FIELDS = {f.name for f in dataclasses.fields(Scene)}
_SCRIPT_FIELDS = {f.name for f in dataclasses.fields(Script)}
_OPTIONAL = ("character", "extension", "key", "paragraph", "page", "top", "page_line")  # left out if None


def element_to_dict(element: Element) -> dict[str, Any]:
    """An element as JSON: kind, text, offsets and line, then only the optional fields it has."""
    out: dict[str, Any] = {
        "kind": element.kind,
        "text": element.text,
        "start": element.start,
        "end": element.end,
        "line": element.line,
    }
    for name in _OPTIONAL:
        value = getattr(element, name)
        if value is not None:
            out[name] = value
    if element.dual:
        out["dual"] = True
    return out


def script_to_dict(script: Script, *, text: bool = False) -> dict[str, Any]:
    """The script as JSON: ``simcheck parse --format json`` without ``text``; the index stores it with."""
    out: dict[str, Any] = {"path": script.path, "format": script.format, "title": script.title}
    if text:
        out["text"] = script.text
    out.update(
        {
            "encoding": script.encoding,
            "sha256": script.sha256,
            "cast": list(script.cast),
            "title_page": [element_to_dict(e) for e in script.title_page],
            "scenes": [
                {
                    "number": scene.number,
                    "heading": scene.heading,
                    "scene_number": scene.scene_number,
                    "start": scene.start,
                    "end": scene.end,
                    "line": scene.line,
                    "elements": [element_to_dict(e) for e in scene.elements],
                }
                for scene in script.scenes
            ],
            "assumptions": list(script.assumptions),
        }
    )
    return out


def _load_element(data: dict[str, Any]) -> Element:
    return Element(**{k: v for k, v in data.items() if k in _ELEMENT_FIELDS})


def script_from_dict(data: dict[str, Any]) -> Script:
    scenes = tuple(
        Scene(
            **{k: v for k, v in s.items() if k in _SCENE_FIELDS and k != "elements"},
            elements=tuple(_load_element(e) for e in s.get("elements", ())),
        )
        for s in data["scenes"]
    )
    fields = {k: v for k, v in data.items() if k in _SCRIPT_FIELDS}
    fields["scenes"] = scenes
    fields["cast"] = tuple(data.get("cast", ()))
    fields["title_page"] = tuple(_load_element(e) for e in data.get("title_page", ()))
    fields["assumptions"] = tuple(data.get("assumptions", ()))
    return Script(**fields)


def dumps(script: Script) -> bytes:
    """Compressed JSON bytes of ``script``."""
    raw = json.dumps(script_to_dict(script, text=True), ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(raw.encode("utf-8"), 6)


def loads(blob: bytes) -> Script:
    """The ``Script`` back from ``dumps``; raises ``ValueError`` if the bytes are damaged."""
    try:
        data = json.loads(zlib.decompress(blob).decode("utf-8"))
        return script_from_dict(data)
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"damaged script record ({type(error).__name__})") from error
