"""Story units: the pieces of a script whose *story* is compared (``simcheck.match.story``).

A screenplay's units are its scenes, long scenes split into beats at element boundaries; a prose
draft (a treatment, an outline, a synopsis, a retelling: plain text with no screenplay layout) is cut
into units of roughly ``STORY_UNIT_MIN_WORDS``-``STORY_UNIT_MAX_WORDS`` words at paragraph boundaries.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class StoryUnit:
    """One story unit: ``script.text[start:end]`` lies in 1-based ``scene``; ``number`` is 1-based."""

    number: int
    scene: int
    start: int
    end: int
    line: int
    words: int
    text: str  # the clean text of its elements, joined by newlines (headings and cues left out)
    speakers: tuple[str, ...] = ()  # who speaks or is named in it, most words first
