"""How simcheck read a script, for ``simcheck parse``: a JSON-ready dict and a plain-text listing."""

from __future__ import annotations

from typing import Any

from simcheck.model import CHARACTER, PAGE_BREAK, Element, Script

_LABELS = {
    "scene_heading": "HEADING",
    "action": "action",
    "character": "CUE",
    "parenthetical": "paren",
    "dialogue": "dialogue",
    "lyric": "lyric",
    "transition": "TRANSITION",
    "centered": "centered",
    "note": "note",
    "section": "section",
    "synopsis": "synopsis",
    "page_break": "page break",
    "title_page": "title",
}


def element_to_dict(element: Element) -> dict[str, Any]:
    out: dict[str, Any] = {
        "kind": element.kind,
        "text": element.text,
        "start": element.start,
        "end": element.end,
        "line": element.line,
    }
    for name in ("character", "extension", "key", "paragraph", "page", "top"):
        value = getattr(element, name)
        if value is not None:
            out[name] = value
    if element.dual:
        out["dual"] = True
    return out


def script_to_dict(script: Script) -> dict[str, Any]:
    """The ``simcheck parse --format json`` object: offsets index ``text`` (see simcheck.model)."""
    return {
        "path": script.path,
        "format": script.format,
        "title": script.title,
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


def _one_line(text: str, width: int) -> str:
    flat = " / ".join(part.strip() for part in text.splitlines() if part.strip())
    return flat if len(flat) <= width else flat[: width - 3] + "..."


def describe(script: Script, *, strict: bool = False, width: int = 100) -> str:
    """A listing of scenes and elements with line numbers, then what a lenient reading assumed."""
    elements = sum(len(scene.elements) for scene in script.scenes)
    speeches = sum(1 for scene in script.scenes for e in scene.elements if e.kind == CHARACTER)
    headings = sum(1 for scene in script.scenes if scene.heading is not None)
    out = [
        f"{script.path}: {script.format}, {script.encoding}",
        f"title: {script.title or '(none)'}",
        f"cast ({len(script.cast)}): {', '.join(script.cast) or '(none)'}",
        f"{len(script.scenes)} scenes ({headings} with a heading), {speeches} speeches, {elements} elements",
    ]
    for element in script.title_page:
        out.append(f"  title page {element.key or '-'}: {_one_line(element.text, width)}")
    for scene in script.scenes:
        number = f" #{scene.scene_number}" if scene.scene_number else ""
        heading = scene.heading if scene.heading is not None else "(before the first scene heading)"
        out.append("")
        out.append(f"scene {scene.number}{number}: {heading}  [line {scene.line}]")
        for e in scene.elements[1 if scene.heading is not None else 0 :]:
            label = _LABELS.get(e.kind, e.kind)
            if e.kind == PAGE_BREAK:
                body = "-" * 10
            elif e.kind == CHARACTER:
                body = e.text + (f" ({e.extension})" if e.extension else "") + (" [dual]" if e.dual else "")
            else:
                body = _one_line(e.text, width)
            where = f"line {e.line}" if e.paragraph is None else f"para {e.paragraph}"
            if e.page is not None and script.format == "pdf":
                where += f" p{e.page}"
            out.append(f"  {where:>12}  {label:<10} {body}")
    out.append("")
    if strict:
        out.append("strict reading: no lenient assumptions made")
    elif script.assumptions:
        out.append(f"assumptions ({len(script.assumptions)}):")
        out.extend(f"  {line}" for line in script.assumptions)
    else:
        out.append("assumptions: none")
    return "\n".join(out)
