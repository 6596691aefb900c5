"""Where a passage is in the writer's own terms: PDF page and line, Final Draft paragraph, scene number.

Offsets and ``line`` point into ``Script.text``, which for PDF, Final Draft and Fade In is text simcheck
reconstructed (one paragraph per line): its line numbers mean nothing to someone holding the file. The
elements carry the source's coordinates (``Element.page``, ``page_line``, ``top``; ``paragraph``);
``Coordinates`` finds the element a character offset lies in and turns them into ``Location`` fields.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import replace

from simcheck.model import Element, Lines, Script
from simcheck.report.model import Location

PAGINATED = frozenset({"pdf"})  # formats whose elements carry page coordinates
PARAGRAPHED = frozenset({"fdx", "fadein"})  # formats whose elements are numbered paragraphs


class Coordinates:
    """Locations in one script: offsets, the line in ``Script.text`` and the source's own coordinates."""

    def __init__(self, script: Script, lines: Lines | None = None) -> None:
        self.script = script
        self.lines = lines or Lines.of(script.text)
        self._elements: list[Element] = []
        self._scene: list[int] = []  # index into script.scenes of each element
        self._position: list[int] = []  # 1-based paragraph of each element within its scene
        for index, scene in enumerate(script.scenes):
            for position, element in enumerate(scene.elements, start=1):
                self._elements.append(element)
                self._scene.append(index)
                self._position.append(position)
        self._starts = [e.start for e in self._elements]

    def _at(self, offset: int) -> int | None:
        """Index of the element that holds ``offset`` (the last one starting at or before it)."""
        k = bisect_right(self._starts, offset) - 1
        return k if k >= 0 else None

    def location(self, start: int, end: int) -> Location:
        """The location of ``text[start:end]``, with the coordinates its format has."""
        location = Location(start, end, self.lines.number(start))
        first, last = self._at(start), self._at(max(start, end - 1))
        if first is None or last is None:
            return location
        head, tail = self._elements[first], self._elements[last]
        scene_number = self.script.scenes[self._scene[first]].scene_number
        if self.script.format in PAGINATED and head.page is not None:
            location = replace(
                location,
                page=head.page,
                page_line=head.page_line,
                top=head.top,
                end_page=tail.page if tail.page is not None else head.page,
                end_page_line=tail.page_line,
            )
        if self.script.format in PARAGRAPHED:
            end_paragraph = self._position[last] if self._scene[last] == self._scene[first] else None
            location = replace(location, paragraph=self._position[first], end_paragraph=end_paragraph)
        return replace(location, scene_number=scene_number) if scene_number else location

    def scene_page(self, number: int) -> int | None:
        """The page where scene ``number`` starts (paginated formats), else None."""
        if self.script.format not in PAGINATED or not 0 < number <= len(self.script.scenes):
            return None
        pages = [e.page for e in self.script.scenes[number - 1].elements if e.page is not None]
        return pages[0] if pages else None
