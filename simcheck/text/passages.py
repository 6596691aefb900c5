"""Cut a script into passages: the units that are embedded, MinHashed and compared.

Within each scene (passages never cross scenes), the words that count are grouped into *units*:

- a **speech**: the dialogue, parentheticals and lyrics after one character cue (the cue itself is
  neither in the span nor in the text);
- an **action** paragraph; lyrics and centered text outside a speech count as action.

Scene headings, transitions, notes, sections, synopses, page breaks and the title page are never
in a passage, nor is format furniture such as ``(MORE)`` or ``(CONT'D)`` written as its own line.

A unit longer than ``passage_max_words`` is cut into balanced, non-overlapping word windows with
exact offsets. Consecutive units shorter than ``passage_min_words`` are packed into ``window``
passages of up to ``passage_max_words`` words, so short exchanges are still covered; a run of short
units that stays under ``passage_min_words`` is merged into a neighbouring passage (making it a
window) when that fits in ``passage_max_words``, and dropped otherwise (too short to be evidence).

Each passage's ``text`` is the clean element texts joined by newlines; ``start``/``end`` point into
``script.text`` so that ``script.text[start:end]`` is the passage as written (a window over several
speeches includes the cues between them in its span, not in its text). Output order is the order in
the script, which makes it deterministic.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from simcheck.errors import InputError
from simcheck.model import (
    ACTION,
    ACTION_PASSAGE,
    CENTERED,
    CHARACTER,
    DIALOGUE,
    LYRIC,
    PARENTHETICAL,
    SPEECH,
    WINDOW,
    Element,
    Lines,
    Passage,
    Scene,
    Script,
)
from simcheck.settings import MAX_PASSAGES, IndexSettings
from simcheck.text.tokens import WORD
from simcheck.text.words import SPEECH_KINDS, is_furniture

_ACTION_KINDS = frozenset({ACTION, LYRIC, CENTERED})


@dataclass(frozen=True)
class _Word:
    element: int  # index into the unit's elements
    cstart: int  # offsets into element.text (clean)
    cend: int
    rstart: int  # offsets into script.text (raw)
    rend: int


@dataclass(frozen=True)
class _Segment:
    """A piece of one element: text slice (clean) and raw span."""

    element: Element
    cstart: int
    cend: int
    rstart: int
    rend: int


@dataclass(frozen=True)
class _Item:
    """A passage candidate: one or more segments in script order."""

    segments: tuple[_Segment, ...]
    words: int
    kind: str
    speaker: str | None
    short: bool  # a unit shorter than passage_min_words (to be packed into a window)


def make_passages(script: Script, settings: IndexSettings) -> list[Passage]:
    """The passages of ``script`` in script order (see the module docstring for the rules)."""
    lines = Lines.of(script.text)
    passages: list[Passage] = []
    for scene in script.scenes:
        passages.extend(_scene_passages(script, scene, settings, lines))
        if len(passages) > MAX_PASSAGES:  # a cap (simcheck.read.caps): stop cutting, say so
            raise InputError(
                script.path,
                f"more than {MAX_PASSAGES:,} passages to compare (a long feature script has about 1,000): "
                "far longer than any script",
            )
    return passages


# --- units ------------------------------------------------------------------------------------


def _units(scene: Scene) -> list[tuple[str, str | None, list[Element]]]:
    """(kind, speaker, elements) for each speech and action paragraph of a scene, in order."""
    units: list[tuple[str, str | None, list[Element]]] = []
    speech: list[Element] | None = None
    speaker: str | None = None
    for element in scene.elements:
        kind = element.kind
        if kind == CHARACTER:
            if speech:
                units.append((SPEECH, speaker, speech))
            speech, speaker = [], element.character or element.text.strip() or None
            continue
        if kind in SPEECH_KINDS and speech is not None and (kind != LYRIC or _same(element, speaker)):
            speech.append(element)
            continue
        if kind in (DIALOGUE, PARENTHETICAL):
            # dialogue without a cue (a lenient reader's guess): a speech of its own speaker
            if speech:
                units.append((SPEECH, speaker, speech))
            speech, speaker = [element], element.character
            continue
        if speech:
            units.append((SPEECH, speaker, speech))
        speech, speaker = None, None
        if kind in _ACTION_KINDS:
            units.append((ACTION_PASSAGE, None, [element]))
        # anything else (heading, transition, note, section, synopsis, page break) is skipped
        # and ends the speech before it
    if speech:
        units.append((SPEECH, speaker, speech))
    return units


def _same(element: Element, speaker: str | None) -> bool:
    return element.character is None or element.character == speaker


def _kept(elements: Sequence[Element]) -> tuple[list[Element], int]:
    """The unit's elements without furniture lines, and how many words they hold."""
    kept = [element for element in elements if not is_furniture(element.text)]
    return kept, sum(len(WORD.findall(element.text)) for element in kept)


def _words(script: Script, elements: Sequence[Element]) -> list[_Word]:
    """The words of a unit's elements with clean and raw offsets (only needed to cut a unit)."""
    words: list[_Word] = []
    for index, element in enumerate(elements):
        clean = [(m.group(), m.start(), m.end()) for m in WORD.finditer(element.text)]
        raw = [
            (m.group(), m.start(), m.end()) for m in WORD.finditer(script.text, element.start, element.end)
        ]
        raw_spans = _align([w for w, _, _ in clean], raw, element.end)
        for (_word, cstart, cend), (rstart, rend) in zip(clean, raw_spans, strict=True):
            words.append(_Word(index, cstart, cend, rstart, rend))
    return words


def _align(clean: list[str], raw: list[tuple[str, int, int]], fallback: int) -> list[tuple[int, int]]:
    """Raw offsets for each clean word: greedy in-order matching (notes and markup only add words).

    Words are compared as written, without underscores (Fountain's underline markup is a word
    character); the text of an element is the source minus markup, so they match in order.
    """
    spans: list[tuple[int, int]] = []
    j = 0
    last = raw[0][1] if raw else fallback
    for norm in clean:
        key = norm.replace("_", "")
        found = -1
        for k in range(j, min(len(raw), j + 64)):
            if raw[k][0].replace("_", "") == key:
                found = k
                break
        if found >= 0:
            spans.append((raw[found][1], raw[found][2]))
            last = raw[found][2]
            j = found + 1
        else:  # not found in the source: a zero-width position after the previous word
            position = raw[j][1] if j < len(raw) else last
            spans.append((position, position))
    return spans


# --- items ------------------------------------------------------------------------------------


def _whole(elements: list[Element], words: int, kind: str, speaker: str | None, short: bool) -> _Item:
    segments = tuple(_Segment(e, 0, len(e.text), e.start, e.end) for e in elements)
    return _Item(segments, words, kind, speaker, short)


def _piece(
    elements: list[Element], words: list[_Word], a: int, b: int, kind: str, speaker: str | None
) -> _Item:
    """Words ``a..b`` of a unit as one item; elements cut at word boundaries inside the unit."""
    segments: list[_Segment] = []
    i = a
    while i < b:
        index = words[i].element
        j = i
        while j + 1 < b and words[j + 1].element == index:
            j += 1
        element = elements[index]
        first_of_element = i == 0 or words[i - 1].element != index
        last_of_element = j == len(words) - 1 or words[j + 1].element != index
        cstart = 0 if first_of_element else words[i].cstart
        cend = len(element.text) if last_of_element else words[j].cend
        rstart = element.start if first_of_element else words[i].rstart
        rend = element.end if last_of_element else words[j].rend
        segments.append(_Segment(element, cstart, cend, rstart, rend))
        i = j + 1
    return _Item(tuple(segments), b - a, kind, speaker, False)


def _merge(items: Sequence[_Item]) -> _Item:
    speakers = {item.speaker for item in items}
    speaker = speakers.pop() if len(speakers) == 1 else None
    segments = tuple(s for item in items for s in item.segments)
    return _Item(segments, sum(item.words for item in items), WINDOW, speaker, False)


def _scene_passages(script: Script, scene: Scene, settings: IndexSettings, lines: Lines) -> list[Passage]:
    max_words = settings.passage_max_words
    min_words = settings.passage_min_words
    items: list[_Item] = []
    for kind, speaker, raw_elements in _units(scene):
        elements, count = _kept(raw_elements)
        if count == 0:
            continue
        if count <= max_words:
            items.append(_whole(elements, count, kind, speaker, count < min_words))
            continue
        words = _words(script, elements)
        pieces = math.ceil(count / max_words)
        bounds = [round(k * count / pieces) for k in range(pieces + 1)]
        for a, b in zip(bounds, bounds[1:], strict=False):
            items.append(_piece(elements, words, a, b, kind, speaker))
    items = _pack_short(items, max_words)
    items = _absorb_tiny(items, min_words, max_words)
    return [_passage(scene, item, lines) for item in items]


def _pack_short(items: list[_Item], max_words: int) -> list[_Item]:
    """Pack each run of consecutive short items into balanced windows of up to ``max_words``."""
    out: list[_Item] = []
    i = 0
    while i < len(items):
        if not items[i].short:
            out.append(items[i])
            i += 1
            continue
        j = i
        while j < len(items) and items[j].short:
            j += 1
        run = items[i:j]
        total = sum(item.words for item in run)
        target = math.ceil(total / math.ceil(total / max_words))
        group: list[_Item] = []
        count = 0
        for item in run:
            if group and (count >= target or count + item.words > max_words):
                out.append(_window(group))
                group, count = [], 0
            group.append(item)
            count += item.words
        out.append(_window(group))
        i = j
    return out


def _window(group: list[_Item]) -> _Item:
    merged = _merge(group)
    return _Item(merged.segments, merged.words, WINDOW, merged.speaker, True)


def _absorb_tiny(items: list[_Item], min_words: int, max_words: int) -> list[_Item]:
    """Merge windows still under ``min_words`` into a neighbour when it fits; drop them otherwise."""
    out = list(items)
    i = 0
    while i < len(out):
        item = out[i]
        if not (item.short and item.words < min_words):
            out[i] = _Item(item.segments, item.words, item.kind, item.speaker, False)
            i += 1
            continue
        if i > 0 and out[i - 1].words + item.words <= max_words:
            out[i - 1 : i + 1] = [_merge([out[i - 1], item])]
            continue  # the merged item sits at i-1 and is final; re-check position i
        if i + 1 < len(out) and out[i + 1].words + item.words <= max_words:
            merged = _merge([item, out[i + 1]])
            out[i : i + 2] = [_Item(merged.segments, merged.words, WINDOW, merged.speaker, out[i + 1].short)]
            continue  # re-examine the merged item (it may still be a tiny window)
        del out[i]  # too short to be evidence and no room next to it
    return out


def _passage(scene: Scene, item: _Item, lines: Lines) -> Passage:
    start = min(s.rstart for s in item.segments)
    end = max(s.rend for s in item.segments)
    text = "\n".join(s.element.text[s.cstart : s.cend].strip() for s in item.segments)
    return Passage(
        scene=scene.number,
        kind=item.kind,
        start=start,
        end=end,
        line=lines.number(start),
        text=text,
        speaker=item.speaker,
    )
