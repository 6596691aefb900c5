"""The ``Script`` model as JSON (stored in the index so evidence can be shown even if a file moved).

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

_ELEMENT_FIELDS = {f.name: f for f in dataclasses.fields(Element)}
_SCENE_FIELDS = {f.name for f in dataclasses.fields(Scene)}
_SCRIPT_FIELDS = {f.name for f in dataclasses.fields(Script)}


def _element(element: Element) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, spec in _ELEMENT_FIELDS.items():
        value = getattr(element, name)
        if spec.default is not dataclasses.MISSING and value == spec.default:
            continue
        out[name] = value
    return out


def script_to_dict(script: Script) -> dict[str, Any]:
    return {
        "path": script.path,
        "format": script.format,
        "title": script.title,
        "text": script.text,
        "scenes": [
            {
                "number": s.number,
                "heading": s.heading,
                "start": s.start,
                "end": s.end,
                "line": s.line,
                "scene_number": s.scene_number,
                "elements": [_element(e) for e in s.elements],
            }
            for s in script.scenes
        ],
        "cast": list(script.cast),
        "title_page": [_element(e) for e in script.title_page],
        "sha256": script.sha256,
        "encoding": script.encoding,
        "assumptions": list(script.assumptions),
    }


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
    raw = json.dumps(script_to_dict(script), ensure_ascii=False, separators=(",", ":"))
    return zlib.compress(raw.encode("utf-8"), 6)


def loads(blob: bytes) -> Script:
    """The ``Script`` back from ``dumps``; raises ``ValueError`` if the bytes are damaged."""
    try:
        data = json.loads(zlib.decompress(blob).decode("utf-8"))
        return script_from_dict(data)
    except (zlib.error, UnicodeDecodeError, json.JSONDecodeError, KeyError, TypeError) as error:
        raise ValueError(f"damaged script record ({type(error).__name__})") from error
