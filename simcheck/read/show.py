"""How simcheck read a script, for ``simcheck parse``: a plain-text listing (the JSON form is
``scriptjson.script_to_dict``)."""

from __future__ import annotations

from simcheck.model import CHARACTER, PAGE_BREAK, Script

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
