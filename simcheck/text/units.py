"""Story units: the pieces of a script whose *story* is compared (``simcheck.match.story``).

A screenplay's units are its scenes, long scenes split into beats at element boundaries; a prose
draft (a treatment, an outline, a synopsis, a retelling: plain text with no screenplay layout) is cut
into units of about ``STORY_UNIT_TARGET_WORDS`` words at paragraph boundaries; a short one into at least
``STORY_PROSE_MIN_UNITS`` units of at least ``STORY_UNIT_MIN_WORDS`` words (a 500-word synopsis: 12
units of ~40 words, not 3 of 150: a chain of three links is never rare against unrelated plays).

Why these units: a scene is the screenplay's own unit of story (one place, one time, one set of people),
so aligning scenes aligns the plot. A scene longer than ``STORY_UNIT_MAX_WORDS`` (a play's act-long
scene, a 10-page set piece) holds several events; cut into balanced beats it can be aligned with the
several draft units that tell them. Prose has no scenes: paragraphs are its only boundaries, and a unit
of a few hundred words is about what one scene of a play is condensed to in a retelling (E. Nesbit's
retellings tell a 20-scene play in 1,000-3,000 words).

``speakers``: who the unit is about, most present first. In a screenplay, the characters who speak, by
words spoken; in prose, the name-like words (``prose_names``): capitalised where they are not the
first word of a sentence, recurring, and not function words or role words (``King``, ``Father``).
"""

from __future__ import annotations

import bisect
import itertools
import math
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from simcheck.model import CHARACTER, COMPARED_KINDS, DIALOGUE, SPEECH, Element, Script
from simcheck.settings import (
    STORY_NAME_MIN_COUNT,
    STORY_PROSE_MIN_UNITS,
    STORY_UNIT_MAX_WORDS,
    STORY_UNIT_MIN_WORDS,
    STORY_UNIT_TARGET_WORDS,
)
from simcheck.text.tokens import STOPWORDS, WORD, fold, name_words, word_count
from simcheck.text.words import SPEECH_KINDS, is_furniture


@dataclass(frozen=True)
class StoryUnit:
    """One story unit: ``script.text[start:end]`` lies in 1-based ``scene``; ``number`` is 1-based."""

    number: int
    scene: int
    start: int
    end: int
    line: int
    words: int
    text: str  # the clean text of its elements, joined by newlines (headings and cues left out); empty
    # for a reference unit made from stored passages (``passage_units``): nothing reads it there
    speakers: tuple[str, ...] = ()  # who speaks or is named in it, most words first
    presence: tuple[float, ...] = ()  # share of the unit's speech (or name mentions) of each speaker


def is_prose(script: Script) -> bool:
    """A script with no speech at all (no cue, no dialogue): a treatment, a synopsis, a retelling.

    Its scenes (one, for plain text without headings) are cut at paragraphs, not used as units."""
    return not any(e.kind in (CHARACTER, DIALOGUE) for scene in script.scenes for e in scene.elements)


def story_units(script: Script) -> tuple[StoryUnit, ...]:
    """The story units of ``script`` in order (see the module docstring)."""
    prose = is_prose(script)
    names = prose_characters(script) if prose else frozenset()
    units: list[StoryUnit] = []
    for scene in script.scenes:
        elements = [e for e in scene.elements if _counts(e)]
        if not elements:
            continue
        sizes = [word_count(e.text) for e in elements]
        groups = _prose_groups(sizes) if prose else _beats(elements, sizes)
        for a, b in groups:
            part = elements[a:b]
            speakers, presence = _prose_presence(part, names) if prose else _speech_presence(part)
            units.append(
                StoryUnit(
                    number=len(units) + 1,
                    scene=scene.number,
                    start=part[0].start,
                    end=part[-1].end,
                    line=part[0].line,
                    words=sum(sizes[a:b]),
                    text="\n".join(e.text for e in part),
                    speakers=speakers,
                    presence=presence,
                )
            )
    return tuple(units)


class StoredLike(Protocol):
    @property
    def scene(self) -> int: ...
    @property
    def kind(self) -> str: ...
    @property
    def start(self) -> int: ...
    @property
    def end(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def speaker(self) -> str | None: ...


def passage_units(
    passages: Sequence[StoredLike], words: Sequence[int] | None = None
) -> tuple[tuple[StoryUnit, ...], tuple[tuple[int, ...], ...]]:
    """The story units of a reference script made from its stored passages (in script order), and the
    passages (indices) of each unit. The same cuts as ``story_units``, at passage boundaries (a passage
    is a speech, an action paragraph or a window of short ones): the index holds the passages, so a
    comparison never parses a reference script for its story (measured: loading and cutting the 40
    scripts a draft meets took 2.3 s of the 4.3 s the story layer first took). ``words``: each
    passage's word count, if the caller has counted them already."""
    prose = not any(p.kind == SPEECH for p in passages)
    by_scene: dict[int, list[int]] = {}
    for k, passage in enumerate(passages):
        by_scene.setdefault(passage.scene, []).append(k)
    units: list[StoryUnit] = []
    members: list[tuple[int, ...]] = []
    for scene in sorted(by_scene):
        rows = by_scene[scene]
        sizes = [words[k] if words is not None else word_count(passages[k].text) for k in rows]
        if prose:
            groups = _prose_groups(sizes)
        elif sum(sizes) <= STORY_UNIT_MAX_WORDS:
            groups = [(0, len(rows))]
        else:
            groups = _balanced(sizes, math.ceil(sum(sizes) / STORY_UNIT_MAX_WORDS))
        for a, b in groups:
            part = [passages[k] for k in rows[a:b]]
            spoken: Counter[str] = Counter()
            for passage, size in zip(part, sizes[a:b], strict=True):
                if passage.speaker:
                    spoken[passage.speaker] += size
            speakers, presence = _ranked(spoken)
            units.append(
                StoryUnit(
                    number=len(units) + 1,
                    scene=scene,
                    start=part[0].start,
                    end=max(p.end for p in part),
                    line=part[0].line,
                    words=sum(sizes[a:b]),
                    text="",  # a reference unit: the report excerpts its script
                    speakers=speakers,
                    presence=presence,
                )
            )
            members.append(tuple(rows[a:b]))
    return tuple(units), tuple(members)


def _counts(element: Element) -> bool:
    return (
        element.kind in COMPARED_KINDS and not is_furniture(element.text) and bool(WORD.search(element.text))
    )


def _prose_groups(sizes: Sequence[int]) -> list[tuple[int, int]]:
    """Paragraph ranges of at least about ``STORY_UNIT_TARGET_WORDS`` words each: the text is cut into
    ``total // target`` units, or for a short text up to ``STORY_PROSE_MIN_UNITS`` of at least
    ``STORY_UNIT_MIN_WORDS`` words (at least 1), at the paragraph boundaries nearest to equal shares."""
    total = sum(sizes)
    count = max(total // STORY_UNIT_TARGET_WORDS, min(STORY_PROSE_MIN_UNITS, total // STORY_UNIT_MIN_WORDS))
    return _balanced(sizes, max(1, count))


def _beats(elements: Sequence[Element], sizes: Sequence[int]) -> list[tuple[int, int]]:
    """A scene as one unit, or, beyond ``STORY_UNIT_MAX_WORDS`` words, balanced beats of at most about
    that many words, cut between speeches (never inside one speech's dialogue)."""
    total = sum(sizes)
    if total <= STORY_UNIT_MAX_WORDS:
        return [(0, len(elements))]
    count = math.ceil(total / STORY_UNIT_MAX_WORDS)
    # allowed cuts: before an element that starts a speech or is action (not inside a speech)
    allowed = [
        i
        for i in range(1, len(elements))
        if elements[i].kind not in SPEECH_KINDS
        or (elements[i].character or "") != (elements[i - 1].character or "")
        or elements[i - 1].kind not in SPEECH_KINDS
    ]
    return _balanced(sizes, count, allowed)


def _balanced(
    sizes: Sequence[int], count: int, allowed: Sequence[int] | None = None
) -> list[tuple[int, int]]:
    """``count`` consecutive ranges of ``sizes``, cut at the allowed positions nearest to equal shares
    (on a tie, the earlier position)."""
    n = len(sizes)
    cuts_allowed = list(range(1, n)) if allowed is None else sorted(allowed)
    if count <= 1 or not cuts_allowed:
        return [(0, n)]
    cumulative = list(itertools.accumulate(sizes, initial=0))
    at = [cumulative[i] for i in cuts_allowed]  # non-decreasing: sizes are counts
    total = cumulative[-1]
    cuts: list[int] = []
    for k in range(1, count):
        goal = total * k / count
        j = bisect.bisect_left(at, goal)  # at[j]: the first at or past the goal
        if j == len(at) or (j > 0 and goal - at[j - 1] <= at[j] - goal):
            best = cuts_allowed[bisect.bisect_left(at, at[j - 1])]  # the earliest with that value
        else:
            best = cuts_allowed[j]
        if (not cuts or best > cuts[-1]) and best < n:
            cuts.append(best)
    bounds = [0, *cuts, n]
    return [(a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True) if b > a]


def _speech_presence(elements: Sequence[Element]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    spoken: Counter[str] = Counter()
    for element in elements:
        if element.kind in SPEECH_KINDS and element.character:
            spoken[element.character] += word_count(element.text)
    return _ranked(spoken)


def _prose_presence(
    elements: Sequence[Element], names: frozenset[str]
) -> tuple[tuple[str, ...], tuple[float, ...]]:
    mentions: Counter[str] = Counter()
    for element in elements:
        for match in WORD.finditer(element.text):
            word = match.group()
            if word[:1].isupper():
                norm = _base(fold(word))
                if norm in names:
                    mentions[_display(norm)] += 1
    return _ranked(mentions)


def _ranked(counts: Counter[str]) -> tuple[tuple[str, ...], tuple[float, ...]]:
    total = sum(counts.values())
    if total <= 0:
        return (), ()
    ranked = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return tuple(name for name, _ in ranked), tuple(count / total for _, count in ranked)


def _base(norm: str) -> str:
    return norm[:-2] if norm.endswith("'s") else norm


def _display(norm: str) -> str:
    return norm.upper()


_PLACE_CUES = frozenset(
    {"of", "in", "from", "at", "into", "towards", "toward", "through", "near", "across", "the"}
)


def _name_counts(script: Script) -> tuple[Counter[str], set[str], Counter[str]]:
    """Per folded word: how often it is capitalised mid-sentence, whether it is ever lower case, and how
    often (capitalised) it follows a word that announces a place or a title (``of``, ``in``, ``the``...)."""
    capital: Counter[str] = Counter()
    placed: Counter[str] = Counter()
    lower: set[str] = set()
    for scene in script.scenes:
        for element in scene.elements:
            if not _counts(element):
                continue
            text = element.text
            previous_end = 0
            previous_word = ""
            for match in WORD.finditer(text):
                word = match.group()
                norm = _base(fold(word))
                between = text[previous_end : match.start()]
                previous_end = match.end()
                before, previous_word = previous_word, word.lower()
                if not word[:1].isupper():
                    lower.add(norm)
                    continue
                sentence_start = match.start() == 0 or any(mark in between for mark in '.!?:\u201c"')
                if not sentence_start and not word.isupper():
                    capital[norm] += 1
                    placed[norm] += before in _PLACE_CUES
    return capital, lower, placed


def prose_names(script: Script) -> frozenset[str]:
    """The folded name-like words of a prose text: written capitalised at least
    ``STORY_NAME_MIN_COUNT`` times where they do not begin a sentence, never written in lower case,
    and neither function words nor role words (``name_words`` leaves out ``King``, ``Lady``...).
    They are masked as names (places and titles with them: none of them is story content)."""
    capital, lower, _placed = _name_counts(script)
    candidates = [
        norm
        for norm, count in capital.items()
        if count >= STORY_NAME_MIN_COUNT and norm not in lower and norm not in STOPWORDS and len(norm) > 1
    ]
    return name_words(candidates)


def prose_characters(script: Script) -> frozenset[str]:
    """The ``prose_names`` that stand for characters: those that do not mostly follow ``of``, ``in``,
    ``the``... (``the King of Scotland``, ``in England``, ``the Confessor``: places and titles), so that
    the cast mapped from the story is made of people."""
    _capital, _lower, placed = _name_counts(script)
    return frozenset(n for n in prose_names(script) if 2 * placed[n] <= _capital[n])


__all__ = ["StoryUnit", "is_prose", "passage_units", "prose_characters", "prose_names", "story_units"]
