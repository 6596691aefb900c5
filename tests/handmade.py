"""Build small ``Script`` objects by hand for the index tests (original text, no parser needed).

``build_script(scenes)`` lays the elements out Fountain-style (blank line between blocks, cue and
dialogue on consecutive lines) and computes every offset, so ``script.text[e.start:e.end]`` is exact.
A scene is ``(heading or None, [(kind, text) or (kind, text, character), ...])``.
"""

from __future__ import annotations

from collections.abc import Sequence

from simcheck.model import (
    CHARACTER,
    DIALOGUE,
    PARENTHETICAL,
    SCENE_HEADING,
    Element,
    Scene,
    Script,
    line_of,
)

SceneSpec = tuple[str | None, Sequence[tuple[str, ...]]]


def build_script(
    scenes: Sequence[SceneSpec], path: str = "/refs/handmade.fountain", title: str | None = None
) -> Script:
    text = ""
    built: list[Scene] = []
    cast: list[str] = []
    speaker: str | None = None

    def put(chunk: str, glue: str) -> tuple[int, int]:
        nonlocal text
        if text:
            text += glue
        start = len(text)
        text += chunk
        return start, len(text)

    for number, (heading, elements) in enumerate(scenes, start=1):
        scene_start = len(text) + (2 if text else 0)
        items: list[Element] = []
        if heading is not None:
            s, e = put(heading, "\n\n")
            items.append(Element(SCENE_HEADING, heading, s, e, line_of(text, s)))
        for spec in elements:
            kind, body = spec[0], spec[1]
            character = spec[2] if len(spec) > 2 else None
            if kind == CHARACTER:
                speaker = body
                if body not in cast:
                    cast.append(body)
                s, e = put(body, "\n\n")
                items.append(Element(kind, body, s, e, line_of(text, s), character=body))
                continue
            in_speech = kind in (DIALOGUE, PARENTHETICAL) or character is not None
            glue = (
                "\n"
                if in_speech and items and items[-1].kind in (CHARACTER, DIALOGUE, PARENTHETICAL)
                else "\n\n"
            )
            s, e = put(body, glue)
            who = character or (speaker if kind in (DIALOGUE, PARENTHETICAL) else None)
            items.append(Element(kind, body, s, e, line_of(text, s), character=who))
        built.append(Scene(number, heading, scene_start, len(text), line_of(text, scene_start), tuple(items)))
    text += "\n"
    return Script(
        path=path,
        format="fountain",
        title=title,
        text=text,
        scenes=tuple(built),
        cast=tuple(cast),
        sha256="0" * 64,
    )
